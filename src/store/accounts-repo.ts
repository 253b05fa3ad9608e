import type { Account, RoleId } from '../model/account.js';
import { prep, type Db } from './db.js';

interface Row {
  id: string;
  username: string;
  role_id: string;
  password_hash: string;
  enabled: number;
  locked: number;
  locked_until: number | null;
  failed_logins: number;
  last_failed_at: number | null;
  password_change_required: number;
  revision: number;
  created_at: number;
}

function toAccount(r: Row): Account {
  return {
    id: r.id,
    username: r.username,
    roleId: r.role_id as RoleId,
    passwordHash: r.password_hash,
    enabled: r.enabled === 1,
    locked: r.locked === 1,
    lockedUntil: r.locked_until,
    failedLogins: r.failed_logins,
    lastFailedAt: r.last_failed_at,
    passwordChangeRequired: r.password_change_required === 1,
    revision: r.revision,
    createdAt: r.created_at,
  };
}

/** Account rows. Ids are small integers as strings, assigned here, never reused while the row exists. */
export class AccountsRepo {
  // Every request reads its caller's account; all writes pass through this class, so a by-id copy stays current.
  private readonly byId = new Map<string, Account | null>();

  constructor(private readonly db: Db) {}

  list(): Account[] {
    return (prep(this.db, 'SELECT * FROM accounts ORDER BY CAST(id AS INTEGER)').all() as Row[]).map(toAccount);
  }

  count(): number {
    return (prep(this.db, 'SELECT COUNT(*) AS n FROM accounts').get() as { n: number }).n;
  }

  get(id: string): Account | undefined {
    const hit = this.byId.get(id);
    if (hit !== undefined) return hit ?? undefined;
    const r = prep(this.db, 'SELECT * FROM accounts WHERE id = ?').get(id) as Row | undefined;
    const a = r ? toAccount(r) : undefined;
    if (this.byId.size > 10_000) this.byId.clear();
    this.byId.set(id, a ?? null);
    return a;
  }

  byUsername(username: string): Account | undefined {
    const r = prep(this.db, 'SELECT * FROM accounts WHERE username = ?').get(username) as Row | undefined;
    return r && toAccount(r);
  }

  /** Inserts an account and returns it. Throws `UsernameTaken` if the name exists. */
  create(a: Omit<Account, 'id' | 'revision' | 'createdAt' | 'failedLogins' | 'lastFailedAt' | 'locked' | 'lockedUntil'>): Account {
    return this.db.transaction(() => {
      if (this.byUsername(a.username)) throw new UsernameTaken(a.username);
      const next = (prep(this.db, 'SELECT COALESCE(MAX(CAST(id AS INTEGER)), 0) + 1 AS n FROM accounts').get() as { n: number }).n;
      const id = String(next);
      prep(this.db, 
          `INSERT INTO accounts (id, username, role_id, password_hash, enabled, password_change_required, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, a.username, a.roleId, a.passwordHash, a.enabled ? 1 : 0, a.passwordChangeRequired ? 1 : 0, Date.now());
      this.byId.delete(id);
      return this.get(id)!;
    })();
  }

  /** Applies a partial update and bumps the revision. */
  update(id: string, patch: Partial<Pick<Account, 'username' | 'roleId' | 'passwordHash' | 'enabled' | 'locked' | 'lockedUntil' | 'failedLogins' | 'lastFailedAt' | 'passwordChangeRequired'>>): Account | undefined {
    const cols: Record<string, string> = {
      username: 'username',
      roleId: 'role_id',
      passwordHash: 'password_hash',
      enabled: 'enabled',
      locked: 'locked',
      lockedUntil: 'locked_until',
      failedLogins: 'failed_logins',
      lastFailedAt: 'last_failed_at',
      passwordChangeRequired: 'password_change_required',
    };
    const sets: string[] = [];
    const vals: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      const col = cols[k];
      if (!col || v === undefined) continue;
      sets.push(`${col} = ?`);
      vals.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    }
    if (sets.length === 0) return this.get(id);
    return this.db.transaction(() => {
      if (patch.username !== undefined) {
        const other = this.byUsername(patch.username);
        if (other && other.id !== id) throw new UsernameTaken(patch.username);
      }
      prep(this.db, `UPDATE accounts SET ${sets.join(', ')}, revision = revision + 1 WHERE id = ?`).run(...vals, id);
      this.byId.delete(id);
      return this.get(id);
    })();
  }

  delete(id: string): boolean {
    this.byId.delete(id);
    return prep(this.db, 'DELETE FROM accounts WHERE id = ?').run(id).changes > 0;
  }
}

export class UsernameTaken extends Error {
  constructor(readonly username: string) {
    super(`user name ${username} already exists`);
  }
}
