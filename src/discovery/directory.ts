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

/**
 * Every discovered device, in memory for correlation and reads, written through to the store. A change and its
 * events commit in one transaction. A device claims its keys only where no other device holds them; moving a key
 * between devices is explicit (`take`), which is how an address passes to the device that answers there now.
 */
export class DeviceDirectory implements KeyIndex {
  private readonly devices = new Map<string, DiscoveredDevice>();
  private readonly keys = new Map<string, string>();
  private readonly hosts = new Map<string, Set<string>>();
  /** The reverse of `keys`, so a commit touches only its own device's keys. */
  private readonly held = new Map<string, Set<string>>();

  constructor(private readonly store: DirectoryStore, private readonly journal: Journal) {
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

  list(): DiscoveredDevice[] {
    return [...this.devices.values()];
  }

  get size(): number {
    return this.devices.size;
  }

  /**
   * Stores `d` (a new object; never mutate one the directory holds) and journals `events`, in one transaction.
   * `take` names keys to move to `d` even if another device holds them; `remove` names devices absorbed into `d`.
   */
  commit(d: DiscoveredDevice, events: DirectoryEvent[] = [], opts: { take?: DeviceKey[]; remove?: string[] } = {}): DiscoveredDevice {
    const taken = new Set((opts.take ?? []).map(k));
    const keys = deviceKeys(d).filter((key) => {
      const o = this.keys.get(k(key));
      return o === undefined || o === d.id || taken.has(k(key)) || opts.remove?.includes(o);
    });
    this.store.transaction(() => {
      for (const id of opts.remove ?? []) this.store.devices.delete(id);
      this.store.devices.save(d, keys);
      for (const e of events) this.journal.resourceEvent(e.id, e.origin ?? `${SOURCES_URI}/${d.id}`, e.args ?? [], e.detail);
    });
    for (const id of opts.remove ?? []) this.unindex(id);
    const old = this.devices.get(d.id);
    if (old) this.unhost(old);
    this.release(d.id);
    for (const key of keys) this.hold(k(key), d.id);
    this.index(d);
    return d;
  }

  /** Deletes a device outright (only for devices that never became anything an operator saw). */
  drop(id: string, events: DirectoryEvent[] = []): void {
    this.store.transaction(() => {
      this.store.devices.delete(id);
      for (const e of events) this.journal.resourceEvent(e.id, e.origin ?? `${SOURCES_URI}/${id}`, e.args ?? [], e.detail);
    });
    this.unindex(id);
  }

  private index(d: DiscoveredDevice): void {
    this.devices.set(d.id, d);
    for (const h of [d.host, ...d.alternates.map((a) => a.host)]) {
      const key = h.toLowerCase();
      let s = this.hosts.get(key);
      if (!s) this.hosts.set(key, (s = new Set()));
      s.add(d.id);
    }
  }

  private unhost(d: DiscoveredDevice): void {
    for (const h of [d.host, ...d.alternates.map((a) => a.host)]) this.hosts.get(h.toLowerCase())?.delete(d.id);
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
