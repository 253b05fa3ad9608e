import { prep, type Db } from './db.js';

/** A managed endpoint as stored. `credentials` is sealed (encrypted) by the caller; the store never decrypts it. */
export interface EndpointRow {
  id: string;
  driver: string;
  protocol: string;
  host: string;
  port?: number;
  baseUrl?: string;
  credentials: string;
  /** The trust policy as JSON (`{"mode":"pin"}`, `{"mode":"ca","ca":"..."}`). */
  tls: unknown;
  createdAt: number;
  updatedAt: number;
}

interface Raw {
  id: string;
  driver: string;
  protocol: string;
  host: string;
  port: number | null;
  base_url: string | null;
  credentials: string;
  tls: string;
  created_at: number;
  updated_at: number;
}

const fromRaw = (r: Raw): EndpointRow => ({
  id: r.id,
  driver: r.driver,
  protocol: r.protocol,
  host: r.host,
  ...(r.port !== null ? { port: r.port } : {}),
  ...(r.base_url !== null ? { baseUrl: r.base_url } : {}),
  credentials: r.credentials,
  tls: JSON.parse(r.tls) as unknown,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Endpoints and their pinned certificates. Pins are read on every TLS handshake, so they are cached here. */
export class EndpointsRepo {
  private readonly pins = new Map<string, string | undefined>();

  constructor(private readonly db: Db) {}

  upsert(e: Omit<EndpointRow, 'createdAt' | 'updatedAt'>, now = Date.now()): void {
    prep(
      this.db,
      `INSERT INTO endpoints (id, driver, protocol, host, port, base_url, credentials, tls, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET driver = excluded.driver, protocol = excluded.protocol, host = excluded.host,
         port = excluded.port, base_url = excluded.base_url, credentials = excluded.credentials, tls = excluded.tls,
         updated_at = excluded.updated_at`,
    ).run(e.id, e.driver, e.protocol, e.host, e.port ?? null, e.baseUrl ?? null, e.credentials, JSON.stringify(e.tls ?? { mode: 'pin' }), now, now);
  }

  get(id: string): EndpointRow | undefined {
    const r = prep(this.db, 'SELECT * FROM endpoints WHERE id = ?').get(id) as Raw | undefined;
    return r ? fromRaw(r) : undefined;
  }

  list(): EndpointRow[] {
    return (prep(this.db, 'SELECT * FROM endpoints ORDER BY id').all() as Raw[]).map(fromRaw);
  }

  delete(id: string): boolean {
    this.pins.delete(id);
    return prep(this.db, 'DELETE FROM endpoints WHERE id = ?').run(id).changes > 0;
  }

  getPin(id: string): string | undefined {
    if (this.pins.has(id)) return this.pins.get(id);
    const r = prep(this.db, 'SELECT tls_pin FROM endpoints WHERE id = ?').get(id) as { tls_pin: string | null } | undefined;
    const pin = r?.tls_pin ?? undefined;
    this.pins.set(id, pin);
    return pin;
  }

  /** Pins (or, with undefined, unpins so the next certificate is trusted on first use). */
  setPin(id: string, fingerprint256: string | undefined): void {
    this.pins.set(id, fingerprint256);
    prep(this.db, 'UPDATE endpoints SET tls_pin = ? WHERE id = ?').run(fingerprint256 ?? null, id);
  }
}
