import type { DeviceKey, DiscoveredDevice } from '../model/discovery.js';
import type { Journal } from '../events/journal.js';
import type { ResourceEventId } from '../events/resource-events.js';
import { deviceKeys, type KeyIndex } from './correlate.js';

/** The store operations the directory needs. */
export interface DirectoryStore {
  devices: {
    loadAll(): { devices: DiscoveredDevice[]; keys: (DeviceKey & { deviceId: string })[] };
    save(d: DiscoveredDevice, keys: readonly DeviceKey[]): void;
    delete(id: string): boolean;
  };
  transaction<T>(fn: () => T): T;
}

/** An event to journal with a change. */
export interface DirectoryEvent {
  id: ResourceEventId;
  args?: string[];
  detail?: unknown;
  /** Defaults to the changed device's AggregationSource. */
  origin?: string;
}

export const SOURCES_URI = '/redfish/v1/AggregationService/AggregationSources';
const k = (key: DeviceKey) => `${key.kind}\u0000${key.value}`;

function cardKeys(d: DiscoveredDevice): string[] {
  const out: string[] = [];
  for (const c of d.carried) {
    if (c.serial) out.push(k({ kind: 'serial', value: c.serial }));
    for (const m of c.macs ?? []) out.push(k({ kind: 'mac', value: m }));
  }
  return out;
}

/**
 * Every discovered device, in memory for correlation and reads, written through to the store. A change and its
 * events commit in one transaction, grouped with the other changes of the same event-loop turn. A device claims its keys only where no other device holds them; moving a key
 * between devices is explicit (`take`), which is how an address passes to the device that answers there now.
 */
export class DeviceDirectory implements KeyIndex {
  private readonly devices = new Map<string, DiscoveredDevice>();
  private readonly keys = new Map<string, string>();
  private readonly hosts = new Map<string, Set<string>>();
  /** The reverse of `keys`, so a commit touches only its own device's keys. */
  private readonly held = new Map<string, Set<string>>();
  /** Card serial or MAC -> the hosts whose inventory lists that card, so pairing never scans the fleet. */
  private readonly carriers = new Map<string, Set<string>>();

  private readonly watchers = new Set<(id: string) => void>();
  private queue: (() => void)[] = [];
  private timer: NodeJS.Immediate | undefined;

  constructor(
    private readonly store: DirectoryStore,
    private readonly journal: Journal,
    private readonly onWriteError: (e: Error) => void = () => {},
  ) {
    const { devices, keys } = store.devices.loadAll();
    for (const d of devices) this.index(d);
    for (const key of keys) this.hold(k(key), key.deviceId);
  }

  owner(key: DeviceKey): string | undefined {
    return this.keys.get(k(key));
  }

  device(id: string): DiscoveredDevice | undefined {
    return this.devices.get(id);
  }

  get(id: string): DiscoveredDevice | undefined {
    return this.devices.get(id);
  }

  has(id: string): boolean {
    return this.devices.has(id);
  }

  atHost(host: string): readonly string[] {
    return [...(this.hosts.get(host.toLowerCase()) ?? [])];
  }

  /** The hosts whose inventory lists a card with this serial or MAC. */
  carriersOf(key: { kind: 'serial' | 'mac'; value: string }): readonly string[] {
    return [...(this.carriers.get(k(key)) ?? [])];
  }

  list(): DiscoveredDevice[] {
    return [...this.devices.values()];
  }

  get size(): number {
    return this.devices.size;
  }

  /**
   * Stores `d` (a new object; never mutate one the directory holds) and journals `events`, in one transaction, at the
   * end of this turn of the event loop (see {@link flush}).
   * `take` names keys to move to `d` even if another device holds them; `remove` names devices absorbed into `d`.
   */
  commit(d: DiscoveredDevice, events: DirectoryEvent[] = [], opts: { take?: DeviceKey[]; remove?: string[] } = {}): DiscoveredDevice {
    const taken = new Set((opts.take ?? []).map(k));
    const keys = deviceKeys(d).filter((key) => {
      const o = this.keys.get(k(key));
      return o === undefined || o === d.id || taken.has(k(key)) || opts.remove?.includes(o);
    });
    const remove = opts.remove ?? [];
    this.write(() => {
      for (const id of remove) this.store.devices.delete(id);
      this.store.devices.save(d, keys);
      for (const e of events) this.journal.resourceEvent(e.id, e.origin ?? `${SOURCES_URI}/${d.id}`, e.args ?? [], e.detail);
    });
    for (const id of opts.remove ?? []) this.unindex(id);
    const old = this.devices.get(d.id);
    if (old) this.unhost(old);
    this.release(d.id);
    for (const key of keys) this.hold(k(key), d.id);
    this.index(d);
    for (const id of remove) this.tell(id);
    this.tell(d.id);
    return d;
  }

  /**
   * Calls `listener` with a device's id after every change to it (commit, absorb, drop), once the in-memory view holds
   * the change. Listeners run on every sighting too, so they must be cheap; one that throws is ignored.
   */
  watch(listener: (id: string) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  private tell(id: string): void {
    for (const w of this.watchers) {
      try {
        w(id);
      } catch {
        // a watcher's failure is its own; the change is already made
      }
    }
  }

  /** Deletes a device outright (only for devices that never became anything an operator saw). */
  drop(id: string, events: DirectoryEvent[] = []): void {
    this.write(() => {
      this.store.devices.delete(id);
      for (const e of events) this.journal.resourceEvent(e.id, e.origin ?? `${SOURCES_URI}/${id}`, e.args ?? [], e.detail);
    });
    this.unindex(id);
    this.tell(id);
  }

  /**
   * Writes every queued change now, in one transaction. Callers that answer a client (a POST, a PATCH) flush before
   * they answer, so what the client was told is on disk.
   */
  flush(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    const ops = this.queue;
    if (!ops.length) return;
    this.queue = [];
    try {
      this.store.transaction(() => {
        for (const op of ops) op();
      });
    } catch {
      // One bad write must not take the batch with it: replay each change in a transaction of its own.
      for (const op of ops) {
        try {
          this.store.transaction(op);
        } catch (e) {
          this.onWriteError(e as Error);
        }
      }
    }
  }

  /** Changes not yet written. */
  get unwritten(): number {
    return this.queue.length;
  }

  /** Queues another store write (an endpoint row) into the next group commit, after the changes already queued. */
  defer(op: () => void): void {
    this.write(op);
  }

  /**
   * Group commit: a sweep changes thousands of records a second, and a synchronous commit each would stall the event
   * loop on fsync. Changes made in one turn of the loop are written together at the end of it, in order.
   */
  private write(op: () => void): void {
    this.queue.push(op);
    this.timer ??= setImmediate(() => this.flush());
  }

  private index(d: DiscoveredDevice): void {
    this.devices.set(d.id, d);
    for (const key of cardKeys(d)) {
      let s = this.carriers.get(key);
      if (!s) this.carriers.set(key, (s = new Set()));
      s.add(d.id);
    }
    for (const h of [d.host, ...d.alternates.map((a) => a.host)]) {
      const key = h.toLowerCase();
      let s = this.hosts.get(key);
      if (!s) this.hosts.set(key, (s = new Set()));
      s.add(d.id);
    }
  }

  private unhost(d: DiscoveredDevice): void {
    for (const h of [d.host, ...d.alternates.map((a) => a.host)]) this.hosts.get(h.toLowerCase())?.delete(d.id);
    for (const key of cardKeys(d)) {
      const s = this.carriers.get(key);
      s?.delete(d.id);
      if (s?.size === 0) this.carriers.delete(key);
    }
  }

  private unindex(id: string): void {
    const d = this.devices.get(id);
    if (!d) return;
    this.unhost(d);
    this.devices.delete(id);
    this.release(id);
  }

  private hold(key: string, id: string): void {
    const prev = this.keys.get(key);
    if (prev !== undefined && prev !== id) this.held.get(prev)?.delete(key);
    this.keys.set(key, id);
    let s = this.held.get(id);
    if (!s) this.held.set(id, (s = new Set()));
    s.add(key);
  }

  private release(id: string): void {
    for (const key of this.held.get(id) ?? []) if (this.keys.get(key) === id) this.keys.delete(key);
    this.held.delete(id);
  }
}
