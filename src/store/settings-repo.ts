import type { Db } from './db.js';

/** Small key/value store for service-wide settings (service UUID, PATCHed SessionService and AccountService values). */
export class SettingsRepo {
  constructor(private readonly db: Db) {}

  get<T>(key: string): T | undefined {
    const r = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as T) : undefined;
  }

  set(key: string, value: unknown): void {
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, JSON.stringify(value));
  }

  /** Returns the stored value, storing `make()` first if there is none. */
  getOrInit<T>(key: string, make: () => T): T {
    const v = this.get<T>(key);
    if (v !== undefined) return v;
    const nv = make();
    this.set(key, nv);
    return nv;
  }
}
