import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DriverError } from '../../src/drivers/api.js';
import type { ManagedDevice } from '../../src/drivers/runtime/index.js';
import { InventoryCoordinators } from '../../src/inventory/coordinator-pool.js';
import { DeviceCoordinator, type CoordinatorOptions, type InventorySink, type PollKind, type PolledDevice } from '../../src/inventory/coordinator.js';
import { backoffDelay, jittered, seededRandom } from '../../src/inventory/schedule.js';

// The runtime's ManagedDevice is what the coordinator will poll in the gateway: it must fit the port.
const fits: (d: ManagedDevice) => PolledDevice = (d) => d;
void fits;

const S = 1000;
const POLLING = { stateSeconds: 10, inventorySeconds: 60, firmwareSeconds: 3600 };
const steady = () => 0.5; // no jitter: exact schedules

type Answer = { value: unknown } | { error: unknown } | 'hang';

/** A device whose answers a test scripts, recording every call and how many overlap. */
class FakeDevice implements PolledDevice {
  calls: { kind: PollKind; at: number; signal: AbortSignal | undefined; timeoutMs: number | undefined }[] = [];
  active = 0;
  maxActive = 0;
  latencyMs = 0;
  answer: (kind: PollKind, n: number) => Answer = (kind) => ({ value: kind === 'state' ? [{ id: 'sys' }] : { systems: [] } });

  constructor(private readonly shared?: { active: number; max: number }) {}

  async call(kind: PollKind, _args: [], opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown> {
    this.calls.push({ kind, at: Date.now(), signal: opts.signal, timeoutMs: opts.timeoutMs });
    const a = this.answer(kind, this.calls.length);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    if (this.shared) this.shared.max = Math.max(this.shared.max, ++this.shared.active);
    try {
      if (a === 'hang') return await new Promise(() => {}); // ignores its signal on purpose
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      if ('error' in a) throw a.error;
      return a.value;
    } finally {
      this.active--;
      if (this.shared) this.shared.active--;
    }
  }

  times(kind: PollKind): number[] {
    return this.calls.filter((c) => c.kind === kind).map((c) => c.at);
  }
}

/** A sink that records what it is told. */
function recorder(): InventorySink & { log: string[]; errors: { kind: PollKind; code: string; n: number }[] } {
  const log: string[] = [];
  const errors: { kind: PollKind; code: string; n: number }[] = [];
  return {
    log,
    errors,
    onInventory: (id, _s, at) => void log.push(`inventory ${id} ${at}`),
    onState: (id, _s, at) => void log.push(`state ${id} ${at}`),
    onError: (id, kind, e, _at, n) => {
      log.push(`error ${id} ${kind} ${e.code} ${n}`);
      errors.push({ kind, code: e.code, n });
    },
  };
}

const gaps = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]!);

describe('schedule arithmetic', () => {
  it('jitters within ±10% and uses the whole range', () => {
    expect(jittered(10_000, () => 0)).toBe(9_000);
    expect(jittered(10_000, () => 0.5)).toBe(10_000);
    expect(jittered(10_000, () => 0.999999)).toBeCloseTo(11_000, 0);
    const rnd = seededRandom(7);
    const xs = Array.from({ length: 1000 }, () => jittered(10_000, rnd));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(9_000);
    expect(Math.max(...xs)).toBeLessThan(11_000);
    expect(Math.min(...xs)).toBeLessThan(9_100);
    expect(Math.max(...xs)).toBeGreaterThan(10_900);
  });

  it('doubles from the interval, caps at 10x or 5 min, and never below the interval', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => backoffDelay(10_000, n))).toEqual([10_000, 20_000, 40_000, 80_000, 100_000, 100_000, 100_000]);
    expect(backoffDelay(60_000, 9)).toBe(300_000);
    expect(backoffDelay(3_600_000, 5)).toBe(3_600_000);
    expect(backoffDelay(10_000, 1e9)).toBe(100_000);
  });

  it('repeats a seeded sequence', () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });
});

describe('DeviceCoordinator', () => {
  let coordinators: DeviceCoordinator[] = [];
  const make = (dev: PolledDevice, opts: Partial<CoordinatorOptions> = {}, polling = POLLING) => {
    const c = new DeviceCoordinator('d1', dev, polling, { sink: recorder(), random: steady, ...opts });
    coordinators.push(c);
    return c;
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(async () => {
    await Promise.all(coordinators.map((c) => c.stop()));
    coordinators = [];
    vi.useRealTimers();
  });

  it('reads inventory at start, then state every stateSeconds and inventory every inventorySeconds', async () => {
    const dev = new FakeDevice();
    make(dev).start(5 * S);
    await vi.advanceTimersByTimeAsync(125 * S);
    expect(dev.times('inventory')).toEqual([5 * S, 65 * S, 125 * S]);
    expect(dev.times('state')).toEqual([15, 25, 35, 45, 55, 65, 75, 85, 95, 105, 115, 125].map((t) => t * S));
  });

  it('jitters every interval within ±10%', async () => {
    const dev = new FakeDevice();
    make(dev, { random: seededRandom(1) }).start();
    await vi.advanceTimersByTimeAsync(3600 * S);
    const state = gaps(dev.times('state'));
    const inv = gaps(dev.times('inventory'));
    expect(state.length).toBeGreaterThan(300);
    for (const g of state) expect(g / (10 * S)).toBeGreaterThanOrEqual(0.9), expect(g / (10 * S)).toBeLessThanOrEqual(1.1);
    for (const g of inv) expect(g / (60 * S)).toBeGreaterThanOrEqual(0.9), expect(g / (60 * S)).toBeLessThanOrEqual(1.1);
    expect(Math.min(...state)).toBeLessThan(9.2 * S); // jitter is really applied, both ways
    expect(Math.max(...state)).toBeGreaterThan(10.8 * S);
  });

  it('backs off a failing kind by doubling up to the cap, and resets on success', async () => {
    const dev = new FakeDevice();
    let failing = true;
    dev.answer = (kind) => (kind === 'state' && failing ? { error: new DriverError('Unavailable', 'no route') } : { value: kind === 'state' ? [] : {} });
    const sink = recorder();
    make(dev, { sink }, { ...POLLING, inventorySeconds: 100_000 }).start();
    await vi.advanceTimersByTimeAsync(1000 * S);
    expect(gaps(dev.times('state')).slice(0, 8)).toEqual([10, 20, 40, 80, 100, 100, 100, 100].map((t) => t * S));
    expect(sink.errors.slice(0, 4)).toEqual([1, 2, 3, 4].map((n) => ({ kind: 'state', code: 'Unavailable', n })));

    failing = false;
    const before = dev.times('state').length;
    await vi.advanceTimersByTimeAsync(200 * S);
    const after = gaps(dev.times('state').slice(before - 1));
    expect(after[0]).toBeLessThanOrEqual(100 * S); // the pending backed-off attempt, which succeeds
    expect(after.slice(1)).toEqual(Array(after.length - 1).fill(10 * S));
    failing = true;
    await vi.advanceTimersByTimeAsync(10 * S);
    expect(sink.errors.at(-1)).toEqual({ kind: 'state', code: 'Unavailable', n: 1 });
  });

  it('retries a failed first inventory at the state pace and polls no state until it succeeds', async () => {
    const dev = new FakeDevice();
    let fails = 3;
    dev.answer = (kind) => (kind === 'inventory' && fails-- > 0 ? { error: new DriverError('Timeout', 'slow') } : { value: kind === 'state' ? [] : {} });
    const c = make(dev, {}, { ...POLLING, inventorySeconds: 3600 });
    c.start();
    await vi.advanceTimersByTimeAsync(69 * S);
    expect(dev.times('inventory')).toEqual([0, 10, 30, 70].map((t) => t * S).filter((t) => t <= 69 * S));
    expect(dev.times('state')).toEqual([]);
    expect(c.status().hasInventory).toBe(false);
    await vi.advanceTimersByTimeAsync(11 * S);
    expect(dev.times('inventory')).toEqual([0, 10, 30, 70].map((t) => t * S));
    expect(dev.times('state')).toEqual([80 * S]);
    expect(c.status()).toMatchObject({ hasInventory: true, failures: { state: 0, inventory: 0 }, nextAt: { inventory: 3670 * S } });
  });

  it("waits at least a Busy device's Retry-After", async () => {
    const dev = new FakeDevice();
    dev.answer = (kind, n) => (kind === 'state' && n === 2 ? { error: new DriverError('Busy', 'later', { retryAfterMs: 45 * S }) } : { value: kind === 'state' ? [] : {} });
    make(dev).start();
    await vi.advanceTimersByTimeAsync(60 * S);
    expect(dev.times('state').slice(0, 2)).toEqual([10 * S, 55 * S]);
  });

  it('never runs two polls of one device at once, even when polls take longer than the interval', async () => {
    const dev = new FakeDevice();
    dev.latencyMs = 25 * S;
    const c = make(dev, { random: seededRandom(5) }, { ...POLLING, inventorySeconds: 30 });
    c.start();
    for (let i = 0; i < 40; i++) {
      await vi.advanceTimersByTimeAsync(7 * S);
      void c.pollNow(i % 2 ? 'state' : 'inventory');
    }
    expect(dev.calls.length).toBeGreaterThan(10);
    expect(dev.maxActive).toBe(1);
  });

  it('coalesces pollNow with a running poll of the same kind, and queued requests with each other', async () => {
    const dev = new FakeDevice();
    dev.latencyMs = 2 * S;
    const sink = recorder();
    const c = make(dev, { sink });
    c.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(dev.calls.map((x) => x.kind)).toEqual(['inventory']);
    const joined = [c.pollNow('inventory'), c.pollNow('inventory')];
    const queued = [c.pollNow('state'), c.pollNow('state'), c.pollNow('state')];
    await vi.advanceTimersByTimeAsync(5 * S);
    expect(dev.calls.map((x) => x.kind)).toEqual(['inventory', 'state']);
    const [j1, j2] = await Promise.all(joined);
    expect(j1).toEqual({ kind: 'inventory', ok: true, at: 2 * S });
    expect(j2).toBe(j1);
    const outs = await Promise.all(queued);
    expect(new Set(outs).size).toBe(1);
    expect(outs[0]).toEqual({ kind: 'state', ok: true, at: 4 * S });
    expect(sink.log).toEqual(['inventory d1 2000', 'state d1 4000']); // reported before pollNow resolved
    // The forced poll restarted the state cadence from its end.
    expect(c.status().nextAt.state).toBe(14 * S);
  });

  it('stop cancels timers and aborts the call in flight at once, even one that ignores its signal', async () => {
    const dev = new FakeDevice();
    dev.answer = (kind) => (kind === 'state' ? 'hang' : { value: {} });
    const sink = recorder();
    const c = make(dev, { sink });
    c.start();
    await vi.advanceTimersByTimeAsync(10 * S);
    expect(c.status().running).toBe('state');
    const waiting = c.pollNow('inventory');
    let stopped = false;
    const stopping = c.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    await stopping;
    expect(stopped).toBe(true);
    expect(dev.calls.at(-1)!.signal!.aborted).toBe(true);
    expect((await waiting).ok).toBe(false);
    expect(await c.pollNow('state')).toMatchObject({ ok: false, error: { code: 'Cancelled' } });
    const n = dev.calls.length;
    await vi.advanceTimersByTimeAsync(3600 * S);
    expect(dev.calls.length).toBe(n);
    expect(sink.log).toEqual(['inventory d1 0']);
    expect(c.status().nextAt).toEqual({});
  });

  it('ends a call at its deadline, passes the deadline down, and goes on polling', async () => {
    const dev = new FakeDevice();
    dev.answer = (kind, n) => (kind === 'state' && n === 2 ? 'hang' : { value: kind === 'state' ? [] : {} });
    const sink = recorder();
    make(dev, { sink, stateTimeoutMs: 3 * S }).start();
    await vi.advanceTimersByTimeAsync(30 * S);
    expect(dev.calls[1]).toMatchObject({ kind: 'state', at: 10 * S, timeoutMs: 3 * S });
    expect(dev.calls[1]!.signal!.aborted).toBe(true);
    expect(sink.log).toContain('error d1 state Timeout 1');
    expect(dev.times('state')).toEqual([10 * S, 23 * S]);
  });

  it('reports a result of the wrong shape as BadResponse', async () => {
    const dev = new FakeDevice();
    dev.answer = (kind) => ({ value: kind === 'state' ? { not: 'an array' } : {} });
    const sink = recorder();
    make(dev, { sink }).start();
    await vi.advanceTimersByTimeAsync(10 * S);
    expect(sink.errors).toEqual([{ kind: 'state', code: 'BadResponse', n: 1 }]);
  });

  it('logs sink failures and keeps polling at the normal pace', async () => {
    const dev = new FakeDevice();
    const warn = vi.fn();
    const sink: InventorySink = {
      onInventory: () => Promise.reject(new Error('disk full')),
      onState: () => {
        throw new Error('bad mapping');
      },
      onError: () => {},
    };
    const c = make(dev, { sink, log: { warn } });
    c.start();
    await vi.advanceTimersByTimeAsync(130 * S);
    expect(dev.times('state')).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130].map((t) => t * S));
    expect(dev.times('inventory')).toEqual([0, 60, 120].map((t) => t * S));
    expect(c.status().failures).toEqual({ state: 0, inventory: 0 });
    expect(warn).toHaveBeenCalledTimes(16);
    expect(warn.mock.calls[0]![0]).toMatchObject({ deviceId: 'd1', sink: 'onInventory', err: 'disk full' });
  });

  it("stretches every interval by the pool's factor, read afresh at each scheduling", async () => {
    const dev = new FakeDevice();
    let stretch = 2;
    make(dev, { stretch: () => stretch }).start();
    await vi.advanceTimersByTimeAsync(125 * S);
    expect(dev.times('inventory')).toEqual([0, 120 * S]);
    expect(gaps(dev.times('state'))).toEqual([20, 20, 20, 20, 20].map((t) => t * S));
    stretch = 1;
    await vi.advanceTimersByTimeAsync(40 * S);
    // The poll scheduled under the old factor still comes 20 s on; the ones after it every 10 s.
    expect(gaps(dev.times('state')).slice(5)).toEqual([20, 10, 10].map((t) => t * S));
  });

  it('tells the device after each poll how long until its next one', async () => {
    const dev = Object.assign(new FakeDevice(), { idle: [] as { at: number; ms: number }[] });
    (dev as PolledDevice).idleFor = (ms) => dev.idle.push({ at: Date.now(), ms });
    make(dev).start();
    await vi.advanceTimersByTimeAsync(65 * S);
    const calls = dev.calls.map((c) => c.at);
    expect(dev.idle.length).toBe(calls.length);
    // Each announced idle time ends exactly when the next call starts.
    dev.idle.slice(0, -1).forEach((x, i) => expect(x.at + x.ms).toBe(calls[i + 1]));
    expect(dev.idle[0]).toEqual({ at: 0, ms: 10 * S });
  });

  it('refuses a non-positive interval', () => {
    expect(() => make(new FakeDevice(), {}, { ...POLLING, stateSeconds: 0 })).toThrow(RangeError);
  });
});

describe('InventoryCoordinators', () => {
  let pool: InventoryCoordinators | undefined;
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(async () => {
    await pool?.stopAll();
    pool = undefined;
    vi.useRealTimers();
  });

  it('holds the fleet-wide cap on polls in flight', async () => {
    const shared = { active: 0, max: 0 };
    pool = new InventoryCoordinators({ sink: recorder(), maxConcurrentPolls: 5, startSpreadMs: 0, random: seededRandom(2) });
    const devs = Array.from({ length: 200 }, () => Object.assign(new FakeDevice(shared), { latencyMs: 1 * S }));
    devs.forEach((d, i) => pool!.add(`d${i}`, d, POLLING));
    await vi.advanceTimersByTimeAsync(1);
    // Every device starts with a crawl, and crawls may hold 3 of the 5 slots: the other 2 are kept for state polls.
    expect(pool.load).toMatchObject({ inFlight: 3, queued: 197, byKind: { inventory: { inFlight: 3, queued: 197 } } });
    await vi.advanceTimersByTimeAsync(300 * S);
    expect(shared.max).toBe(5);
    expect(devs.every((d) => d.times('inventory').length > 0 && d.maxActive === 1)).toBe(true);
  });

  it('slows the whole fleet while state polls queue for slots, and comes back to the drivers\' pace', async () => {
    const polling = { stateSeconds: 1, inventorySeconds: 3600, firmwareSeconds: 3600 };
    pool = new InventoryCoordinators({ sink: recorder(), maxConcurrentPolls: 2, startSpreadMs: 0, random: steady, cadence: { elu: () => 0 } });
    // 10 devices, each polled every second plus a 500 ms call: 3.3 slots' worth of work for 2 slots.
    const devs = Array.from({ length: 10 }, () => Object.assign(new FakeDevice(), { latencyMs: 500 }));
    devs.forEach((d, i) => pool!.add(`d${i}`, d, polling));
    await vi.advanceTimersByTimeAsync(120 * S);
    expect(pool.cadence.stretch).toBeGreaterThan(1.5);
    const late = devs[0]!.times('state').filter((t) => t > 60 * S);
    // Stretched, each device is polled about every stretch seconds, and no state poll queues for long.
    expect(Math.min(...gaps(late))).toBeGreaterThan(1.5 * S);
    for (const d of devs) d.latencyMs = 0;
    await vi.advanceTimersByTimeAsync(120 * S);
    expect(pool.cadence).toEqual({ stretch: 1, reason: 'on-cadence' });
    expect(Math.max(...gaps(devs[0]!.times('state').slice(-5)))).toBe(1 * S);
  });

  it('keeps the fleet at its fixed pace when the cadence is not adaptive', async () => {
    const polling = { stateSeconds: 1, inventorySeconds: 3600, firmwareSeconds: 3600 };
    pool = new InventoryCoordinators({ sink: recorder(), maxConcurrentPolls: 2, startSpreadMs: 0, random: steady, cadence: false });
    const devs = Array.from({ length: 10 }, () => Object.assign(new FakeDevice(), { latencyMs: 500 }));
    devs.forEach((d, i) => pool!.add(`d${i}`, d, polling));
    await vi.advanceTimersByTimeAsync(60 * S);
    expect(pool.cadence.stretch).toBe(1);
    expect(pool.load.byKind.state.queued).toBeGreaterThan(0);
  });

  it('spreads first polls over the start window', async () => {
    pool = new InventoryCoordinators({ sink: recorder(), startSpreadMs: 30 * S, random: seededRandom(9) });
    const devs = Array.from({ length: 300 }, () => new FakeDevice());
    devs.forEach((d, i) => pool!.add(`d${i}`, d, POLLING));
    await vi.advanceTimersByTimeAsync(30 * S);
    const first = devs.map((d) => d.calls[0]?.at ?? Infinity);
    expect(Math.max(...first)).toBeLessThanOrEqual(30 * S);
    const perSecond = new Map<number, number>();
    for (const t of first) perSecond.set(Math.floor(t / S), (perSecond.get(Math.floor(t / S)) ?? 0) + 1);
    expect(perSecond.size).toBeGreaterThanOrEqual(25);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(25); // 10/s on average
  });

  it('replaces on re-add, stops on remove, and honours an explicit first delay', async () => {
    pool = new InventoryCoordinators({ sink: recorder(), random: steady });
    const a = new FakeDevice();
    const b = new FakeDevice();
    const old = pool.add('x', a, POLLING, { initialDelayMs: 0 });
    pool.add('x', b, POLLING, { initialDelayMs: 2 * S });
    expect(pool.get('x')).not.toBe(old);
    await vi.advanceTimersByTimeAsync(60 * S);
    expect(a.calls).toEqual([]);
    expect(b.times('inventory')[0]).toBe(2 * S);
    await pool.remove('x');
    expect(pool.size).toBe(0);
    const n = b.calls.length;
    await vi.advanceTimersByTimeAsync(600 * S);
    expect(b.calls.length).toBe(n);
  });
});
