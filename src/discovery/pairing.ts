import type { DiscoveredDevice } from '../model/discovery.js';
import type { DirectoryEvent } from './directory.js';

/** The directory operations pairing needs. */
export interface PairingDirectory {
  carriersOf(key: { kind: 'serial' | 'mac'; value: string }): readonly string[];
  get(id: string): DiscoveredDevice | undefined;
  owner(k: { kind: 'serial' | 'mac'; value: string }): string | undefined;
  commit(d: DiscoveredDevice, events?: DirectoryEvent[]): DiscoveredDevice;
}

const SOURCES = '/redfish/v1/AggregationService/AggregationSources';

/** Which device a host's carried card is: by the card's serial first, then by any of its MACs. */
function cardDevice(dir: PairingDirectory, hostId: string, serial: string | undefined, macs: readonly string[] = []): string | undefined {
  const bySerial = serial ? dir.owner({ kind: 'serial', value: serial }) : undefined;
  if (bySerial && bySerial !== hostId) return bySerial;
  for (const m of macs) {
    const id = dir.owner({ kind: 'mac', value: m });
    if (id && id !== hostId) return id;
  }
  return undefined;
}

/**
 * Links each DPU BMC to the host that carries it. A host's inventory lists its DPU cards with serials (and MACs of
 * their functions); the DPU's own BMC reports the same card serial. Pairs are recomputed for the devices given (a
 * host that was just read, or a DPU that just appeared) and written only when they change, each with a
 * ResourceChanged event on the DPU's AggregationSource. Returns the ids of DPUs whose pairing changed.
 */
export function pairDevices(dir: PairingDirectory, changed: readonly string[], now: number): string[] {
  const updates = new Map<string, { parentId: string; slot: string }>();
  const touched = new Set(changed);
  // Only hosts that could pair with a changed device: the changed hosts themselves, and hosts listing a changed
  // device's serial or MAC among their cards.
  const candidates = new Set<string>();
  for (const id of changed) {
    const d = dir.get(id);
    if (!d) continue;
    if (d.carried.length > 0) candidates.add(id);
    for (const value of d.identity.serials ?? []) for (const h of dir.carriersOf({ kind: 'serial', value })) candidates.add(h);
    for (const value of d.identity.macs ?? []) for (const h of dir.carriersOf({ kind: 'mac', value })) candidates.add(h);
  }
  for (const hid of candidates) {
    const h = dir.get(hid);
    if (!h || h.carried.length === 0 || h.state === 'Tombstoned') continue;
    for (const c of h.carried) {
      const dpu = cardDevice(dir, h.id, c.serial, c.macs);
      if (!dpu) continue;
      if (touched.has(h.id) || touched.has(dpu)) updates.set(dpu, { parentId: h.id, slot: c.slot });
    }
  }
  const out: string[] = [];
  for (const [id, p] of updates) {
    const d = dir.get(id);
    if (!d || (d.parentId === p.parentId && d.slot === p.slot)) continue;
    dir.commit({ ...d, parentId: p.parentId, slot: p.slot, revision: d.revision + 1, updatedAt: now }, [
      { id: 'ResourceChanged', detail: { paired: { host: `${SOURCES}/${p.parentId}`, slot: p.slot } } },
    ]);
    out.push(id);
  }
  return out;
}
