/**
 * Fixed-window limit on login attempts per client address. Account lockout stops guessing one account; this stops
 * one client from spraying many accounts.
 */
export class LoginLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an attempt. Returns 0 when allowed, else the seconds until the client may try again. */
  attempt(client: string): number {
    const t = this.now();
    let w = this.windows.get(client);
    if (!w || t - w.start >= 60_000) {
      w = { start: t, count: 0 };
      this.windows.set(client, w);
    }
    w.count++;
    if (this.windows.size > 10_000) this.prune(t);
    return w.count > this.perMinute ? Math.ceil((w.start + 60_000 - t) / 1000) : 0;
  }

  private prune(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= 60_000) this.windows.delete(k);
  }
}
