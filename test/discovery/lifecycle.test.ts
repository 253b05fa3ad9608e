/**
 * The discovery service's rules, with a scripted network: correlation across sources and restarts, approval,
 * offline and tombstone by the clock, address reuse and merging. Probes, drivers and devices are stand-ins here; the
 * real ones are exercised against the simulator in aggregation.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { resolveDiscovery } from '../../src/config/discovery-config.js';
import type { DriverManifest } from '../../src/drivers/api.js';
import { Journal } from '../../src/events/journal.js';
import { DiscoveryService, visible } from '../../src/discovery/index.js';
import type { RedfishProber } from '../../src/discovery/service.js';
import type { Sighting } from '../../src/model/discovery.js';
import type { InventorySnapshot } from '../../src/model/inventory.js';
import { openStore, type Store } from '../../src/store/index.js';

const manifest = (id: string, protocol: 'redfish' | 'ipmi'): DriverManifest => ({
  id,
  name: id,
  apiVersion: '^1.0.0',
  protocol,
  match: {},
  capabilities: ['inventory', 'power', 'reset'],
  polling: { stateSeconds: 10, inventorySeconds: 60, firmwareSeconds: 600 },
});
const REDFISH = manifest('redfish', 'redfish');
const IPMI = manifest('ipmi', 'ipmi');

const silent = { debug() {}, info() {}, warn() {} };
/** A device's first inventory: its own serial, and a DPU card in `slotN` for each serial in `cards`. */
const snap = (serial: string, cards: string[] = []): InventorySnapshot => ({
  takenAt: 0,
  endpoint: { serialNumber: serial },
  systems: [],
  chassis: [],
  managers: [],
  components: cards.map((c, i) => ({ kind: 'PCIeDevice', id: `slot${i + 1}`, parent: { kind: 'Chassis', id: '1' }, identity: { serialNumber: c }, properties: {}, isDpu: true })),
  firmware: [],
  unmapped: [],
  raw: {},
});

/** A scripted world: which addresses answer with which UUID and serial, and a clock. */
function world(store: Store = openStore(':memory:'), config: Record<string, unknown> = {}) {
  const roots = new Map<string, { uuid: string; serial: string; cards?: string[] }>();
  const up = new Set<string>();
  /** Hosts whose next probe times out, once each. */
  const slow = new Set<string>();
  let probes = 0;
  const added: string[] = [];
  let now = 1_000_000;
  let emit: Sighting[] = [];
  const probe: RedfishProber = async (t) => {
    probes++;
    if (slow.delete(t.host)) return { ok: false, reason: 'timeout' };
    const r = roots.get(`${t.host}:${t.port}`);
    return r && up.has(t.host) ? { ok: true, url: `https://${t.host}:${t.port}/redfish/v1`, serviceRoot: { UUID: r.uuid, RedfishVersion: '1.17.0' } } : { ok: false, reason: 'refused' };
  };
  const endpoints = {
    creds: new Map<string, unknown>(),
    add(e: { id: string; host: string; port?: number; credentials: unknown }) {
      added.push(e.id);
      this.creds.set(e.id, e.credentials);
      return {};
    },
    get(id: string) {
      const svc = state.svc;
      const d = svc.directory.get(id);
      return {
        call: async (m: 'inventory' | 'state') => {
          if (!d || !up.has(d.host)) throw Object.assign(new Error('refused'), { code: 'Unavailable' });
          const r = roots.get(`${d.host}:${d.port}`);
          return m === 'inventory' ? snap(r?.serial ?? 'none', r?.cards) : { systems: [] };
        },
      };
    },
    credentialsOf(id: string) {
      return this.creds.get(id) as never;
    },
    async unload() {},
    load: () => true,
    async remove(id: string) {
      return this.creds.delete(id);
    },
  };
  const cfg = resolveDiscovery({ redfishPorts: [443], credentials: [{ username: 'u', password: 'p' }], offlineAfterSeconds: 60, tombstoneAfterSeconds: 3600, ...config });
  const state = {
    svc: undefined as unknown as DiscoveryService,
  };
  /** What the inventory side was handed: each identify read, and the device's state at that moment. */
  const identified: { id: string; serial: string | undefined; state: string | undefined }[] = [];
  let failHook = false;
  state.svc = new DiscoveryService({
    config: cfg,
    store,
    journal: new Journal(store.events, () => now),
    drivers: { match: async (c) => [{ driver: { manifest: c.protocol === 'ipmi' ? IPMI : REDFISH } }], get: (id) => ({ manifest: id === 'ipmi' ? IPMI : REDFISH }) },
    endpoints,
    probe,
    tls: { mode: 'insecure' },
    sources: () => [{ name: 'static', scan: async (ctx) => emit.forEach((s) => ctx.emit(s)) }],
    log: silent,
    now: () => now,
    onIdentified: (id, snapshot) => {
      if (failHook) throw new Error('inventory is down');
      identified.push({ id, serial: snapshot.endpoint.serialNumber, state: state.svc.directory.get(id)?.state });
    },
  });
  return {
    svc: state.svc,
    identified,
    failHook: (v: boolean) => (failHook = v),
    store,
    added,
    device(host: string, uuid: string, serial: string, cards?: string[]) {
      roots.set(`${host}:443`, { uuid, serial, ...(cards ? { cards } : {}) });
      up.add(host);
    },
    slowOnce: (host: string) => slow.add(host),
    probes: () => probes,
    down: (host: string) => up.delete(host),
    up: (host: string) => up.add(host),
    tick: (ms: number) => (now += ms),
    sweep: (s: Sighting[]) => {
      emit = s;
      return state.svc.sweep({});
    },
    events: () => store.events.list({ limit: 1000 }).map((e) => e.messageId.split('.').pop()),
  };
}

const at = 0;
const ssdp = (host: string, uuid: string): Sighting => ({ source: 'ssdp', at, protocol: 'redfish', host, port: 443, serviceRootUrl: `https://${host}:443/redfish/v1`, keys: { uuid }, hints: {} });
const lldp = (host: string, mac: string): Sighting => ({ source: 'lldp', at, protocol: 'redfish', host, keys: { macs: [mac] }, hints: {} });
const cidr = (host: string): Sighting => ({ source: 'cidr', at, protocol: 'redfish', host, port: 443, keys: {}, hints: {} });

const UUID_A = '11111111-2222-3333-4444-555555555555';
const UUID_B = '66666666-7777-8888-9999-aaaaaaaaaaaa';

describe('discovery rules', () => {
  it('merges LLDP, SSDP and CIDR sightings of one device into one identity, across a restart', async () => {
    const store = openStore(':memory:');
    const w = world(store);
    w.device('10.0.0.5', UUID_A, 'SER-A');
    await w.sweep([lldp('10.0.0.5', '02:00:00:00:00:0A'), ssdp('10.0.0.5', UUID_A.toUpperCase()), cidr('10.0.0.5')]);
    const list = w.svc.directory.list();
    expect(list).toHaveLength(1);
    const d = list[0]!;
    expect(Object.keys(d.sources).sort()).toEqual(['cidr', 'lldp', 'ssdp']);
    expect(d.identity).toMatchObject({ uuid: UUID_A, macs: ['02:00:00:00:00:0a'], serials: ['SER-A'] });
    expect(d.state).toBe('Registered');

    // A new service on the same store: the same sightings resolve to the same id, nothing new is created.
    const w2 = world(store);
    w2.device('10.0.0.5', UUID_A, 'SER-A');
    const r = await w2.sweep([ssdp('10.0.0.5', UUID_A), lldp('10.0.0.5', '02:00:00:00:00:0a')]);
    expect(r.created).toEqual([]);
    expect(w2.svc.directory.list().map((x) => x.id)).toEqual([d.id]);
  });

  it('hands each identify read on once the device is registered, and registers it even when the hand-over fails', async () => {
    const w = world();
    w.device('10.0.0.5', UUID_A, 'SER-A');
    w.device('10.0.0.6', UUID_B, 'SER-B');
    w.down('10.0.0.6');
    await w.sweep([ssdp('10.0.0.5', UUID_A), ssdp('10.0.0.6', UUID_B)]);
    const a = w.svc.directory.list().find((d) => d.host === '10.0.0.5')!;
    expect(w.identified).toEqual([{ id: a.id, serial: 'SER-A', state: 'Registered' }]);
    w.failHook(true);
    w.device('10.0.0.7', '77777777-2222-3333-4444-555555555555', 'SER-C');
    await w.sweep([ssdp('10.0.0.7', '77777777-2222-3333-4444-555555555555')]);
    expect(w.svc.directory.list().find((d) => d.host === '10.0.0.7')?.state).toBe('Registered');
    expect(w.identified).toHaveLength(1);
  });

  it('waits for approval when the policy says so, and registers on approval', async () => {
    const w = world(undefined, { registration: 'approval' });
    w.device('10.0.0.6', UUID_A, 'SER-A');
    await w.sweep([cidr('10.0.0.6')]);
    const d = w.svc.directory.list()[0]!;
    expect(d.state).toBe('PendingApproval');
    expect(w.added).toEqual([]);
    w.svc.update(d.id, { approve: true });
    await w.svc.ingest.settled();
    expect(w.svc.directory.get(d.id)!.state).toBe('Registered');
    expect(w.added).toEqual([d.id]);
  });

  it('asks for credentials when policy has none', async () => {
    const w = world(undefined, { credentials: [] });
    w.device('10.0.0.7', UUID_A, 'SER-A');
    await w.sweep([cidr('10.0.0.7')]);
    const d = w.svc.directory.list()[0]!;
    expect(d.state).toBe('CredentialsRequired');
    expect(d.problem).toMatch(/no credentials/);
  });

  it('marks a silent device UnavailableOffline after the offline time, tombstones it later, and revives it with the same id', async () => {
    const w = world();
    w.device('10.0.0.8', UUID_A, 'SER-A');
    await w.sweep([ssdp('10.0.0.8', UUID_A)]);
    const id = w.svc.directory.list()[0]!.id;
    w.tick(30_000);
    await w.svc.reap();
    expect(w.svc.directory.get(id)!.reachable).toBe(true); // not quiet long enough to be asked

    w.tick(40_000);
    await w.svc.reap(); // quiet for 70 s but it answers: still there, and seen now
    expect(w.svc.directory.get(id)!.reachable).toBe(true);

    w.down('10.0.0.8');
    w.tick(61_000);
    await w.svc.reap();
    const off = w.svc.directory.get(id)!;
    expect(off.reachable).toBe(false);
    expect(off.offlineSince).toBeDefined();
    expect(visible(off)).toBe(true);
    expect(w.events()).toContain('ResourceStateChanged');

    w.tick(3_600_000);
    await w.svc.reap();
    expect(w.svc.directory.get(id)!.state).toBe('Tombstoned');
    expect(w.events().at(-1)).toBe('ResourceRemoved');

    w.up('10.0.0.8');
    const r = await w.sweep([ssdp('10.0.0.8', UUID_A)]);
    expect(r.created).toEqual([]);
    const back = w.svc.directory.get(id)!;
    expect(visible(back)).toBe(true);
    expect(back.reachable).toBe(true);
  });

  it('gives an address to the new device that answers there, keeping the old identity apart', async () => {
    const w = world();
    w.device('10.0.0.9', UUID_A, 'SER-A');
    await w.sweep([cidr('10.0.0.9')]);
    w.device('10.0.0.9', UUID_B, 'SER-B'); // the board was swapped; DHCP gave the new one the same address
    await w.sweep([cidr('10.0.0.9')]);
    const all = w.svc.directory.list();
    expect(all).toHaveLength(2);
    expect(all.map((d) => d.identity.uuid).sort()).toEqual([UUID_A, UUID_B]);
    expect(w.svc.directory.owner({ kind: 'addr', value: 'redfish|10.0.0.9|443' })).toBe(all.find((d) => d.identity.uuid === UUID_B)!.id);
  });

  it('adds an IPMI way in to the Redfish device at the same host as an alternate', async () => {
    const w = world();
    w.device('10.0.1.1', UUID_A, 'SER-A');
    w.down('10.0.1.1');
    await w.sweep([lldp('10.0.1.1', '02:00:00:00:00:01')]); // unreachable: nothing to register yet
    expect(w.svc.directory.list()).toHaveLength(0);
    w.up('10.0.1.1');
    await w.sweep([ssdp('10.0.1.1', UUID_A)]);
    await w.sweep([{ ...lldp('10.0.1.1', '02:00:00:00:00:01'), keys: { macs: ['02:00:00:00:00:01'], uuid: UUID_A } }]);
    await w.sweep([{ source: 'cidr', at, protocol: 'ipmi', host: '10.0.1.1', port: 623, keys: {}, hints: { ipmi: { rmcp: true } } }]);
    const all = w.svc.directory.list();
    expect(all).toHaveLength(1);
    expect(all[0]!.protocol).toBe('redfish');
    expect(all[0]!.alternates).toEqual([{ protocol: 'ipmi', host: '10.0.1.1', port: 623 }]);
    expect(all[0]!.identity.macs).toEqual(['02:00:00:00:00:01']);
  });

  it('merges two records that one sighting shows to be one device, into the older', async () => {
    const w = world();
    w.device('10.0.2.2', UUID_B, 'SER-B');
    await w.sweep([{ source: 'cidr', at, protocol: 'ipmi', host: '10.0.2.1', port: 623, keys: { macs: ['02:00:00:00:00:21'] }, hints: { ipmi: { rmcp: true } } }]);
    w.tick(1000);
    await w.sweep([ssdp('10.0.2.2', UUID_B)]);
    expect(w.svc.directory.list()).toHaveLength(2);
    const older = w.svc.directory.list().find((d) => d.protocol === 'ipmi')!.id;
    await w.sweep([{ ...ssdp('10.0.2.2', UUID_B), source: 'lldp', keys: { uuid: UUID_B, macs: ['02:00:00:00:00:21'] } }]);
    const all = w.svc.directory.list();
    expect(all.map((d) => d.id)).toEqual([older]);
    expect(all[0]!).toMatchObject({ protocol: 'redfish', host: '10.0.2.2', alternates: [{ protocol: 'ipmi', host: '10.0.2.1', port: 623 }] });
    expect(all[0]!.identity).toMatchObject({ uuid: UUID_B, macs: ['02:00:00:00:00:21'] });
    expect(w.svc.directory.owner({ kind: 'uuid', value: UUID_B })).toBe(older);
  });

  it('does not let a sighting that brings the service root inherit a failed probe of the same address', async () => {
    const w = world();
    w.device('10.0.3.1', UUID_A, 'SER-A');
    w.down('10.0.3.1');
    // SSDP names the address but not the root, so it is probed (and fails); the sweep's sighting carries the root.
    const swept: Sighting = { ...cidr('10.0.3.1'), serviceRootUrl: 'https://10.0.3.1:443/redfish/v1', keys: { uuid: UUID_A }, hints: { serviceRoot: { UUID: UUID_A, RedfishVersion: '1.17.0' } } };
    const r = await w.sweep([ssdp('10.0.3.1', UUID_A), swept]);
    expect(r.unreachable).toBe(1);
    expect(r.created).toHaveLength(1);
    expect(w.svc.directory.list().map((d) => d.identity.uuid)).toEqual([UUID_A]);
  });

  it('probes an announced device again after one timeout', async () => {
    const w = world();
    w.device('10.0.3.2', UUID_B, 'SER-B');
    w.slowOnce('10.0.3.2');
    const r = await w.sweep([{ ...ssdp('10.0.3.2', UUID_B), keys: {} }]);
    expect(w.probes()).toBe(2);
    expect(r.created).toHaveLength(1);
    expect(w.svc.directory.list()[0]!.identity.uuid).toBe(UUID_B);
  });

  it('pairs a DPU with its host whichever of the two is read first, and re-pairs when the card moves', async () => {
    const w = world();
    w.device('10.0.4.2', UUID_B, 'DPU-1');
    await w.sweep([cidr('10.0.4.2')]);
    const dpu = w.svc.directory.list()[0]!.id;
    expect(w.svc.directory.get(dpu)!.parentId).toBeUndefined();
    w.device('10.0.4.1', UUID_A, 'HOST-1', ['OTHER', 'DPU-1']);
    await w.sweep([cidr('10.0.4.1')]);
    const host = w.svc.directory.owner({ kind: 'uuid', value: UUID_A })!;
    expect(w.svc.directory.get(dpu)).toMatchObject({ parentId: host, slot: 'slot2' });
    expect(w.svc.directory.carriersOf({ kind: 'serial', value: 'DPU-1' })).toEqual([host]);

    // The card moves to another host: that host's read re-pairs it, and the old host no longer lists it.
    w.device('10.0.4.1', UUID_A, 'HOST-1', []);
    const uuidC = 'cccccccc-0000-0000-0000-000000000000';
    w.device('10.0.4.3', uuidC, 'HOST-2', ['DPU-1']);
    w.svc.directory.list().forEach((d) => w.svc.ingest.afterChange(d.id));
    await w.sweep([cidr('10.0.4.3')]);
    const host2 = w.svc.directory.owner({ kind: 'uuid', value: uuidC })!;
    expect(w.svc.directory.get(dpu)).toMatchObject({ parentId: host2, slot: 'slot1' });
    expect(w.svc.directory.carriersOf({ kind: 'serial', value: 'DPU-1' })).toEqual([host2]);
  });
});
