/**
 * The session: what the gateway calls on a connected Contoso BMC. Everything goes through `ctx.redfish`, the runtime's
 * client, which already queues, times out, retries reads, breaks the circuit and holds the pooled Redfish session; this
 * file only knows where things are and how to read them.
 */
import {
  DriverError,
  type CallContext,
  type Capability,
  type DeviceSession,
  type DriverLogger,
  type FirmwareComponent,
  type InventorySnapshot,
  type JobHandle,
  type JobOutcome,
  type RedfishClient,
  type ResourceRef,
  type UnmappedNote,
} from 'shoal/drivers/api';
import { actionOf, chassisOf, firmwareOf, link, managerOf, str, systemOf, systemStateOf, type Payload } from './resources.js';

/** Where things are on the device, learned once at connect by following links from the service root. */
export interface ServiceMap {
  /** Member URIs by resource id, in collection order (the first system is the main one). */
  systems: Map<string, string>;
  chassis: Map<string, string>;
  managers: Map<string, string>;
  /** `UpdateService.FirmwareInventory`, when the device has one. */
  firmwareInventory?: string;
}

/** How long `track` follows a device task before giving up. */
const TASK_TIMEOUT_MS = 30 * 60 * 1000;

type Member = { uri: string; body: Payload };

/**
 * The members of a collection, each read. A member the device refuses (4xx) becomes a note; anything that says the
 * device itself is in trouble (Unavailable, Timeout, AuthenticationFailed...) fails the whole call, as it should.
 */
async function members(client: RedfishClient, uri: string | undefined, signal: AbortSignal, notes: UnmappedNote[]): Promise<Member[]> {
  if (!uri) return [];
  const coll = (await client.get(uri, { signal })).body;
  const list = Array.isArray(coll.Members) ? (coll.Members as unknown[]) : [];
  const read = await Promise.all(
    list.map(async (m): Promise<Member | undefined> => {
      const u = m && typeof m === 'object' ? (m as Payload)['@odata.id'] : undefined;
      if (typeof u !== 'string') {
        notes.push({ source: uri, reason: 'member without @odata.id' });
        return undefined;
      }
      try {
        const body = (await client.get(u, { signal })).body;
        return body && typeof body === 'object' && !Array.isArray(body) ? { uri: u, body } : undefined;
      } catch (e) {
        if (e instanceof DriverError && e.code === 'Rejected') {
          notes.push({ source: u, reason: e.message });
          return undefined;
        }
        throw e;
      }
    }),
  );
  return read.filter((x): x is Member => x !== undefined);
}

/** Systems, Chassis and Managers, found by following the service root's links (never by guessing paths). */
function collections(client: RedfishClient, root: Payload, signal: AbortSignal, notes: UnmappedNote[]): Promise<[Member[], Member[], Member[]]> {
  return Promise.all([
    members(client, link(root, 'Systems'), signal, notes),
    members(client, link(root, 'Chassis'), signal, notes),
    members(client, link(root, 'Managers'), signal, notes),
  ]);
}

const byId = (list: Member[], idOfMember: (m: Member) => string) => new Map(list.map((m) => [idOfMember(m), m.uri]));

/** Reads the service root and its collections: what the session needs to route calls and decide capabilities. */
export async function mapService(client: RedfishClient, signal: AbortSignal): Promise<ServiceMap> {
  const root = (await client.get('/redfish/v1', { signal })).body;
  const notes: UnmappedNote[] = [];
  const [systems, chassis, managers] = await collections(client, root, signal, notes);
  const map: ServiceMap = {
    systems: byId(systems, (m) => systemOf(m.uri, m.body).id),
    chassis: byId(chassis, (m) => chassisOf(m.uri, m.body).id),
    managers: byId(managers, (m) => managerOf(m.uri, m.body).id),
  };
  const updateService = link(root, 'UpdateService');
  if (updateService) {
    const us = (await client.get(updateService, { signal }).catch(() => undefined))?.body;
    if (us && us.ServiceEnabled !== false) map.firmwareInventory = link(us, 'FirmwareInventory');
  }
  return map;
}

/** The job handle a Redfish action answer means: a Task to follow on 202, finished otherwise. */
function jobFrom(res: { status: number; location?: string; body: unknown }): JobHandle {
  if (res.status === 202) {
    const task = str((res.body as Payload | undefined)?.['@odata.id']);
    const uri = res.location ?? task;
    if (uri) return { kind: 'redfish-task', uri };
  }
  return { kind: 'done', outcome: { ok: true, messages: [] } };
}

/**
 * Opens the session over a mapped device. Capabilities are the core plus `firmware.inventory` when the device has a
 * FirmwareInventory; the method exists exactly when the capability is claimed (the runtime checks).
 */
export function contosoSession(client: RedfishClient, map: ServiceMap, log: DriverLogger): DeviceSession {
  const capabilities = new Set<Capability>(['inventory', 'power', 'reset']);
  if (map.firmwareInventory) capabilities.add('firmware.inventory');
  log.debug({ systems: map.systems.size, capabilities: [...capabilities] }, 'contoso session open');

  const uriOf = (ref: ResourceRef): string => {
    const table = ref.kind === 'System' ? map.systems : ref.kind === 'Chassis' ? map.chassis : map.managers;
    const uri = table.get(ref.id);
    if (!uri) throw new DriverError('Rejected', `no ${ref.kind} ${ref.id} on this device`);
    return uri;
  };

  const session: DeviceSession = {
    capabilities,

    async inventory(ctx: CallContext): Promise<InventorySnapshot> {
      const signal = ctx.signal;
      const unmapped: UnmappedNote[] = [];
      const root = (await client.get('/redfish/v1', { signal })).body;
      const raw: Record<string, unknown> = { '/redfish/v1': root };
      const [systems, chassis, managers] = await collections(client, root, signal, unmapped);
      for (const m of [...systems, ...chassis, ...managers]) raw[m.uri] = m.body;
      const chassisInfos = chassis.map((m) => chassisOf(m.uri, m.body));
      const main = chassisInfos.find((c) => c.identity.serialNumber && !c.containedBy) ?? chassisInfos.find((c) => c.identity.serialNumber);
      return {
        takenAt: Date.now(),
        endpoint: {
          uuid: str(root.UUID),
          vendor: str(root.Vendor),
          product: str(root.Product),
          redfishVersion: str(root.RedfishVersion),
          manufacturer: main?.identity.manufacturer ?? str(root.Vendor),
          model: main?.identity.model,
          serialNumber: main?.identity.serialNumber,
        },
        systems: systems.map((m) => systemOf(m.uri, m.body)),
        chassis: chassisInfos,
        managers: managers.map((m) => managerOf(m.uri, m.body)),
        components: [],
        // Firmware is slow on many BMCs: `firmwareInventory` reads it on its own schedule.
        firmware: [],
        unmapped,
        raw,
      };
    },

    async state(ctx) {
      return Promise.all([...map.systems.values()].map(async (uri) => systemStateOf(uri, (await client.get(uri, { signal: ctx.signal })).body)));
    },

    async reset(ctx, target, type) {
      const body = (await client.get(uriOf(target), { signal: ctx.signal })).body;
      const name = target.kind === 'System' ? 'ComputerSystem.Reset' : `${target.kind}.Reset`;
      const action = actionOf(body, name);
      if (typeof action?.target !== 'string') throw new DriverError('NotSupported', `${target.kind} ${target.id} has no ${name} action`);
      const allowed = action['ResetType@Redfish.AllowableValues'];
      if (Array.isArray(allowed) && !allowed.includes(type)) throw new DriverError('NotSupported', `${target.kind} ${target.id} does not accept ResetType ${type}`);
      return jobFrom(await client.post(action.target, { ResetType: type }, { signal: ctx.signal }));
    },

    async track(ctx, job, onProgress): Promise<JobOutcome> {
      if (job.kind === 'done') return (job.outcome as JobOutcome | undefined) ?? { ok: true, messages: [] };
      if (job.kind === 'redfish-task' && typeof job.uri === 'string') {
        return client.waitTask(job.uri, { signal: ctx.signal, timeoutMs: TASK_TIMEOUT_MS, onProgress });
      }
      throw new DriverError('NotSupported', `contoso-example cannot follow a job of kind ${job.kind}`);
    },

    // The runtime owns the pooled Redfish session and logs it out; this session holds nothing else.
    async close() {},
  };

  // An optional capability: the method is attached only when the capability is claimed.
  const fwUri = map.firmwareInventory;
  if (fwUri && capabilities.has('firmware.inventory')) {
    session.firmwareInventory = async (ctx): Promise<FirmwareComponent[]> => {
      const coll = (await client.get(fwUri, { signal: ctx.signal, long: true })).body;
      const list = Array.isArray(coll.Members) ? (coll.Members as Payload[]) : [];
      const uris = list.map((m) => m?.['@odata.id']).filter((u): u is string => typeof u === 'string');
      return Promise.all(uris.map(async (u) => firmwareOf(u, (await client.get(u, { signal: ctx.signal, long: true })).body)));
    };
  }
  return session;
}
