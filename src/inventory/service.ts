/**
 * The inventory service: one polling coordinator per registered device, each poll's snapshot mapped into the
 * aggregated Redfish tree and written to the resource store, changes journaled as ResourceEvents. Reads are served
 * from the store alone, so a slow or dead device never slows a client down; it shows in `Status.Conditions` instead.
 */
import type { DiscoveredDevice } from '../model/discovery.js';
import type { InventorySnapshot, LogRecord, SystemState } from '../model/inventory.js';
import { InventoryCoordinators, type PoolOptions } from './coordinator-pool.js';
import type { InventorySink, PolledDevice, PollError, PollKind, Polling } from './coordinator.js';
import { journalChanges, significantDigest, type ChangeJournal } from './change-events.js';
import { attachLogServices, cardLinks, mapDevice, mapDeviceLogs, type DeviceFreshness, type InventoryDoc, type MapResult } from './map/index.js';
import { PairingContext } from './pairing-context.js';
import type { ResourceStore } from './resource-store.js';
import type { SnapshotStore } from './snapshot-store.js';

/** An inventory poll's result: the snapshot, with the device's log entries when its driver reads logs. */
export type PolledInventory = InventorySnapshot & { logs?: LogRecord[] };

/** The devices to inventory, as discovery knows them. */
export interface InventoryDevices {
  get(id: string): DiscoveredDevice | undefined;
  list(): DiscoveredDevice[];
  watch(listener: (id: string) => void): () => void;
}

/** What the service needs of a managed endpoint (the driver runtime's `ManagedDevice`). */
export interface InventoryEndpoint {
  call(method: string, args: unknown[], opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown>;
  supports(cap: string): boolean;
  readonly availability: string;
  readonly driver: { manifest: { polling: Polling } };
  /** Nothing will be called for about `ms`: connections that would time out unused may close now. */
  idleFor?(ms: number): void;
}

/** Extra documents for a device besides what `mapDevice` makes (its LogServices), given the mapped result. */
export type ExtraDocs = (snap: PolledInventory, mapped: MapResult) => InventoryDoc[];

export interface InventoryServiceOptions {
  resources: ResourceStore;
  snapshots: SnapshotStore;
  journal: ChangeJournal;
  /** Runs `fn` in one store transaction, so documents and the events that announce them commit together. */
  transaction: <T>(fn: () => T) => T;
  devices: InventoryDevices;
  endpoints: { get(id: string): InventoryEndpoint | undefined };
  pool?: Omit<PoolOptions, 'sink'>;
  extraDocs?: ExtraDocs;
  /** Entries kept per log of each system (the newest). */
  logEntriesPerLog?: number;
  now?: () => number;
  log: { warn(obj: object, msg?: string): void; debug(obj: object, msg?: string): void };
}

/** What the service knows about one device's data besides the snapshot. */
interface DeviceState {
  freshness: DeviceFreshness;
  /** State polls newer than the stored snapshot, by system id, laid over it when mapping. */
  states?: SystemState[];
  statesKey?: string;
  unmappedCount?: number;
  /** Each System's {@link significantDigest} as last written, to keep usage-only changes out of the journal. */
  digests?: Map<string, string>;
}

const FLEET_SYSTEMS = '/redfish/v1/Systems';
const wants = (d: DiscoveredDevice | undefined) => d?.state === 'Registered';
const gone = (d: DiscoveredDevice | undefined) => !d || d.state === 'Removed' || d.state === 'Tombstoned';

export class InventoryService implements InventorySink {
  readonly pool: InventoryCoordinators;
  readonly pairing: PairingContext;
  private readonly state = new Map<string, DeviceState>();
  private readonly now: () => number;
  private unwatch: (() => void) | undefined;
  /** Devices waiting to be mapped again, drained in one loop so linked remaps never recurse. */
  private readonly pending = new Set<string>();
  private draining = false;
  /** Devices whose stored snapshot is an identify read their first inventory poll tops up rather than crawls again. */
  private readonly seeded = new Set<string>();
  /** Polls finished since start, by kind, and failed polls (a seed is not a poll). */
  private readonly polls = { inventory: 0, state: 0, failed: 0 };

  constructor(private readonly o: InventoryServiceOptions) {
    this.now = o.now ?? Date.now;
    this.pool = new InventoryCoordinators({ ...o.pool, sink: this, log: o.log });
    this.pairing = new PairingContext(o.snapshots, (id) => this.mapStored(id));
  }

  /** Indexes the pairing of every known device and starts polling the registered ones. */
  start(): void {
    for (const d of this.o.devices.list()) this.pairing.place(d.id, placementOf(d));
    for (const d of this.o.devices.list()) this.sync(d.id);
    this.unwatch = this.o.devices.watch((id) => this.sync(id));
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    await this.pool.stopAll();
  }

  /** Brings polling, pairing and stored documents in line with discovery's view of one device. */
  sync(id: string): void {
    const d = this.o.devices.get(id);
    if (gone(d)) {
      if (this.pool.get(id)) void this.pool.remove(id);
      this.drop(id);
      return;
    }
    const hosts = this.pairing.place(id, placementOf(d!));
    if (hosts) {
      this.enqueue(id);
      for (const h of hosts) this.enqueue(h);
    }
    if (wants(d) && !this.pool.get(id)) {
      const ep = this.o.endpoints.get(id);
      if (ep) {
        delete this.fresh(id).freshness.availability;
        this.pool.add(id, this.polled(id), ep.driver.manifest.polling);
      }
    } else if (!wants(d) && this.pool.get(id)) {
      void this.pool.remove(id);
      this.fresh(id).freshness.availability = 'unavailable';
      this.enqueue(id);
    }
    this.drain();
  }

  /**
   * Takes an inventory read made at registration (discovery's identify) as the device's first, so the device shows at
   * once and is not crawled twice: at 10,000 devices that second crawl was half the work of bringing a fleet in. The
   * snapshot is stored now, and the coordinator's first inventory poll, asked for at once, tops it up from the store:
   * it reads only what identify does not (firmware, where the driver reads it in a call of its own, and log entries).
   * Polling then goes on as usual. Nothing is held in memory meanwhile. Refused (false) when the device has no
   * coordinator, or already has an inventory or a poll under way: it then reads for itself.
   */
  seed(id: string, snap: InventorySnapshot, at: number): boolean {
    const c = this.pool.get(id);
    const status = c?.status();
    if (!c || !status || status.hasInventory || status.running || !this.o.endpoints.get(id)) return false;
    this.seeded.add(id);
    this.takeSnapshot(id, snap, at);
    // The top-up is a few requests, not a crawl: done now, the device is whole within seconds of showing.
    void c.pollNow('inventory');
    return true;
  }

  async onInventory(id: string, snap: InventorySnapshot, at: number): Promise<void> {
    this.polls.inventory++;
    this.takeSnapshot(id, snap, at);
  }

  /** Stores a device's inventory snapshot (a poll's, or a seed's) and maps it. */
  private takeSnapshot(id: string, snap: InventorySnapshot, at: number): void {
    const st = this.fresh(id);
    st.freshness = { ...st.freshness, inventoryAt: at };
    delete st.freshness.error;
    delete st.states;
    delete st.statesKey;
    this.o.snapshots.put(id, snap);
    this.enqueue(id);
    this.drain();
  }

  async onState(id: string, states: SystemState[], at: number): Promise<void> {
    this.polls.state++;
    const st = this.fresh(id);
    const hadError = st.freshness.error !== undefined;
    st.freshness = { ...st.freshness, stateAt: at };
    delete st.freshness.error;
    const key = JSON.stringify(states);
    // State is polled every few seconds and rarely changes: only a change (or a recovery) costs a remap.
    if (key === st.statesKey && !hadError) return;
    st.states = states;
    st.statesKey = key;
    this.enqueue(id);
    this.drain();
  }

  async onError(id: string, _kind: PollKind, error: PollError, at: number): Promise<void> {
    this.polls.failed++;
    const st = this.fresh(id);
    // The first failure of a kind is news; the same failure again is not, so the documents keep its first time.
    if (st.freshness.error?.code === error.code) return;
    st.freshness = { ...st.freshness, error: { code: error.code, message: error.message, at } };
    this.enqueue(id);
    this.drain();
  }

  /**
   * How far inventory has got: devices polled, shown (a snapshot stored, a seed among them) and whole (read by their
   * own coordinator), the gate's load, the cadence, and poll counts. Walks every device: for status pages, not hot paths.
   */
  figures(): { polled: number; shown: number; whole: number; inFlight: number; queued: number; stretch: number; polls: { inventory: number; state: number; failed: number } } {
    let shown = 0;
    for (const st of this.state.values()) if (st.freshness.inventoryAt !== undefined) shown++;
    const whole = this.pool.ids().filter((id) => this.pool.get(id)?.status().hasInventory).length;
    const { inFlight, queued } = this.pool.load;
    return { polled: this.pool.size, shown, whole, inFlight, queued, stretch: this.pool.cadence.stretch, polls: { ...this.polls } };
  }

  /** The freshness the service holds for a device (for operators and tests). */
  freshnessOf(id: string): DeviceFreshness | undefined {
    return this.state.get(id)?.freshness;
  }

  private fresh(id: string): DeviceState {
    let st = this.state.get(id);
    if (!st) this.state.set(id, (st = { freshness: {} }));
    return st;
  }

  /** The device as the coordinator polls it: looked up at each call, so a re-registered endpoint is picked up. */
  private polled(id: string): PolledDevice {
    const endpoints = this.o.endpoints;
    const snapshots = this.o.snapshots;
    const seeded = this.seeded;
    return {
      get availability() {
        return endpoints.get(id)?.availability;
      },
      idleFor(ms) {
        endpoints.get(id)?.idleFor?.(ms);
      },
      async call(kind, _args, opts) {
        const ep = endpoints.get(id);
        if (!ep) throw Object.assign(new Error('the device has no managed endpoint'), { code: 'Unavailable' });
        if (kind === 'state') return ep.call('state', [], opts);
        const seed = seeded.delete(id) ? snapshots.get(id) : undefined;
        const snap = (seed ?? (await ep.call('inventory', [], opts))) as PolledInventory;
        // Some drivers read firmware in a call of its own; the tree shows both as one device.
        if (snap.firmware.length === 0 && ep.supports('firmware.inventory')) snap.firmware = (await ep.call('firmwareInventory', [], opts)) as PolledInventory['firmware'];
        if (ep.supports('logs')) {
          // Logs are worth having but not worth losing the inventory over.
          snap.logs = ((await ep.call('logs', [{ limit: 500 }], opts).catch(() => undefined)) as LogRecord[] | undefined) ?? [];
        }
        return snap;
      },
    };
  }

  private enqueue(id: string): void {
    this.pending.add(id);
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let guard = 0; this.pending.size > 0 && guard < 10_000; guard++) {
        const id = this.pending.values().next().value!;
        this.pending.delete(id);
        this.remap(id);
      }
    } finally {
      this.draining = false;
    }
  }

  /** The device's stored snapshot with newer state laid over it, mapped in its current context. */
  private mapStored(id: string, snap = this.o.snapshots.get(id) as PolledInventory | undefined): MapResult | undefined {
    if (!snap) return undefined;
    const st = this.state.get(id);
    if (st?.states) snap = overlay(snap, st.states);
    const freshness: DeviceFreshness = { ...st?.freshness };
    const ep = this.o.endpoints.get(id);
    if (ep?.availability === 'UnavailableOffline' || st?.freshness.availability === 'unavailable') freshness.availability = 'unavailable';
    else if (ep) freshness.availability = 'available';
    const result = mapDevice(snap, { source: id, freshness, ...this.pairing.contextOf(id) });
    if (snap.logs?.length) this.addLogs(id, snap, result);
    if (this.o.extraDocs) result.docs.push(...this.o.extraDocs(snap, result));
    return result;
  }

  /** Each system's LogServices (event log, dumps, POST codes) from the poll's log records, linked from the system. */
  private addLogs(id: string, snap: PolledInventory, result: MapResult): void {
    const logs = mapDeviceLogs({ source: id, systems: snap.systems, records: snap.logs ?? [] }, { maxEntries: Math.max(1, this.o.logEntriesPerLog ?? 100) });
    const systems = new Set<string>();
    for (const d of result.docs) {
      const uri = logs.links.get(d.uri);
      if (uri === undefined || d.collection === undefined) continue;
      d.body = attachLogServices(d.body, uri);
      systems.add(`${d.uri}/`);
    }
    // Logs of a system the mapper did not emit would hang from nothing.
    result.docs.push(...logs.docs.filter((d) => [...systems].some((s) => d.uri.startsWith(s))));
    result.unmapped.push(...logs.unmapped);
  }

  private remap(id: string): void {
    const d = this.o.devices.get(id);
    if (gone(d)) return;
    const snap = this.o.snapshots.get(id) as PolledInventory | undefined;
    const result = this.mapStored(id, snap);
    if (!result || !snap) return;
    const st = this.fresh(id);
    if (result.unmapped.length !== st.unmappedCount) {
      st.unmappedCount = result.unmapped.length;
      if (result.unmapped.length) this.o.log.debug({ device: id, unmapped: result.unmapped.slice(0, 20), count: result.unmapped.length }, 'inventory read parts the tree has no place for');
    }
    const at = this.now();
    const quiet = new Set<string>();
    const digests = new Map<string, string>();
    for (const d of result.docs) {
      if (d.collection !== FLEET_SYSTEMS) continue;
      const dg = significantDigest(d.body);
      if (st.digests?.get(d.uri) === dg) quiet.add(d.uri);
      digests.set(d.uri, dg);
    }
    st.digests = digests;
    this.o.transaction(() => {
      const r = this.o.resources.replaceDevice(id, result.docs, at);
      // Nothing changed or removed and everything added: the device's first documents.
      const first = r.changed.length === 0 && r.removed.length === 0 && r.added.length === new Set(result.docs.map((x) => x.uri)).size;
      journalChanges(this.o.journal, r, first ? 'first' : 'update', quiet);
    });
    // A host's cards feed its DPUs' documents, and a DPU's anchors feed its host's.
    const cards = snap.components.some((c) => c.isDpu) ? cardLinks(snap, id) : [];
    if (this.pairing.setCards(id, cards)) for (const dpu of this.pairing.dpusOf(id)) this.enqueue(dpu);
    const placed = this.pairing.placementOf(id);
    if (placed && this.pairing.setAnchors(id, result)) this.enqueue(placed.hostId);
  }

  private drop(id: string): void {
    this.state.delete(id);
    this.pending.delete(id);
    this.seeded.delete(id);
    const host = this.pairing.forget(id);
    const dpus = this.pairing.dpusOf(id);
    this.o.transaction(() => {
      const removed = this.o.resources.removeDevice(id);
      this.o.snapshots.delete(id);
      journalChanges(this.o.journal, { added: [], changed: [], removed }, 'last');
    });
    if (host) this.enqueue(host);
    for (const dpu of dpus) this.enqueue(dpu);
    this.drain();
  }
}

function placementOf(d: DiscoveredDevice): { hostId: string; slot: string } | undefined {
  return d.parentId && d.slot && !gone(d) ? { hostId: d.parentId, slot: d.slot } : undefined;
}

/** The snapshot with each system's polled state in place of what the inventory read said. */
function overlay(snap: PolledInventory, states: SystemState[]): PolledInventory {
  const byId = new Map(states.map((s) => [s.id, s]));
  return {
    ...snap,
    systems: snap.systems.map((s) => {
      const n = byId.get(s.id);
      if (!n) return s;
      const out = { ...s };
      for (const k of ['powerState', 'bootProgress', 'lastResetCause', 'status'] as const) if (n[k] !== undefined) (out as Record<string, unknown>)[k] = n[k];
      return out;
    }),
  };
}
