import { storable, type SnapshotStore } from '../inventory/snapshot-store.js';
import type { InventorySnapshot } from '../model/inventory.js';
import { prep, type Db } from './db.js';

/** Inventory snapshots in SQLite (table `inventory_snapshots`, migration 5): the {@link SnapshotStore} adapter. */
export class SnapshotsRepo implements SnapshotStore {
  constructor(private readonly db: Db) {}

  get(deviceId: string): InventorySnapshot | undefined {
    const r = prep(this.db, 'SELECT body FROM inventory_snapshots WHERE device_id = ?').get(deviceId) as { body: string } | undefined;
    return r ? (JSON.parse(r.body) as InventorySnapshot) : undefined;
  }

  put(deviceId: string, snap: InventorySnapshot): void {
    prep(
      this.db,
      `INSERT INTO inventory_snapshots (device_id, taken_at, body) VALUES (?, ?, ?)
       ON CONFLICT(device_id) DO UPDATE SET taken_at = excluded.taken_at, body = excluded.body`,
    ).run(deviceId, Number.isFinite(snap.takenAt) ? snap.takenAt : 0, JSON.stringify(storable(snap)));
  }

  delete(deviceId: string): void {
    prep(this.db, 'DELETE FROM inventory_snapshots WHERE device_id = ?').run(deviceId);
  }
}
