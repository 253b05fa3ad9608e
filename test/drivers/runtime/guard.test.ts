import { afterEach, describe, expect, it, vi } from 'vitest';
import { DriverError, type DriverErrorCode } from '../../../src/drivers/api.js';
import { DEFAULT_GUARD, EndpointGuard, type GuardOptions } from '../../../src/drivers/runtime/guard.js';

function guard(o: Partial<GuardOptions> = {}): EndpointGuard {
  return new EndpointGuard('ep-1', { ...DEFAULT_GUARD, timeoutMs: 1000, retries: 2, backoffMs: 100, breakerThreshold: 3, breakerOpenMs: 1000, random: () => 0, ...o });
}

/** A work function that fails with the given codes in turn, then succeeds; records when each attempt started. */
function script(...codes: (DriverErrorCode | { code: DriverErrorCode; retryAfterMs: number } | Error)[]) {
  const calls: number[] = [];
  const fn = vi.fn(async (_signal: AbortSignal) => {
    calls.push(Date.now());
    const next = codes[calls.length - 1];
    if (next === undefined) return 'ok';
    if (next instanceof Error) throw next;
    if (typeof next === 'string') throw new DriverError(next, `scripted ${next}`);
    throw new DriverError(next.code, `scripted ${next.code}`, { retryAfterMs: next.retryAfterMs });
  });
  return { fn, calls };
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('EndpointGuard: timeouts', () => {
  it('fails with DriverError Timeout even when the work ignores the signal', async () => {
    const g = guard({ timeoutMs: 20, retries: 0 });
    let sawAbort = false;
    const p = g.run((signal) => {
      signal.addEventListener('abort', () => (sawAbort = true));
      return new Promise<never>(() => {}); // never settles, never looks at the signal
    });
    await expect(p).rejects.toMatchObject({ name: 'DriverError', code: 'Timeout' });
    expect(sawAbort).toBe(true);
    expect(g.limiter.inFlight).toBe(0); // the slot came back although the work is still "running"
    expect(g.breaker.consecutiveFailures).toBe(1);
  });

  it('a per-call timeout overrides the default', async () => {
    const g = guard({ timeoutMs: 60_000, retries: 0 });
    await expect(g.run(() => new Promise<never>(() => {}), { timeoutMs: 10 })).rejects.toMatchObject({ code: 'Timeout' });
  });

  it("a caller's abort ends the call as Cancelled and does not count against the device", async () => {
    const g = guard({ breakerThreshold: 1 });
    const ac = new AbortController();
    const p = g.run(() => new Promise<never>(() => {}), { signal: ac.signal, idempotent: true });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'Cancelled' });
    expect(g.breaker.state).toBe('closed');
    expect(g.limiter.inFlight).toBe(0);
  });
});

describe('EndpointGuard: retries', () => {
  it.each(['Unavailable', 'Timeout', 'Busy'] as const)('retries an idempotent call that failed with %s, up to `retries` times', async (code) => {
    vi.useFakeTimers();
    const g = guard({ retries: 2, breakerThreshold: 10 });
    const { fn } = script(code, code, code, code);
    const p = g.run(fn, { idempotent: true });
    const check = expect(p).rejects.toMatchObject({ code });
    await vi.runAllTimersAsync();
    await check;
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('succeeds when a retry succeeds', async () => {
    vi.useFakeTimers();
    const g = guard({ retries: 2 });
    const { fn } = script('Busy', 'Unavailable');
    const p = g.run(fn, { idempotent: true });
    await vi.runAllTimersAsync();
    await expect(p).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it.each(['Unavailable', 'Timeout', 'Busy'] as const)('never retries a non-idempotent call (%s)', async (code) => {
    vi.useFakeTimers();
    const g = guard({ retries: 5, breakerThreshold: 10 });
    const { fn } = script(code, code);
    const p = g.run(fn);
    const check = expect(p).rejects.toMatchObject({ code });
    await vi.runAllTimersAsync();
    await check;
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('waits with exponential backoff, and at least as long as the device asked with Retry-After', async () => {
    vi.useFakeTimers();
    // random() = 0 makes the jittered backoff exactly half the base: attempt 2 waits 50 ms, attempt 3 waits 100 ms.
    const g = guard({ retries: 3, backoffMs: 100, breakerThreshold: 10, random: () => 0 });
    const { fn, calls } = script({ code: 'Busy', retryAfterMs: 5000 }, 'Unavailable', 'Timeout');
    const p = g.run(fn, { idempotent: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(4999);
    expect(fn).toHaveBeenCalledTimes(1); // the backoff alone (50 ms) would have retried long ago
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(99);
    expect(fn).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(199);
    expect(fn).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1);
    await expect(p).resolves.toBe('ok');
    expect(calls.map((t) => t - calls[0]!)).toEqual([0, 5000, 5100, 5300]);
  });

  it('caps a huge Retry-After at 30 s', async () => {
    vi.useFakeTimers();
    const g = guard({ retries: 1 });
    const { fn, calls } = script({ code: 'Busy', retryAfterMs: 3_600_000 });
    const p = g.run(fn, { idempotent: true });
    await vi.advanceTimersByTimeAsync(30_000);
    await expect(p).resolves.toBe('ok');
    expect(calls[1]! - calls[0]!).toBe(30_000);
  });

  it('a caller abort during the backoff ends the call without another attempt', async () => {
    vi.useFakeTimers();
    const g = guard({ retries: 3 });
    const { fn } = script({ code: 'Busy', retryAfterMs: 10_000 });
    const ac = new AbortController();
    const p = g.run(fn, { idempotent: true, signal: ac.signal });
    const check = expect(p).rejects.toMatchObject({ code: 'Cancelled' });
    await vi.advanceTimersByTimeAsync(1000);
    ac.abort();
    await check;
    await vi.runAllTimersAsync();
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it.each(['Rejected', 'BadResponse', 'AuthenticationFailed', 'NotSupported', 'TlsTrustFailed'] as const)('does not retry %s and does not open the breaker', async (code) => {
    const g = guard({ retries: 3, breakerThreshold: 1 });
    for (let i = 0; i < 5; i++) {
      const { fn } = script(code);
      await expect(g.run(fn, { idempotent: true })).rejects.toMatchObject({ code });
      expect(fn).toHaveBeenCalledTimes(1);
    }
    expect(g.breaker.state).toBe('closed');
    expect(g.breaker.consecutiveFailures).toBe(0);
  });

  it('wraps anything else a driver throws into a DriverError (BadResponse), not retried', async () => {
    const g = guard({ retries: 3, breakerThreshold: 1 });
    const { fn } = script(new SyntaxError('Unexpected token < in JSON'));
    const e = await g.run(fn, { idempotent: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DriverError);
    expect(e).toMatchObject({ code: 'BadResponse' });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(g.breaker.state).toBe('closed');
  });
});

describe('EndpointGuard: circuit breaker', () => {
  it('opens after the threshold of device-down failures and stops retrying once open', async () => {
    vi.useFakeTimers();
    const g = guard({ retries: 5, breakerThreshold: 2 });
    const { fn } = script('Unavailable', 'Unavailable', 'Unavailable', 'Unavailable');
    const p = g.run(fn, { idempotent: true });
    const check = expect(p).rejects.toMatchObject({ code: 'Unavailable' });
    await vi.runAllTimersAsync();
    await check;
    expect(fn).toHaveBeenCalledTimes(2);
    expect(g.availability).toBe('open');
  });

  it('an open breaker fails fast with Unavailable without calling the work', async () => {
    let t = 0;
    const g = guard({ breakerThreshold: 1, breakerOpenMs: 1000, now: () => t });
    await expect(g.run(script('Unavailable').fn)).rejects.toMatchObject({ code: 'Unavailable' });
    expect(g.availability).toBe('open');
    const work = vi.fn(async () => 'ok');
    t = 400;
    const e = (await g.run(work, { idempotent: true }).catch((x: unknown) => x)) as DriverError;
    expect(e).toBeInstanceOf(DriverError);
    expect(e.code).toBe('Unavailable');
    expect(e.message).toMatch(/circuit open/);
    expect(e.details.retryAfterMs).toBe(600);
    expect(work).not.toHaveBeenCalled();
  });

  it('half-open: one trial call goes; success closes the breaker, failure reopens it', async () => {
    let t = 0;
    const g = guard({ breakerThreshold: 1, breakerOpenMs: 1000, breakerMaxOpenMs: 10_000, now: () => t });
    await expect(g.run(script('Timeout').fn)).rejects.toMatchObject({ code: 'Timeout' });
    t = 1000;
    expect(g.availability).toBe('half-open');
    // A failed trial reopens for twice as long.
    await expect(g.run(script('Unavailable').fn)).rejects.toMatchObject({ code: 'Unavailable' });
    expect(g.availability).toBe('open');
    expect(g.breaker.retryInMs()).toBe(2000);
    t = 3000;
    // While the trial is out, other callers fail fast.
    const trial = deferred<string>();
    const p1 = g.run(() => trial.promise);
    await new Promise((r) => setImmediate(r)); // the trial has taken its pass
    const other = vi.fn(async () => 'other');
    await expect(g.run(other)).rejects.toMatchObject({ code: 'Unavailable' });
    expect(other).not.toHaveBeenCalled();
    trial.resolve('ok');
    await expect(p1).resolves.toBe('ok');
    expect(g.availability).toBe('closed');
    await expect(g.run(other)).resolves.toBe('other');
  });

  it('callers queued behind the in-flight cap fail fast once the breaker opens, without calling their work', async () => {
    const g = guard({ maxInFlight: 1, breakerThreshold: 1, retries: 2 });
    const first = deferred<string>();
    const p1 = g.run(() => first.promise, { idempotent: false });
    const queuedWork = vi.fn(async () => 'late');
    const p2 = g.run(queuedWork, { idempotent: true });
    const p3 = g.run(queuedWork, { idempotent: false });
    await new Promise((r) => setImmediate(r));
    expect(g.limiter.queued).toBe(2);
    first.reject(new DriverError('Unavailable', 'ECONNREFUSED'));
    await expect(p1).rejects.toMatchObject({ code: 'Unavailable' });
    await expect(p2).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringMatching(/circuit open/) });
    await expect(p3).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringMatching(/circuit open/) });
    expect(queuedWork).not.toHaveBeenCalled();
    expect(g.limiter.inFlight).toBe(0);
    expect(g.limiter.queued).toBe(0);
  });

  it('Busy answers do not open the breaker (the device is alive)', async () => {
    const g = guard({ retries: 0, breakerThreshold: 1 });
    for (let i = 0; i < 3; i++) await expect(g.run(script('Busy').fn)).rejects.toMatchObject({ code: 'Busy' });
    expect(g.availability).toBe('closed');
  });
});
