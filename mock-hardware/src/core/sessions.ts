import { randomBytes } from 'node:crypto';

export interface Session {
  id: string;
  token: string;
  user: string;
  created: number;
  lastUsed: number;
}

/**
 * Login sessions of one BMC. Real BMCs cap concurrent sessions (bmcweb and NVIDIA's BMC both do) and answer 503
 * when full; sessions live in BMC memory, so a BMC reboot drops them all.
 */
export class SessionStore {
  private readonly byToken = new Map<string, Session>();
  private nextId = 1;

  constructor(
    readonly cap: number,
    readonly timeoutMs: () => number,
    private readonly now: () => number,
  ) {}

  /** Returns undefined when the cap is reached. Tokens come from the OS CSPRNG: they guard a real socket. */
  create(user: string): Session | undefined {
    this.expire();
    if (this.byToken.size >= this.cap) return undefined;
    const t = this.now();
    const s: Session = { id: String(this.nextId++), token: randomBytes(16).toString('hex'), user, created: t, lastUsed: t };
    this.byToken.set(s.token, s);
    return s;
  }

  touch(token: string): Session | undefined {
    const s = this.byToken.get(token);
    if (!s) return undefined;
    const t = this.now();
    if (t - s.lastUsed > this.timeoutMs()) {
      this.byToken.delete(token);
      return undefined;
    }
    s.lastUsed = t;
    return s;
  }

  get(id: string): Session | undefined {
    this.expire();
    for (const s of this.byToken.values()) if (s.id === id) return s;
    return undefined;
  }

  delete(id: string): boolean {
    for (const [k, s] of this.byToken) {
      if (s.id === id) {
        this.byToken.delete(k);
        return true;
      }
    }
    return false;
  }

  list(): Session[] {
    this.expire();
    return [...this.byToken.values()];
  }

  clear(): void {
    this.byToken.clear();
  }

  get size(): number {
    return this.byToken.size;
  }

  private expire(): void {
    const t = this.now();
    for (const [k, s] of this.byToken) if (t - s.lastUsed > this.timeoutMs()) this.byToken.delete(k);
  }
}
