import { DriverError, type ComponentInfo, type ComponentKind, type InventorySnapshot, type RedfishClient } from '../api.js';
import { at, f, link, links, Mapping, str } from './fields.js';
import { mapChassis, mapComponent, mapFirmware, mapManager, mapSystem } from './maps.js';

/** Bounds that keep a strange or hostile tree from costing unbounded requests. */
export const CRAWL_LIMITS = { resources: 3000, membersPerCollection: 512 };

/** Failures that mean the device, not one resource, is in trouble: the whole read fails. */
const DEVICE_LEVEL = new Set(['Unavailable', 'Timeout', 'AuthenticationFailed', 'Busy', 'Cancelled', 'TlsTrustFailed']);

/**
 * One read of a device's tree, following links only (never vendor paths). Each resource is fetched at most once;
 * a resource that cannot be read or parsed becomes a note and the crawl goes on.
 */
export class Crawl {
  readonly mapping = new Mapping();
  readonly raw: Record<string, unknown> = {};
  private fetched = 0;
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: RedfishClient,
    private readonly signal: AbortSignal,
    private readonly opts: { long?: boolean } = {},
  ) {}

  /** GETs a resource once per crawl. Returns undefined (with a note) when it cannot be used. */
  get(uri: string): Promise<Record<string, unknown> | undefined> {
    const key = uri.split('#')[0]!;
    let p = this.cache.get(key);
    if (!p) {
      p = this.fetch(key);
      this.cache.set(key, p);
    }
    return p as Promise<Record<string, unknown> | undefined>;
  }

  private async fetch(uri: string): Promise<Record<string, unknown> | undefined> {
    if (++this.fetched > CRAWL_LIMITS.resources) {
      if (this.fetched === CRAWL_LIMITS.resources + 1) this.mapping.note(uri, `stopped after ${CRAWL_LIMITS.resources} resources`);
      return undefined;
    }
    try {
      const res = await this.client.get(uri, { signal: this.signal, long: this.opts.long });
      const body = res.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        this.mapping.note(uri, 'not a JSON object');
        return undefined;
      }
      this.raw[uri] = body;
      return body as Record<string, unknown>;
    } catch (e) {
      if (e instanceof DriverError && DEVICE_LEVEL.has(e.code)) throw e;
      this.mapping.note(uri, e instanceof Error ? e.message : String(e));
      return undefined;
    }
  }

  /** Members of a collection, fetched (members given inline in full are used as they are). */
  async members(collectionUri: string | undefined): Promise<{ uri: string; body: Record<string, unknown> }[]> {
    if (!collectionUri) return [];
    const c = await this.get(collectionUri);
    if (!c) return [];
    const list = Array.isArray(c.Members) ? (c.Members as unknown[]) : [];
    if (!Array.isArray(c.Members)) this.mapping.note(collectionUri, 'collection without a Members array');
    if (list.length > CRAWL_LIMITS.membersPerCollection) this.mapping.note(collectionUri, `only the first ${CRAWL_LIMITS.membersPerCollection} of ${list.length} members read`);
    const out = await Promise.all(
      list.slice(0, CRAWL_LIMITS.membersPerCollection).map(async (m) => {
        const uri = m && typeof m === 'object' ? (m as Record<string, unknown>)['@odata.id'] : undefined;
        if (typeof uri !== 'string' || !uri.startsWith('/')) {
          this.mapping.note(collectionUri, `member without a usable @odata.id: ${JSON.stringify(m).slice(0, 80)}`);
          return undefined;
        }
        const inline = Object.keys(m as object).length > 2 ? (m as Record<string, unknown>) : undefined;
        const body = inline ?? (await this.get(uri));
        return body ? { uri, body } : undefined;
      }),
    );
    return out.filter((x): x is { uri: string; body: Record<string, unknown> } => !!x);
  }

  /** AllowableValues from an action's `@Redfish.ActionInfo`, when the device uses ActionInfo instead of annotations. */
  async actionInfoValues(payload: unknown, action: string, parameter: string): Promise<string[] | undefined> {
    const act = at(payload, 'Actions') as Record<string, Record<string, unknown>> | undefined;
    const info = act?.[`#${action}`]?.['@Redfish.ActionInfo'];
    if (typeof info !== 'string' || act?.[`#${action}`]?.[`${parameter}@Redfish.AllowableValues`]) return undefined;
    const body = await this.get(info);
    const params = Array.isArray(body?.Parameters) ? (body.Parameters as Record<string, unknown>[]) : [];
    const p = params.find((x) => x?.Name === parameter);
    return Array.isArray(p?.AllowableValues) ? (p.AllowableValues as string[]) : undefined;
  }
}

/** Metrics properties carried per kind: the usage figures capability accounting needs, nothing more. */
const METRICS: Partial<Record<ComponentKind, readonly string[]>> = {
  Processor: ['BandwidthPercent', 'KernelPercent', 'UserPercent'],
  Memory: ['CapacityUtilizationPercent', 'BandwidthPercent'],
};
const PORT_PROPERTIES = ['PortId', 'PortProtocol', 'MaxSpeedGbps', 'CurrentSpeedGbps', 'LinkStatus'];

/**
 * The usage and limits a component links to rather than embeds: a Processor's or Memory's `Metrics`, a
 * NetworkAdapter's `Ports`. They are read with the inventory because "consumed against remaining" needs them beside
 * the totals; a missing or unreadable one is simply absent (the crawl notes why).
 */
async function readUsage(crawl: Crawl, c: ComponentInfo, body: Record<string, unknown>): Promise<void> {
  const names = METRICS[c.kind];
  const metricsUri = names ? link(body, 'Metrics') : undefined;
  if (names && metricsUri) {
    const mb = await crawl.get(metricsUri);
    const picked = mb ? crawl.mapping.pick(metricsUri, mb, names) : {};
    if (Object.keys(picked).length) c.metrics = picked;
  }
  if (c.kind === 'NetworkAdapter') {
    const ports = await crawl.members(link(body, 'Ports'));
    if (ports.length) c.ports = ports.map((p) => crawl.mapping.pick(p.uri, p.body, PORT_PROPERTIES));
  }
}

/** Reads the whole tree into a snapshot. Firmware is left to `readFirmware` (it can take minutes on some BMCs). */
export async function readInventory(client: RedfishClient, signal: AbortSignal): Promise<InventorySnapshot> {
  const crawl = new Crawl(client, signal);
  const m = crawl.mapping;
  const root = await crawl.get('/redfish/v1');
  if (!root) throw new DriverError('BadResponse', 'the service root is unusable', {});
  const components: ComponentInfo[] = [];
  const child = async (kind: ComponentKind, uris: (string | undefined)[], parent: ComponentInfo['parent']) => {
    const found: { uri: string; body: Record<string, unknown> }[] = [];
    for (const u of uris) found.push(...(await crawl.members(u)));
    const made = found.map((x) => {
      const c = mapComponent(m, kind, x.uri, x.body, parent);
      components.push(c);
      m.reportLeftovers(x.uri, x.body);
      return { c, body: x.body };
    });
    await Promise.all(made.map(({ c, body }) => readUsage(crawl, c, body)));
    return found;
  };

  const [systems, chassis, managers] = await Promise.all([
    crawl.members(link(root, 'Systems')),
    crawl.members(link(root, 'Chassis')),
    crawl.members(link(root, 'Managers')),
  ]);
  const sysInfos = await Promise.all(
    systems.map(async ({ uri, body }) => {
      const info = mapSystem(m, uri, body, await crawl.actionInfoValues(body, 'ComputerSystem.Reset', 'ResetType'));
      const parent = { kind: 'System' as const, id: info.id };
      const procs = await child('Processor', [link(body, 'Processors')], parent);
      for (const p of procs) await child('AccelerationFunction', [link(p.body, 'AccelerationFunctions')], { kind: 'Processor', id: String(p.body.Id ?? p.uri) });
      await child('Memory', [link(body, 'Memory')], parent);
      const storage = await child('Storage', [link(body, 'Storage')], parent);
      for (const s of storage) {
        const drives = await Promise.all(links(s.body, 'Drives').map(async (d) => ({ uri: d, body: await crawl.get(d) })));
        for (const d of drives) if (d.body) components.push(mapComponent(m, 'Drive', d.uri, d.body, { kind: 'Storage', id: String(s.body.Id ?? s.uri) }));
      }
      // Older schemas list PCIe devices on the system; newer ones on the chassis.
      for (const d of links(body, 'PCIeDevices')) {
        const b = await crawl.get(d);
        if (b) components.push(mapComponent(m, 'PCIeDevice', d, b, parent));
      }
      m.use(uri, 'PCIeDevices');
      m.reportLeftovers(uri, body);
      return info;
    }),
  );
  const chassisInfos = await Promise.all(
    chassis.map(async ({ uri, body }) => {
      const info = mapChassis(m, uri, body, await crawl.actionInfoValues(body, 'Chassis.Reset', 'ResetType'));
      const parent = { kind: 'Chassis' as const, id: info.id };
      const adapters = await child('NetworkAdapter', [link(body, 'NetworkAdapters')], parent);
      for (const a of adapters) await child('NetworkDeviceFunction', [link(a.body, 'NetworkDeviceFunctions')], { kind: 'NetworkAdapter', id: String(a.body.Id ?? a.uri) });
      const known = new Set(components.filter((c) => c.kind === 'PCIeDevice').map((c) => c.source));
      const pcie = await crawl.members(link(body, 'PCIeDevices'));
      for (const d of pcie) if (!known.has(d.uri)) components.push(mapComponent(m, 'PCIeDevice', d.uri, d.body, parent));
      await child('Sensor', [link(body, 'Sensors')], parent);
      m.reportLeftovers(uri, body);
      return info;
    }),
  );
  const managerInfos = await Promise.all(
    managers.map(async ({ uri, body }) => {
      const info = mapManager(m, uri, body, await crawl.actionInfoValues(body, 'Manager.Reset', 'ResetType'));
      m.reportLeftovers(uri, body);
      return info;
    }),
  );
  const r = m.apply('/redfish/v1', root, {
    uuid: f('UUID', str),
    vendor: f('Vendor', str),
    product: f('Product', str),
    redfishVersion: f('RedfishVersion', str),
  });
  const mainChassis = chassisInfos.find((c) => c.identity.serialNumber && !c.containedBy) ?? chassisInfos.find((c) => c.identity.serialNumber);
  return {
    takenAt: Date.now(),
    endpoint: { ...r, manufacturer: mainChassis?.identity.manufacturer ?? r.vendor, serialNumber: mainChassis?.identity.serialNumber, model: mainChassis?.identity.model, partNumber: mainChassis?.identity.partNumber },
    systems: sysInfos,
    chassis: chassisInfos,
    managers: managerInfos,
    components,
    firmware: [],
    unmapped: m.notes,
    raw: crawl.raw,
  };
}

/** FirmwareInventory and SoftwareInventory under UpdateService, with the long timeout. */
export async function readFirmware(client: RedfishClient, signal: AbortSignal): Promise<{ firmware: ReturnType<typeof mapFirmware>[]; notes: Mapping['notes'] }> {
  const crawl = new Crawl(client, signal, { long: true });
  const root = await crawl.get('/redfish/v1');
  const us = await crawl.get(link(root, 'UpdateService') ?? '/redfish/v1/UpdateService');
  const out: ReturnType<typeof mapFirmware>[] = [];
  for (const [coll, role] of [['FirmwareInventory', undefined], ['SoftwareInventory', 'Software']] as const) {
    for (const x of await crawl.members(link(us, coll))) {
      const fw = mapFirmware(crawl.mapping, x.uri, x.body);
      out.push(role ? { ...fw, componentRole: role } : fw);
    }
  }
  return { firmware: out, notes: crawl.mapping.notes };
}
