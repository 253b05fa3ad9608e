/**
 * The inventory service's own logic, with real snapshots but no polling: an openbmc host carrying one BlueField-3 is
 * read once through the real drivers, then the service is fed those snapshots in every order, paired, unpaired,
 * removed and restarted, over the in-memory store adapters. What it stores must not depend on the order the two
 * devices were read in, and what it journals must follow `change-events.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../mock-hardware/src/index.js';
import type { InventorySnapshot, SystemState } from '../../src/drivers/api.js';
import { bluefieldDriver, openbmcDriver } from '../../src/drivers/index.js';
import { DriverRuntime } from '../../src/drivers/runtime/index.js';
import { MemoryResourceStore } from '../../src/inventory/memory-resource-store.js';
import { InventoryService, type InventoryEndpoint } from '../../src/inventory/service.js';
import { MemorySnapshotStore } from '../../src/inventory/snapshot-store.js';
import type { DiscoveredDevice } from '../../src/model/discovery.js';

const HOST = 'hosta7';
const DPU = 'dpuab7';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

let fleet: Fleet;
let hostSnap: InventorySnapshot;
let dpuSnap: InventorySnapshot;
let slot: string;

beforeAll(async () => {
  fleet = await startFleet({ seed: 'svc-linking', timeScale: 0, baseAddress: `127.175.${(process.pid % 200) + 1}.1`, devices: [{ persona: 'openbmc-host', count: 1, dpusPerHost: 1 }] });
  const runtime = new DriverRuntime({ log: silent, guard: { timeoutMs: 15_000 } });
  try {
    for (const d of fleet.devices) {
      const credentials = { kind: 'basic' as const, username: d.credentials.user, password: d.credentials.password };
      const dev = runtime.add({ id: d.id, protocol: 'redfish', host: d.address, port: d.port, credentials, tls: { mode: 'insecure' } }, d.persona === 'bluefield3' ? bluefieldDriver : openbmcDriver);
      const snap = await dev.call('inventory', []);
      if (snap.firmware.length === 0 && dev.supports('firmware.inventory')) snap.firmware = await dev.call('firmwareInventory', []);
      if (d.persona === 'bluefield3') dpuSnap = snap;
      else hostSnap = snap;
    }
  } finally {
    await runtime.close();
  }
  const serials = new Set(dpuSnap.chassis.map((c) => c.identity.serialNumber).filter(Boolean));
  slot = hostSnap.components.find((c) => c.isDpu && serials.has(c.identity.serialNumber))!.id;
}, 60_000);
afterAll(() => fleet?.stop());

/** A discovery directory with the two devices, which tests re-pair by committing changed records. */
function directory() {
  const devices = new Map<string, DiscoveredDevice>();
  const watchers = new Set<(id: string) => void>();
  const base = (id: string): DiscoveredDevice => ({ id, state: 'Registered', protocol: 'redfish', host: id, identity: {}, sources: {}, alternates: [], carried: [], reachable: true, revision: 1, firstSeen: 0, lastSeen: 0, updatedAt: 0 });
  devices.set(HOST, base(HOST));
  devices.set(DPU, { ...base(DPU), parentId: HOST, slot });
  return {
    get: (id: string) => devices.get(id),
    list: () => [...devices.values()],
    watch: (l: (id: string) => void) => (watchers.add(l), () => watchers.delete(l)),
    commit(d: DiscoveredDevice) {
      devices.set(d.id, d);
      for (const w of watchers) w(d.id);
    },
  };
}

const endpoint: InventoryEndpoint = {
  call: () => new Promise(() => {}),
  supports: () => false,
  availability: 'Enabled',
  driver: { manifest: { polling: { stateSeconds: 3600, inventorySeconds: 3600, firmwareSeconds: 3600 } } },
};

function setup(stores = { resources: new MemoryResourceStore(), snapshots: new MemorySnapshotStore() }, dir = directory()) {
  const events: { id: string; origin: string }[] = [];
  const svc = new InventoryService({
    ...stores,
    journal: { resourceEvent: (id, origin) => events.push({ id, origin }) },
    transaction: (fn) => fn(),
    devices: dir,
    endpoints: { get: () => endpoint },
    pool: { startSpreadMs: 1e9 },
    now: () => 1000,
    log: silent,
  });
  svc.start();
  return { svc, events, dir, ...stores };
}

/** Every stored document, by URI. */
function tree(s: MemoryResourceStore): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const coll of ['/redfish/v1/Systems', '/redfish/v1/Chassis', '/redfish/v1/Managers', '/redfish/v1/UpdateService/FirmwareInventory']) {
    for (const d of s.memberDocs(coll).docs) out[d.uri] = d.body;
  }
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === '@odata.id' && typeof x === 'string' && !(x in out)) {
        const d = s.get(x);
        if (d) {
          out[x] = d.body;
          walk(d.body);
        }
      } else walk(x);
    }
  };
  walk(Object.values(out));
  return out;
}

const dpuSystem = (s: MemoryResourceStore) => s.memberDocs('/redfish/v1/Systems').docs.find((d) => d.deviceId === DPU)!.body as Record<string, any>;
const hostChassis = (s: MemoryResourceStore) => s.memberDocs('/redfish/v1/Chassis').docs.find((d) => d.deviceId === HOST && (d.body as any).ChassisType !== 'Card')!.body as Record<string, any>;

describe('InventoryService', () => {
  it('stores the same linked tree whichever of host and DPU is read first', async () => {
    const a = setup();
    await a.svc.onInventory(HOST, hostSnap, 1);
    await a.svc.onInventory(DPU, dpuSnap, 2);
    const b = setup();
    await b.svc.onInventory(DPU, dpuSnap, 1);
    await b.svc.onInventory(HOST, hostSnap, 2);
    expect(tree(b.resources)).toEqual(tree(a.resources));
    expect(dpuSystem(a.resources).SystemType).toBe('DPU');
    const fns = (dpuSystem(a.resources).Links.OffloadedNetworkDeviceFunctions as { '@odata.id': string }[]).map((l) => l['@odata.id']);
    expect(fns.some((u) => u.startsWith(`/redfish/v1/Chassis/${HOST}_`))).toBe(true);
    expect(hostChassis(a.resources).Links.Contains).toHaveLength(1);
    await a.svc.stop();
    await b.svc.stop();
  });

  it('unlinks both sides when the pairing goes, and links them again when it comes back', async () => {
    const t = setup();
    await t.svc.onInventory(HOST, hostSnap, 1);
    await t.svc.onInventory(DPU, dpuSnap, 2);
    const paired = tree(t.resources);
    const { parentId: _p, slot: _s, ...unpaired } = t.dir.get(DPU)!;
    t.dir.commit(unpaired);
    expect(hostChassis(t.resources).Links?.Contains).toBeUndefined();
    const fns = (dpuSystem(t.resources).Links?.OffloadedNetworkDeviceFunctions ?? []) as { '@odata.id': string }[];
    expect(fns.some((l) => l['@odata.id'].startsWith(`/redfish/v1/Chassis/${HOST}_`))).toBe(false);
    t.dir.commit({ ...unpaired, parentId: HOST, slot });
    expect(tree(t.resources)).toEqual(paired);
    await t.svc.stop();
  });

  it('journals top-level resources once on first read and on removal, and each real change between', async () => {
    const t = setup();
    await t.svc.onInventory(HOST, hostSnap, 1);
    const created = t.events.filter((e) => e.id === 'ResourceCreated').map((e) => e.origin);
    expect(created.length).toBeGreaterThan(0);
    expect(created.every((u) => /^\/redfish\/v1\/(Systems|Chassis|Managers)\/[^/]+$/.test(u))).toBe(true);

    t.events.length = 0;
    await t.svc.onInventory(HOST, hostSnap, 2);
    expect(t.events).toEqual([]); // nothing changed

    const sys = hostSnap.systems[0]!;
    const off: SystemState[] = [{ id: sys.id, powerState: 'Off' }];
    await t.svc.onState(HOST, off, 3);
    const sysUri = `/redfish/v1/Systems/${HOST}_${sys.id}`;
    expect(t.events).toEqual([{ id: 'ResourceChanged', origin: sysUri }]);
    expect(t.resources.get(sysUri)!.body.PowerState).toBe('Off');
    const etag = t.resources.get(sysUri)!.etag;
    await t.svc.onState(HOST, off, 4);
    expect(t.events).toHaveLength(1);
    expect(t.resources.get(sysUri)!.etag).toBe(etag);

    t.events.length = 0;
    t.dir.commit({ ...t.dir.get(HOST)!, state: 'Removed' });
    expect(t.resources.members('/redfish/v1/Systems').total).toBe(0);
    expect(t.events.length).toBeGreaterThan(0);
    expect(t.events.every((e) => e.id === 'ResourceRemoved' && /^\/redfish\/v1\/(Systems|Chassis|Managers)\/[^/]+$/.test(e.origin))).toBe(true);
    await t.svc.stop();
  });

  it('stores a change of usage but journals only a change of capability', async () => {
    const t = setup();
    await t.svc.onInventory(HOST, hostSnap, 1);
    const sysUri = `/redfish/v1/Systems/${HOST}_${hostSnap.systems[0]!.id}`;
    const caps = () => (t.resources.get(sysUri)!.body.Oem as any).Shoal.Capabilities;
    expect(caps().Cores.Consumed).toBeTypeOf('number');
    t.events.length = 0;
    const before = t.resources.get(sysUri)!.etag;
    const busier = structuredClone(hostSnap);
    for (const c of busier.components) if (c.kind === 'Processor' && c.metrics) c.metrics = { ...c.metrics, BandwidthPercent: 99 };
    await t.svc.onInventory(HOST, busier, 2);
    expect(t.resources.get(sysUri)!.etag).not.toBe(before); // stored: a client reading it sees the new figures
    expect(caps().Cores.Consumed).toBeCloseTo(caps().Cores.Total * 0.99, 5);
    expect(t.events.filter((e) => e.origin === sysUri)).toEqual([]);
    // One processor gone: fewer cores is a change of what the system can do.
    const fewer = structuredClone(busier);
    const cpu = fewer.components.findIndex((c) => c.kind === 'Processor' && c.parent.kind === 'System');
    fewer.components.splice(cpu, 1);
    await t.svc.onInventory(HOST, fewer, 3);
    expect(t.events).toContainEqual({ id: 'ResourceChanged', origin: sysUri });
    await t.svc.stop();
  });

  it('shows a failing device in Status.Conditions once, and clears it on the next good read', async () => {
    const t = setup();
    await t.svc.onInventory(DPU, dpuSnap, 1);
    const uri = dpuSystem(t.resources)['@odata.id'] as string;
    await t.svc.onError(DPU, 'state', { code: 'Timeout', message: 'no answer' }, 5000);
    const cond = t.resources.get(uri)!.body.Status as Record<string, any>;
    expect(cond.Conditions).toEqual([expect.objectContaining({ MessageId: 'Base.1.22.OperationTimeout', OriginOfCondition: { '@odata.id': `/redfish/v1/AggregationService/AggregationSources/${DPU}` } })]);
    const etag = t.resources.get(uri)!.etag;
    await t.svc.onError(DPU, 'state', { code: 'Timeout', message: 'still nothing' }, 9000);
    expect(t.resources.get(uri)!.etag).toBe(etag); // the first failure's time stays
    await t.svc.onState(DPU, [], 10_000);
    expect((t.resources.get(uri)!.body.Status as Record<string, any>)?.Conditions).toBeUndefined();
    await t.svc.stop();
  });

  it('after a restart, links a newly read DPU to its host from the stored host snapshot, without reading the host', async () => {
    const stores = { resources: new MemoryResourceStore(), snapshots: new MemorySnapshotStore() };
    const first = setup(stores);
    await first.svc.onInventory(HOST, hostSnap, 1);
    await first.svc.onInventory(DPU, dpuSnap, 2);
    const before = tree(stores.resources);
    await first.svc.stop();

    const again = setup(stores);
    await again.svc.onInventory(DPU, dpuSnap, 3);
    expect(tree(stores.resources)).toEqual(before);
    await again.svc.stop();
  });

  it("takes discovery's identify read as a device's first inventory, and tops it up rather than crawl again", async () => {
    const calls: string[] = [];
    // A driver that reads firmware in a call of its own, as the Redfish ones do: identify's read has none.
    const split: InventoryEndpoint = {
      ...endpoint,
      supports: (cap) => cap === 'firmware.inventory',
      call: async (method) => {
        calls.push(method);
        if (method === 'firmwareInventory') return dpuSnap.firmware;
        if (method === 'inventory') return { ...dpuSnap, firmware: [] };
        return [];
      },
    };
    const resources = new MemoryResourceStore();
    const svc = new InventoryService({
      resources,
      snapshots: new MemorySnapshotStore(),
      journal: { resourceEvent: () => {} },
      transaction: (fn) => fn(),
      devices: directory(),
      endpoints: { get: () => split },
      pool: { startSpreadMs: 1e9 },
      log: silent,
    });
    svc.start();
    expect(svc.seed(DPU, { ...dpuSnap, firmware: [] }, 1)).toBe(true);
    // Shown at once, without a poll: the system, and no firmware yet.
    expect(dpuSystem(resources).SystemType).toBe('DPU');
    expect(resources.memberDocs('/redfish/v1/UpdateService/FirmwareInventory').docs).toHaveLength(0);
    // The first poll, already under way, reads only what identify did not.
    expect(svc.pool.get(DPU)!.status().running).toBe('inventory');
    expect(await svc.pool.get(DPU)!.pollNow('inventory')).toMatchObject({ ok: true });
    expect(calls).toEqual(['firmwareInventory']);
    expect(resources.memberDocs('/redfish/v1/UpdateService/FirmwareInventory').docs.length).toBe(dpuSnap.firmware.length);
    // Every later one is a whole read again, and a device with an inventory is not seeded twice.
    expect(svc.seed(DPU, dpuSnap, 2)).toBe(false);
    await svc.pool.get(DPU)!.pollNow('inventory');
    expect(calls).toEqual(['firmwareInventory', 'inventory', 'firmwareInventory']);
    expect(svc.seed('unknown', dpuSnap, 2)).toBe(false);
    await svc.stop();
  });
});
