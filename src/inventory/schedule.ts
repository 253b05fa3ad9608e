/**
 * Time and chance for the poll coordinators, injectable so tests run on fake time and a fixed seed, plus the pure
 * arithmetic of jitter and backoff.
 */

/** The clock and timers a coordinator runs on. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The process clock. Globals are looked up at each call, not captured at import, so test fake timers installed later
 * still apply. Handles are unref'd: pending polls alone must not keep a process alive.
 */
export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const h = globalThis.setTimeout(fn, ms);
    (h as { unref?: () => void }).unref?.();
    return h;
  },
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

/** A deterministic uniform [0, 1) generator (mulberry32): same seed, same schedule. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `ms` moved by up to ±`fraction` of itself. Thousands of devices added together would otherwise poll in lock-step
 * forever; jitter lets their phases drift apart.
 */
export function jittered(ms: number, random: () => number, fraction = 0.1): number {
  return Math.max(0, ms * (1 + fraction * (2 * random() - 1)));
}

/** Bounds on backoff: never more than `maxFactor` times the interval, nor than `maxMs`, yet never below the interval. */
export interface BackoffLimits {
  maxMs: number;
  maxFactor: number;
}

/** The default limits: 10× the interval, at most 5 minutes. */
export const DEFAULT_BACKOFF: BackoffLimits = { maxMs: 5 * 60_000, maxFactor: 10 };

/**
 * The wait before the next attempt after `failures` consecutive failures: the interval after the first, doubling
 * after each further one, capped. The cap never undercuts the interval itself, so a slow inventory cadence (an hour)
 * is not sped up by failing.
 */
export function backoffDelay(intervalMs: number, failures: number, limits: BackoffLimits = DEFAULT_BACKOFF): number {
  if (failures <= 1) return intervalMs;
  const cap = Math.max(intervalMs, Math.min(intervalMs * limits.maxFactor, limits.maxMs));
  // 2 ** 40 already exceeds any cap; stopping there keeps the product finite however long a device stays down.
  return Math.min(cap, intervalMs * 2 ** Math.min(failures - 1, 40));
}
