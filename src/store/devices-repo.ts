import type { DeviceKey, DiscoveredDevice } from '../model/discovery.js';
import { prep, type Db } from './db.js';

interface Raw {
  id: string;
  state: string;
  protocol: string;
  driver: string | null;
  host: string;
  port: number | null;
  service_root_url: string | null;
  host_name: string | null;
  identity: string;
  sources: string;
  alternates: string;
  carried: string;
  parent_id: string | null;
  slot: string | null;
  reachable: number;
  offline_since: number | null;
  problem: string | null;
  revision: number;
  first_seen: number;
  last_seen: number;
  updated_at: number;
}

function fromRaw(r: Raw): DiscoveredDevice {
  const d: DiscoveredDevice = {
    id: r.id,
    state: r.state as DiscoveredDevice['state'],
    protocol: r.protocol as DiscoveredDevice['protocol'],
    host: r.host,
    identity: JSON.parse(r.identity) as DiscoveredDevice['identity'],
    sources: JSON.parse(r.sources) as DiscoveredDevice['sources'],
    alternates: JSON.parse(r.alternates) as DiscoveredDevice['alternates'],
    carried: JSON.parse(r.carried) as DiscoveredDevice['carried'],
    reachable: r.reachable === 1,
    revision: r.revision,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    updatedAt: r.updated_at,
  };
  if (r.driver !== null) d.driver = r.driver;
  if (r.port !== null) d.port = r.port;
  if (r.service_root_url !== null) d.serviceRootUrl = r.service_root_url;
  if (r.host_name !== null) d.hostName = r.host_name;
  if (r.parent_id !== null) d.parentId = r.parent_id;
  if (r.slot !== null) d.slot = r.slot;
  if (r.offline_since !== null) d.offlineSince = r.offline_since;
  if (r.problem !== null) d.problem = r.problem;
  return d;
}

/**
 * Discovered devices and the key index that maps every identity key to one device. The discovery service keeps its
 * own in-memory view and writes through here; `save` replaces a device's keys, taking over any key another device
 * held (an address that moved to a new device).
 */
export class DevicesRepo {
  constructor(private readonly db: Db) {}

  loadAll(): { devices: DiscoveredDevice[]; keys: (DeviceKey & { deviceId: string })[] } {
    const devices = (prep(this.db, 'SELECT * FROM devices ORDER BY first_seen, id').all() as Raw[]).map(fromRaw);
    const keys = (prep(this.db, 'SELECT kind, value, device_id FROM device_keys').all() as { kind: string; value: string; device_id: string }[]).map((k) => ({
      kind: k.kind as DeviceKey['kind'],
      value: k.value,
      deviceId: k.device_id,
    }));
    return { devices, keys };
  }

  /** One device as last written (the directory writes at the end of each turn of its event loop). */
  get(id: string): DiscoveredDevice | undefined {
    const r = prep(this.db, 'SELECT * FROM devices WHERE id = ?').get(id) as Raw | undefined;
    return r ? fromRaw(r) : undefined;
  }

  /** Every device, oldest first. */
  list(): DiscoveredDevice[] {
    return (prep(this.db, 'SELECT * FROM devices ORDER BY first_seen, id').all() as Raw[]).map(fromRaw);
  }

  /** The ids of the devices placed in `parentId` (a host's DPUs), sorted. */
  children(parentId: string): string[] {
    return (prep(this.db, "SELECT id FROM devices WHERE parent_id = ? AND state NOT IN ('Removed', 'Tombstoned') ORDER BY id").all(parentId) as { id: string }[]).map((r) => r.id);
  }

  save(d: DiscoveredDevice, keys: readonly DeviceKey[]): void {
    prep(
      this.db,
      `INSERT INTO devices (id, state, protocol, driver, host, port, service_root_url, host_name, identity, sources, alternates,
         carried, parent_id, slot, reachable, offline_since, problem, revision, first_seen, last_seen, updated_at)
       VALUES (@id, @state, @protocol, @driver, @host, @port, @service_root_url, @host_name, @identity, @sources, @alternates,
         @carried, @parent_id, @slot, @reachable, @offline_since, @problem, @revision, @first_seen, @last_seen, @updated_at)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, protocol = excluded.protocol, driver = excluded.driver,
         host = excluded.host, port = excluded.port, service_root_url = excluded.service_root_url, host_name = excluded.host_name,
         identity = excluded.identity, sources = excluded.sources, alternates = excluded.alternates, carried = excluded.carried,
         parent_id = excluded.parent_id, slot = excluded.slot, reachable = excluded.reachable, offline_since = excluded.offline_since,
         problem = excluded.problem, revision = excluded.revision, last_seen = excluded.last_seen, updated_at = excluded.updated_at`,
    ).run({
      id: d.id,
      state: d.state,
      protocol: d.protocol,
      driver: d.driver ?? null,
      host: d.host,
      port: d.port ?? null,
      service_root_url: d.serviceRootUrl ?? null,
      host_name: d.hostName ?? null,
      identity: JSON.stringify(d.identity),
      sources: JSON.stringify(d.sources),
      alternates: JSON.stringify(d.alternates),
      carried: JSON.stringify(d.carried),
      parent_id: d.parentId ?? null,
      slot: d.slot ?? null,
      reachable: d.reachable ? 1 : 0,
      offline_since: d.offlineSince ?? null,
      problem: d.problem ?? null,
      revision: d.revision,
      first_seen: d.firstSeen,
      last_seen: d.lastSeen,
      updated_at: d.updatedAt,
    });
    prep(this.db, 'DELETE FROM device_keys WHERE device_id = ?').run(d.id);
    const put = prep(this.db, 'INSERT INTO device_keys (kind, value, device_id) VALUES (?, ?, ?) ON CONFLICT(kind, value) DO UPDATE SET device_id = excluded.device_id');
    for (const k of keys) put.run(k.kind, k.value, d.id);
  }

  delete(id: string): boolean {
    return prep(this.db, 'DELETE FROM devices WHERE id = ?').run(id).changes > 0;
  }
}
