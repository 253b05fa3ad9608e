import type { InventorySnapshot } from '../model/inventory.js';

/**
 * The last inventory snapshot of each device, without its raw payloads. The inventory service rebuilds a device's
 * documents from it when something outside the device changes them (its host or DPU was read, its pairing moved, its
 * freshness changed) instead of polling the device again. A port, so the core does not depend on SQLite.
 */
export interface SnapshotStore {
  get(deviceId: string): InventorySnapshot | undefined;
  put(deviceId: string, snap: InventorySnapshot): void;
  delete(deviceId: string): void;
}

/** The snapshot as kept: `raw` is dropped (it is the bulk, and nothing rebuilds documents from it). */
export function storable(snap: InventorySnapshot): InventorySnapshot {
  return { ...snap, raw: {} };
}

/** A {@link SnapshotStore} in memory, for tests. Keeps JSON, so callers never share objects with it. */
export class MemorySnapshotStore implements SnapshotStore {
  private readonly map = new Map<string, string>();

  get(deviceId: string): InventorySnapshot | undefined {
    const s = this.map.get(deviceId);
    return s === undefined ? undefined : (JSON.parse(s) as InventorySnapshot);
  }

  put(deviceId: string, snap: InventorySnapshot): void {
    this.map.set(deviceId, JSON.stringify(storable(snap)));
  }

  delete(deviceId: string): void {
    this.map.delete(deviceId);
  }
}
