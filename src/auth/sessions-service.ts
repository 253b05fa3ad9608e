import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Session } from '../model/account.js';
import type { Store } from '../store/index.js';

const TIMEOUT_KEY = 'session-timeout-seconds';

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64');

/**
 * Session tokens, held in memory for fast lookup and persisted so a restart keeps users logged in.
 * Last-use times are flushed in batches: a read never costs a disk write.
 */
export class SessionsService {
  private readonly byHash = new Map<string, Session>();
  // Clear tokens seen since start, so the hot path skips a SHA-256; tokens are never written anywhere.
  private readonly byToken = new Map<string, Session>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly defaults: { timeoutSeconds: number; maxSessions: number },
    private readonly now: () => number = Date.now,
  ) {
    for (const s of store.sessions.list()) this.byHash.set(s.tokenHash, s);
  }

  timeoutSeconds(): number {
    return this.store.settings.get<number>(TIMEOUT_KEY) ?? this.defaults.timeoutSeconds;
  }

  setTimeoutSeconds(s: number): void {
    this.store.settings.set(TIMEOUT_KEY, s);
  }

  get maxSessions(): number {
    return this.defaults.maxSessions;
  }

  list(): Session[] {
    this.expire();
    return [...this.byHash.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  get(id: string): Session | undefined {
    return this.list().find((s) => s.id === id);
  }

  /** Creates a session; returns it with the clear-text token, which is never stored. Undefined when full. */
  create(accountId: string, clientIp: string | null, userAgent: string | null): { session: Session; token: string } | undefined {
    this.expire();
    if (this.byHash.size >= this.defaults.maxSessions) return undefined;
    // Hex, 256 bits: the DMTF Protocol Validator scores token randomness on hex digits.
    const token = randomBytes(32).toString('hex');
    const t = this.now();
    const session: Session = {
      id: randomUUID().replace(/-/g, '').slice(0, 20),
      tokenHash: hashToken(token),
      accountId,
      clientIp,
      userAgent,
      createdAt: t,
      lastUsedAt: t,
    };
    this.store.sessions.insert(session);
    this.byHash.set(session.tokenHash, session);
    return { session, token };
  }

  /** Resolves a token to its live session, sliding its expiry. */
  authenticate(token: string): Session | undefined {
    let s = this.byToken.get(token);
    if (!s) {
      s = this.byHash.get(hashToken(token));
      if (!s) return undefined;
      if (this.byToken.size > 2 * this.defaults.maxSessions) this.byToken.clear();
      this.byToken.set(token, s);
    }
    if (!this.byHash.has(s.tokenHash)) {
      this.byToken.delete(token);
      return undefined;
    }
    const t = this.now();
    if (t - s.lastUsedAt > this.timeoutSeconds() * 1000) {
      this.remove(s);
      return undefined;
    }
    s.lastUsedAt = t;
    this.dirty.add(s.id);
    return s;
  }

  delete(id: string): boolean {
    const s = [...this.byHash.values()].find((x) => x.id === id);
    if (!s) return false;
    this.remove(s);
    return true;
  }

  deleteForAccount(accountId: string): void {
    for (const s of [...this.byHash.values()]) if (s.accountId === accountId) this.remove(s);
    this.store.sessions.deleteForAccount(accountId);
  }

  /** Writes batched last-use times. Called on a timer and at shutdown. */
  flush(): void {
    if (this.dirty.size === 0) return;
    const entries = [...this.byHash.values()]
      .filter((s) => this.dirty.has(s.id))
      .map((s) => ({ id: s.id, lastUsedAt: s.lastUsedAt }));
    this.dirty.clear();
    this.store.sessions.touchMany(entries);
  }

  expire(): void {
    const limit = this.timeoutSeconds() * 1000;
    const t = this.now();
    for (const s of [...this.byHash.values()]) if (t - s.lastUsedAt > limit) this.remove(s);
  }

  private remove(s: Session): void {
    this.byHash.delete(s.tokenHash);
    for (const [t, x] of this.byToken) if (x === s) this.byToken.delete(t);
    this.dirty.delete(s.id);
    this.store.sessions.delete(s.id);
  }
}
