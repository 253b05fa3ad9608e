/**
 * Pacing for sweeps: a token bucket that bounds how many probes start per second. A sweep of a /16 at full speed
 * would look like an attack to every IDS on the path and fill conntrack tables; the bucket spreads it out.
 */

/** Time for the bucket. Injectable so that tests drive it without real waiting. */
export interface RateClock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
}

/** The real clock: `performance.now()` and the global timers (so vitest's fake timers drive it too). */
export const systemClock: RateClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** Why a wait for a token ended early: the caller's signal fired. */
export class RateWaitAborted extends Error {
  constructor() {
    super('cancelled while waiting for the rate limiter');
    this.name = 'RateWaitAborted';
  }
}

interface Waiter {
  resolve(): void;
  reject(e: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. `take()` resolves when a token is
 * available, first come first served. Over any interval of `t` ms, at most `burst + t * ratePerSecond / 1000` takes
 * resolve.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiters: Waiter[] = [];
  private cancelTimer: (() => void) | undefined;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number = Math.max(1, Math.ceil(ratePerSecond / 20)),
    private readonly clock: RateClock = systemClock,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError(`ratePerSecond must be a positive number, got ${ratePerSecond}`);
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    // A sweep starts with a full bucket: the first `burst` probes go at once.
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Callers waiting for a token. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Resolves when the caller may start one probe; rejects with {@link RateWaitAborted} when `signal` fires first. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new RateWaitAborted());
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { resolve, reject };
      if (signal) {
        w.signal = signal;
        w.onAbort = () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          if (this.waiters.length === 0) this.stopTimer();
          reject(new RateWaitAborted());
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiters.push(w);
      this.schedule();
    });
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
  }

  private stopTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** One timer for the whole queue, set for when the next token is due. */
  private schedule(): void {
    if (this.cancelTimer || this.waiters.length === 0) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond));
    this.cancelTimer = this.clock.setTimeout(() => {
      this.cancelTimer = undefined;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        const w = this.waiters.shift()!;
        if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
        w.resolve();
      }
      this.schedule();
    }, wait);
  }
}
