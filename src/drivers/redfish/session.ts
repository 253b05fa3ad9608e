import {
  DriverError,
  type Capability,
  type CallContext,
  type DeviceSession,
  type DriverManifest,
  type JobHandle,
  type RedfishClient,
  type RedfishResponse,
  type ResourceRef,
  type SystemState,
} from '../api.js';
import { readFirmware, readInventory } from './crawl.js';
import { actionOf, at, idOf, link, Mapping } from './fields.js';
import { readLogs, type LogServiceRef } from './logs.js';
import { mapSystemState } from './maps.js';

/** What connect learns about the device: where things are and what it offers. */
export interface DeviceMap {
  systems: Map<string, string>;
  chassis: Map<string, string>;
  managers: Map<string, string>;
  pushUri?: string;
  simpleUpdate?: { target: string; protocols?: string[] };
  firmwareInventory?: string;
  logServices: LogServiceRef[];
  bootOverride: boolean;
}

/** The default job-wait ceiling: firmware updates on BMCs run for tens of minutes. */
const TRACK_TIMEOUT_MS = 2 * 60 * 60 * 1000;

type Member = { uri: string; body: Record<string, unknown>; allow: string | undefined };

async function membersOf(client: RedfishClient, uri: string | undefined, signal: AbortSignal): Promise<Member[]> {
  if (!uri) return [];
  const c = (await client.get(uri, { signal })).body;
  const list = Array.isArray(c?.Members) ? (c.Members as { '@odata.id'?: unknown }[]) : [];
  const out = await Promise.all(
    list
      .map((m) => m?.['@odata.id'])
      .filter((u): u is string => typeof u === 'string')
      .map(async (u) => {
        try {
          const res = await client.get(u, { signal });
          return { uri: u, body: res.body, allow: res.headers.allow };
        } catch (e) {
          if (e instanceof DriverError && e.code === 'Rejected') return undefined;
          throw e;
        }
      }),
  );
  return out.filter((x): x is Member => !!x && !!x.body && typeof x.body === 'object');
}

/** Reads what the session needs to route actions and decide capabilities: about a dozen requests, once. */
export async function mapDevice(client: RedfishClient, signal: AbortSignal): Promise<DeviceMap> {
  const root = (await client.get('/redfish/v1', { signal })).body;
  const [systems, chassis, managers] = await Promise.all([
    membersOf(client, link(root, 'Systems'), signal),
    membersOf(client, link(root, 'Chassis'), signal),
    membersOf(client, link(root, 'Managers'), signal),
  ]);
  // Only links are kept, not the root: the session lives as long as the device is managed, across a whole fleet.
  const map: DeviceMap = {
    systems: new Map(systems.map((s) => [idOf(s.body, s.uri), s.uri])),
    chassis: new Map(chassis.map((s) => [idOf(s.body, s.uri), s.uri])),
    managers: new Map(managers.map((s) => [idOf(s.body, s.uri), s.uri])),
    logServices: [],
    // A Boot object alone does not make it writable: trust the Allow header where the service sends one.
    bootOverride: systems.some((s) => at(s.body, 'Boot.BootSourceOverrideTarget') !== undefined && (s.allow === undefined || /\bPATCH\b/i.test(s.allow))),
  };
  const usUri = link(root, 'UpdateService');
  if (usUri) {
    try {
      const us = (await client.get(usUri, { signal })).body;
      if (us.ServiceEnabled !== false) {
        map.firmwareInventory = link(us, 'FirmwareInventory');
        if (typeof us.MultipartHttpPushUri === 'string') map.pushUri = us.MultipartHttpPushUri;
        const su = actionOf(us, 'UpdateService.SimpleUpdate');
        if (su && typeof su.target === 'string') {
          const p = su['TransferProtocol@Redfish.AllowableValues'];
          map.simpleUpdate = { target: su.target, protocols: Array.isArray(p) ? (p as string[]) : undefined };
        }
      }
    } catch (e) {
      if (!(e instanceof DriverError && e.code === 'Rejected')) throw e;
    }
  }
  const owners: [ResourceRef['kind'], Member[]][] = [['System', systems], ['Manager', managers]];
  for (const [kind, list] of owners) {
    for (const r of list) {
      for (const ls of await membersOf(client, link(r.body, 'LogServices'), signal).catch(() => [])) {
        const cdd = actionOf(ls.body, 'LogService.CollectDiagnosticData');
        const types = cdd?.['DiagnosticDataType@Redfish.AllowableValues'];
        map.logServices.push({
          uri: ls.uri,
          id: idOf(ls.body, ls.uri),
          owner: { kind, id: idOf(r.body, r.uri) },
          entries: link(ls.body, 'Entries'),
          diagnostics: typeof cdd?.target === 'string' ? { target: cdd.target, types: Array.isArray(types) ? (types as string[]) : undefined } : undefined,
        });
      }
    }
  }
  return map;
}

/** The capabilities the device showed, within what the manifest declares. */
export function capabilitiesOf(manifest: DriverManifest, map: DeviceMap): Set<Capability> {
  const shown: Capability[] = ['inventory', 'power', 'reset'];
  if (map.bootOverride) shown.push('boot.override');
  if (map.firmwareInventory) shown.push('firmware.inventory');
  if (map.pushUri) shown.push('firmware.push');
  if (map.simpleUpdate && (!map.simpleUpdate.protocols || map.simpleUpdate.protocols.some((p) => p === 'HTTP' || p === 'HTTPS'))) shown.push('firmware.pull');
  if (map.logServices.some((l) => l.entries)) shown.push('logs');
  if (map.logServices.some((l) => l.diagnostics)) shown.push('diagnostics');
  const declared = new Set(manifest.capabilities);
  return new Set(shown.filter((c) => declared.has(c)));
}

/** A 202 names its job by `Location` (a TaskMonitor) or by a Task in the body; anything else finished already. */
export function jobFrom(res: RedfishResponse): JobHandle {
  if (res.status === 202) {
    const taskId = (res.body as { '@odata.id'?: unknown })?.['@odata.id'];
    const uri = res.location ?? (typeof taskId === 'string' ? taskId : undefined);
    if (uri) return { kind: 'redfish-task', uri };
  }
  return { kind: 'done', outcome: { ok: true, messages: [] } };
}

/** The generic DMTF session: follows links found at connect, never vendor paths. */
export function redfishSession(manifest: DriverManifest, client: RedfishClient, map: DeviceMap): DeviceSession {
  const uriOf = (ref: ResourceRef): string => {
    const table = ref.kind === 'System' ? map.systems : ref.kind === 'Chassis' ? map.chassis : map.managers;
    const uri = table.get(ref.id);
    if (!uri) throw new DriverError('Rejected', `no ${ref.kind} ${ref.id} on this device`);
    return uri;
  };
  const action = async (ctx: CallContext, ref: ResourceRef, name: string): Promise<string> => {
    const body = (await client.get(uriOf(ref), { signal: ctx.signal })).body;
    const target = actionOf(body, name);
    if (typeof target?.target !== 'string') throw new DriverError('NotSupported', `${ref.kind} ${ref.id} has no ${name} action`);
    return target.target;
  };
  const capabilities = capabilitiesOf(manifest, map);
  const has = (c: Capability) => capabilities.has(c);

  const session: DeviceSession = {
    capabilities,
    async inventory(ctx) {
      return readInventory(client, ctx.signal);
    },
    async state(ctx): Promise<SystemState[]> {
      const m = new Mapping();
      return Promise.all([...map.systems.values()].map(async (uri) => mapSystemState(m, uri, (await client.get(uri, { signal: ctx.signal })).body)));
    },
    async reset(ctx, target, type) {
      const name = target.kind === 'System' ? 'ComputerSystem.Reset' : `${target.kind}.Reset`;
      return jobFrom(await client.post(await action(ctx, target, name), { ResetType: type }, { signal: ctx.signal }));
    },
    async track(ctx, job, onProgress) {
      if (job.kind === 'done') return (job.outcome as never) ?? { ok: true, messages: [] };
      if (job.kind !== 'redfish-task' || typeof job.uri !== 'string') throw new DriverError('NotSupported', `unknown job kind ${job.kind}`);
      return client.waitTask(job.uri, { signal: ctx.signal, timeoutMs: TRACK_TIMEOUT_MS, onProgress });
    },
    async close() {},
  };
  if (has('boot.override')) {
    session.setBootOverride = async (ctx, systemId, o) => {
      const uri = uriOf({ kind: 'System', id: systemId });
      const cur = await client.get(uri, { signal: ctx.signal });
      const Boot: Record<string, unknown> = {};
      if (o.target !== undefined) Boot.BootSourceOverrideTarget = o.target;
      if (o.enabled !== undefined) Boot.BootSourceOverrideEnabled = o.enabled;
      if (o.mode !== undefined) Boot.BootSourceOverrideMode = o.mode;
      await client.patch(uri, { Boot }, { signal: ctx.signal, ifMatch: cur.etag });
    };
  }
  if (has('firmware.inventory')) {
    session.firmwareInventory = async (ctx) => (await readFirmware(client, ctx.signal)).firmware;
  }
  const updateParams = (o: { targets?: string[]; applyTime: string }) => ({
    ...(o.targets?.length ? { Targets: o.targets.map((t) => (t.startsWith('/') ? t : `${map.firmwareInventory}/${t}`)) } : {}),
    '@Redfish.OperationApplyTime': o.applyTime,
  });
  if (has('firmware.push')) {
    session.pushUpdate = async (ctx, image, o) =>
      jobFrom(await client.postMultipart(map.pushUri!, [{ name: 'UpdateParameters', value: updateParams(o) }, { name: 'UpdateFile', value: image }], { signal: ctx.signal }));
  }
  if (has('firmware.pull')) {
    session.pullUpdate = async (ctx, imageUri, o) => {
      const proto = o.transferProtocol ?? /^([a-z]+):\/\//i.exec(imageUri)?.[1]?.toUpperCase();
      const body = { ImageURI: imageUri, ...(proto ? { TransferProtocol: proto } : {}), ...updateParams(o) };
      return jobFrom(await client.post(map.simpleUpdate!.target, body, { signal: ctx.signal }));
    };
  }
  if (has('logs')) {
    session.logs = (ctx, o) => readLogs(client, map.logServices, ctx.signal, o);
  }
  if (has('diagnostics')) {
    session.collectDiagnostics = async (ctx, req) => {
      const svc = map.logServices.find((l) => l.diagnostics && l.owner.kind === req.target.kind && l.owner.id === req.target.id && (!l.diagnostics.types || l.diagnostics.types.includes(req.type)));
      if (!svc?.diagnostics) throw new DriverError('NotSupported', `no log service on ${req.target.kind} ${req.target.id} collects ${req.type} data`);
      const body = { DiagnosticDataType: req.type, ...(req.oemType ? { OEMDiagnosticDataType: req.oemType } : {}) };
      return jobFrom(await client.post(svc.diagnostics.target, body, { signal: ctx.signal }));
    };
  }
  return session;
}
