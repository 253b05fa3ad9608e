import { prep, type Db } from './db.js';

export interface AuditEntry {
  at: number;
  username: string | null;
  clientIp: string | null;
  method: string;
  path: string;
  status: number;
  detail?: string;
}

/** Append-only record of every write: who, what, when and the result. */
export class AuditRepo {
  constructor(private readonly db: Db) {}

  append(e: AuditEntry): void {
    prep(this.db, 'INSERT INTO audit_log (at, username, client_ip, method, path, status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.at, e.username, e.clientIp, e.method, e.path, e.status, e.detail ?? null);
  }

  recent(limit = 100): AuditEntry[] {
    return (
      prep(this.db, 'SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as {
        at: number;
        username: string | null;
        client_ip: string | null;
        method: string;
        path: string;
        status: number;
        detail: string | null;
      }[]
    ).map((r) => ({
      at: r.at,
      username: r.username,
      clientIp: r.client_ip,
      method: r.method,
      path: r.path,
      status: r.status,
      ...(r.detail ? { detail: r.detail } : {}),
    }));
  }
}
