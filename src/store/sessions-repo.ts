import type { Session } from '../model/account.js';
import { prep, type Db } from './db.js';

interface Row {
  id: string;
  token_hash: string;
  account_id: string;
  client_ip: string | null;
  user_agent: string | null;
  created_at: number;
  last_used_at: number;
}

const toSession = (r: Row): Session => ({
  id: r.id,
  tokenHash: r.token_hash,
  accountId: r.account_id,
  clientIp: r.client_ip,
  userAgent: r.user_agent,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

/** Sessions survive a restart; only the hash of each token is stored. */
export class SessionsRepo {
  constructor(private readonly db: Db) {}

  list(): Session[] {
    return (prep(this.db, 'SELECT * FROM sessions ORDER BY created_at').all() as Row[]).map(toSession);
  }

  insert(s: Session): void {
    prep(this.db, 
        `INSERT INTO sessions (id, token_hash, account_id, client_ip, user_agent, created_at, last_used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.id, s.tokenHash, s.accountId, s.clientIp, s.userAgent, s.createdAt, s.lastUsedAt);
  }

  delete(id: string): boolean {
    return prep(this.db, 'DELETE FROM sessions WHERE id = ?').run(id).changes > 0;
  }

  deleteForAccount(accountId: string): number {
    return prep(this.db, 'DELETE FROM sessions WHERE account_id = ?').run(accountId).changes;
  }

  /** Persists last-use times in one transaction; the in-memory cache batches them so reads never write. */
  touchMany(entries: { id: string; lastUsedAt: number }[]): void {
    const stmt = prep(this.db, 'UPDATE sessions SET last_used_at = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const e of entries) stmt.run(e.lastUsedAt, e.id);
    })();
  }
}
