import { createHash } from 'node:crypto';
import type { ShoalConfig } from '../config/config.js';
import { ROLES, type Account, type Principal, type RoleId } from '../model/account.js';
import type { Store } from '../store/index.js';
import { hashPassword, randomPassword, verifyPassword } from './passwords.js';

/** Account policy: config gives the defaults, AccountService PATCH changes them, the store keeps the changes. */
export interface AccountPolicy {
  lockoutThreshold: number;
  lockoutDurationSeconds: number;
  lockoutCounterResetAfterSeconds: number;
  minPasswordLength: number;
  maxPasswordLength: number;
}

export type PasswordProblem = 'PasswordIncorrectLength' | null;

export type LoginFailure = 'bad-credentials' | 'locked' | 'disabled';

const POLICY_KEY = 'account-policy';
const BASIC_CACHE_MS = 60_000;

/**
 * Accounts, passwords, lockout and credential checks.
 * Basic auth would otherwise pay an scrypt per request, so verified credentials are cached briefly, keyed by a hash
 * of user and password and tied to the account revision, so any account change invalidates them.
 */
export class AccountsService {
  private readonly basicCache = new Map<string, { accountId: string; revision: number; at: number }>();
  private readonly principals = new Map<string, Principal>();

  constructor(
    private readonly store: Store,
    private readonly config: ShoalConfig,
    private readonly now: () => number = Date.now,
  ) {}

  policy(): AccountPolicy {
    return { ...this.config.accounts, ...this.store.settings.get<Partial<AccountPolicy>>(POLICY_KEY) };
  }

  setPolicy(patch: Partial<AccountPolicy>): AccountPolicy {
    const next = { ...this.policy(), ...patch };
    this.store.settings.set(POLICY_KEY, next);
    return next;
  }

  checkPassword(password: string): PasswordProblem {
    const p = this.policy();
    if (password.length < p.minPasswordLength || password.length > p.maxPasswordLength) return 'PasswordIncorrectLength';
    return null;
  }

  /** Creates the first Administrator when the store has no accounts. Returns the password only if it was generated. */
  async bootstrap(): Promise<{ username: string; generatedPassword?: string } | undefined> {
    if (this.store.accounts.count() > 0) return undefined;
    const generated = this.config.adminPassword ? undefined : randomPassword();
    const password = this.config.adminPassword ?? generated!;
    this.store.accounts.create({
      username: 'admin',
      roleId: 'Administrator',
      passwordHash: await hashPassword(password),
      enabled: true,
      passwordChangeRequired: false,
    });
    return generated ? { username: 'admin', generatedPassword: generated } : { username: 'admin' };
  }

  list(): Account[] {
    return this.store.accounts.list();
  }

  get(id: string): Account | undefined {
    return this.store.accounts.get(id);
  }

  async create(username: string, password: string, roleId: RoleId, enabled: boolean): Promise<Account> {
    return this.store.accounts.create({
      username,
      roleId,
      passwordHash: await hashPassword(password),
      enabled,
      passwordChangeRequired: false,
    });
  }

  async update(
    id: string,
    patch: {
      username?: string;
      password?: string;
      roleId?: RoleId;
      enabled?: boolean;
      locked?: boolean;
      passwordChangeRequired?: boolean;
    },
  ): Promise<Account | undefined> {
    const rec: Parameters<Store['accounts']['update']>[1] = {};
    if (patch.username !== undefined) rec.username = patch.username;
    if (patch.roleId !== undefined) rec.roleId = patch.roleId;
    if (patch.enabled !== undefined) rec.enabled = patch.enabled;
    if (patch.password !== undefined) {
      rec.passwordHash = await hashPassword(patch.password);
      rec.passwordChangeRequired = false; // the change it required has happened
    }
    if (patch.passwordChangeRequired !== undefined) rec.passwordChangeRequired = patch.passwordChangeRequired;
    if (patch.locked === false) Object.assign(rec, { locked: false, lockedUntil: null, failedLogins: 0 });
    return this.store.accounts.update(id, rec);
  }

  delete(id: string): boolean {
    return this.store.accounts.delete(id);
  }

  /** The caller as the pipeline sees it; reused while the account is unchanged, since every request needs one. */
  principalFor(a: Account, sessionId?: string): Principal {
    const key = `${a.id}:${a.revision}:${sessionId ?? ''}`;
    const hit = this.principals.get(key);
    if (hit) return hit;
    if (this.principals.size > 10_000) this.principals.clear();
    const p: Principal = {
      accountId: a.id,
      username: a.username,
      roleId: a.roleId,
      privileges: new Set(ROLES[a.roleId]),
      passwordChangeRequired: a.passwordChangeRequired,
      ...(sessionId ? { sessionId } : {}),
    };
    this.principals.set(key, p);
    return p;
  }

  /** Checks a user name and password, applying lockout. */
  async login(username: string, password: string): Promise<{ ok: true; account: Account } | { ok: false; why: LoginFailure }> {
    const key = createHash('sha256').update(`${username}\0${password}`).digest('base64');
    const hit = this.basicCache.get(key);
    const t = this.now();
    if (hit && t - hit.at < BASIC_CACHE_MS) {
      const a = this.store.accounts.get(hit.accountId);
      if (a && a.revision === hit.revision && a.enabled && !this.isLocked(a, t)) return { ok: true, account: a };
      this.basicCache.delete(key);
    }
    const a = this.store.accounts.byUsername(username);
    if (!a) {
      // Spend the same time as a real check so response timing does not reveal which user names exist.
      await verifyPassword(password, DUMMY_HASH);
      return { ok: false, why: 'bad-credentials' };
    }
    if (this.isLocked(a, t)) return { ok: false, why: 'locked' };
    const good = await verifyPassword(password, a.passwordHash);
    if (!good) {
      this.recordFailure(a, t);
      return { ok: false, why: 'bad-credentials' };
    }
    if (!a.enabled) return { ok: false, why: 'disabled' };
    let current = a;
    if (a.failedLogins > 0 || a.locked) {
      current = this.store.accounts.update(a.id, { failedLogins: 0, locked: false, lockedUntil: null }) ?? a;
    }
    this.basicCache.set(key, { accountId: current.id, revision: current.revision, at: t });
    if (this.basicCache.size > 10_000) this.basicCache.clear();
    return { ok: true, account: current };
  }

  /** Locked now? A lock whose duration has passed is lifted lazily, on the next login attempt. */
  isLocked(a: Account, t = this.now()): boolean {
    if (!a.locked) return false;
    if (a.lockedUntil !== null && a.lockedUntil <= t) {
      this.store.accounts.update(a.id, { locked: false, lockedUntil: null, failedLogins: 0 });
      return false;
    }
    return true;
  }

  private recordFailure(a: Account, t: number): void {
    const p = this.policy();
    const stale = a.lastFailedAt !== null && t - a.lastFailedAt > p.lockoutCounterResetAfterSeconds * 1000;
    const failed = (stale ? 0 : a.failedLogins) + 1;
    const lock = p.lockoutThreshold > 0 && failed >= p.lockoutThreshold;
    this.store.accounts.update(a.id, {
      failedLogins: failed,
      lastFailedAt: t,
      ...(lock ? { locked: true, lockedUntil: p.lockoutDurationSeconds > 0 ? t + p.lockoutDurationSeconds * 1000 : null } : {}),
    });
  }
}

// A fixed scrypt hash of a random string, used only to equalise timing for unknown users.
const DUMMY_HASH =
  'scrypt$16384$8$1$c2hvYWwtZHVtbXktc2FsdA==$Jr3gYxk0w3nQy5o2hM1ZHq6b1y0E9cXo2V4b0x8w2Xg=';
