import { describe, expect, it, vi } from 'vitest';
import { CadenceGovernor } from '../../src/inventory/cadence.js';
import type { GateWindow } from '../../src/inventory/poll-gate.js';

const calm: GateWindow = { stateAdmitted: 10, stateMeanWaitMs: 0, stateOldestWaitMs: 0, peakInFlight: 2 };

/** A governor over scripted gate windows and event-loop readings. */
function governor(opts: { maxStretch?: number } = {}) {
  const feed = { window: calm, elu: 0.1 };
  const log = { warn: vi.fn(), info: vi.fn() };
  let now = 0;
  const g = new CadenceGovernor(() => feed.window, 10, { ...opts, elu: () => feed.elu, log, timers: { now: () => now, setTimeout: () => 0, clearTimeout: () => {} } });
  const tick = (n = 1) => {
    for (let i = 0; i < n; i++) {
      now += 2000;
      g.tick();
    }
  };
  return { g, feed, log, tick };
}

describe('CadenceGovernor', () => {
  it('stays at the drivers\' pace while state polls get their slots and the loop has room', () => {
    const { g, tick, log } = governor();
    tick(20);
    expect(g.reading).toEqual({ stretch: 1, reason: 'on-cadence' });
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('stretches by a quarter per tick while state polls wait, up to the cap', () => {
    const { g, feed, tick } = governor({ maxStretch: 4 });
    feed.window = { ...calm, stateMeanWaitMs: 400 };
    tick();
    expect(g.reading).toEqual({ stretch: 1.25, reason: 'slots' });
    tick();
    expect(g.stretch).toBeCloseTo(1.5625, 6);
    tick(20);
    expect(g.stretch).toBe(4);
    // A queue that admits nobody is late by its oldest waiter.
    const q = governor();
    q.feed.window = { ...calm, stateAdmitted: 0, stateOldestWaitMs: 1000 };
    q.tick();
    expect(q.g.reading.reason).toBe('slots');
  });

  it('stretches when the event loop is saturated, though no poll waits for a slot', () => {
    const { g, feed, tick } = governor();
    feed.elu = 0.99;
    tick(3);
    expect(g.reading.reason).toBe('cpu');
    expect(g.stretch).toBeCloseTo(1.953125, 6);
  });

  it('eases back to 1 once there is room, and holds while the gate stays full', () => {
    const { g, feed, tick, log } = governor();
    feed.window = { ...calm, stateMeanWaitMs: 1000 };
    tick(5);
    const top = g.stretch;
    feed.window = { ...calm, peakInFlight: 10 };
    tick(3);
    expect(g.reading).toEqual({ stretch: top, reason: 'holding' });
    feed.window = calm;
    tick();
    expect(g.reading.reason).toBe('recovering');
    expect(g.stretch).toBeCloseTo(top / 1.1, 6);
    tick(30);
    expect(g.reading).toEqual({ stretch: 1, reason: 'on-cadence' });
    expect(log.warn.mock.calls[0]![1]).toMatch(/slower than the drivers ask/);
    expect(log.info).toHaveBeenCalledTimes(1);
    expect(log.info.mock.calls[0]![1]).toMatch(/back at the pace/);
  });

  it('logs when polling slows, then at most once a minute while it stays slow', () => {
    const { feed, tick, log } = governor();
    feed.window = { ...calm, stateMeanWaitMs: 1000 };
    tick(90); // three minutes of ticks
    expect(log.warn.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(log.warn.mock.calls.length).toBeLessThanOrEqual(4);
    expect(log.warn.mock.calls[1]![0]).toMatchObject({ stretch: 8, reason: 'slots' });
  });

  it('refuses a cap below 1', () => {
    expect(() => new CadenceGovernor(() => calm, 1, { maxStretch: 0.5 })).toThrow(RangeError);
  });
});
