import { prep, type Db } from './db.js';

/** Small key/value store for service-wide settings (service UUID, PATCHed SessionService and AccountService values). */
export class SettingsRepo {
  // Settings are read on hot paths (session timeout on every request) and written only through this class, so an
  // in-memory copy is always current.
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly db: Db) {}

  get<T>(key: string): T | undefined {
    if (this.cache.has(key)) return this.cache.get(key) as T | undefined;
    const r = prep(this.db, 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    const v = r ? (JSON.parse(r.value) as T) : undefined;
    this.cache.set(key, v);
    return v;
  }

  set(key: string, value: unknown): void {
    this.cache.set(key, JSON.parse(JSON.stringify(value)) as unknown);
    prep(this.db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
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
