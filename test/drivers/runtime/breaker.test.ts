import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerState } from '../../../src/drivers/runtime/breaker.js';

function make(threshold = 3, openMs = 1000, maxOpenMs = 4000) {
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const b = new CircuitBreaker({ threshold, openMs, maxOpenMs, now: clock.now });
  const changes: BreakerState[] = [];
  b.onChange = (s) => changes.push(s);
  return { b, clock, changes };
}

/** Lets one trial call fail and returns the open time that followed. */
function failTrial(b: CircuitBreaker): number {
  const p = b.tryPass();
  if (!p.ok || !p.trial) throw new Error(`expected a trial pass, got ${JSON.stringify(p)}`);
  b.failure(true);
  return b.retryInMs();
}

describe('CircuitBreaker', () => {
  it('opens after `threshold` consecutive failures, not before', () => {
    const { b, changes } = make(3);
    b.failure(false);
    b.failure(false);
    expect(b.state).toBe('closed');
    expect(b.tryPass()).toEqual({ ok: true, trial: false });
    b.failure(false);
    expect(b.state).toBe('open');
    expect(b.tryPass()).toEqual({ ok: false });
    expect(changes).toEqual(['open']);
  });

  it('a success resets the consecutive count', () => {
    const { b } = make(3);
    b.failure(false);
    b.failure(false);
    b.success(false);
    expect(b.consecutiveFailures).toBe(0);
    b.failure(false);
    b.failure(false);
    expect(b.state).toBe('closed');
  });

  it('half-opens after openMs and lets exactly one trial through', () => {
    const { b, clock } = make(1, 1000);
    b.failure(false);
    clock.advance(999);
    expect(b.state).toBe('open');
    expect(b.retryInMs()).toBe(1);
    expect(b.tryPass()).toEqual({ ok: false });
    clock.advance(1);
    expect(b.state).toBe('half-open');
    expect(b.tryPass()).toEqual({ ok: true, trial: true });
    // Everyone else waits while the trial is out.
    expect(b.tryPass()).toEqual({ ok: false });
    expect(b.tryPass()).toEqual({ ok: false });
  });

  it('a successful trial closes the breaker and restores the initial open time', () => {
    const { b, clock, changes } = make(1, 1000, 8000);
    b.failure(false);
    clock.advance(1000);
    expect(failTrial(b)).toBe(2000);
    clock.advance(2000);
    const p = b.tryPass();
    expect(p).toEqual({ ok: true, trial: true });
    b.success(true);
    expect(b.state).toBe('closed');
    expect(b.tryPass()).toEqual({ ok: true, trial: false });
    expect(changes).toEqual(['open', 'open', 'closed']);
    // The next opening starts again from openMs, not from the doubled time.
    b.failure(false);
    expect(b.retryInMs()).toBe(1000);
  });

  it('a failed trial doubles the open time, up to maxOpenMs', () => {
    const { b, clock } = make(1, 1000, 5000);
    b.failure(false);
    expect(b.retryInMs()).toBe(1000);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(b.retryInMs());
      expect(b.state).toBe('half-open');
      seen.push(failTrial(b));
      expect(b.state).toBe('open');
    }
    expect(seen).toEqual([2000, 4000, 5000, 5000, 5000]);
  });

  it('an abandoned trial frees the trial slot without judging the device', () => {
    const { b, clock, changes } = make(1, 1000);
    b.failure(false);
    clock.advance(1000);
    expect(b.tryPass()).toEqual({ ok: true, trial: true });
    b.abandon(true);
    expect(b.state).toBe('half-open');
    expect(b.tryPass()).toEqual({ ok: true, trial: true });
    expect(changes).toEqual(['open']);
  });
});
