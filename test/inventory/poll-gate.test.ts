import { describe, expect, it } from 'vitest';
import { DriverError } from '../../src/drivers/api.js';
import { PollGate } from '../../src/inventory/poll-gate.js';

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('PollGate', () => {
  it('refuses a bad capacity or share', () => {
    expect(() => new PollGate(0)).toThrow(RangeError);
    expect(() => new PollGate(2.5)).toThrow(RangeError);
    expect(() => new PollGate(4, 0)).toThrow(RangeError);
    expect(() => new PollGate(4, 1.5)).toThrow(RangeError);
  });

  it('lets crawls hold at most their share, and gives the rest to state polls', async () => {
    const gate = new PollGate(8, 0.75);
    expect(gate.inventoryCap).toBe(6);
    const crawls = await Promise.all(Array.from({ length: 6 }, () => gate.acquire('inventory')));
    let seventh = false;
    void gate.acquire('inventory').then(() => (seventh = true));
    await flush();
    expect(seventh).toBe(false);
    const states = await Promise.all([gate.acquire('state'), gate.acquire('state')]);
    expect(gate.load).toEqual({ inFlight: 8, queued: 1, byKind: { state: { inFlight: 2, queued: 0 }, inventory: { inFlight: 6, queued: 1 } } });
    // A state slot coming free does not let a seventh crawl in.
    states[0]!();
    await flush();
    expect(seventh).toBe(false);
    expect(gate.load.inFlight).toBe(7);
    crawls[0]!();
    await flush();
    expect(seventh).toBe(true);
    expect(gate.load.byKind.inventory).toEqual({ inFlight: 6, queued: 0 });
  });

  it('serves waiting state polls before waiting crawls, each kind in arrival order', async () => {
    const gate = new PollGate(2, 1);
    const held = [await gate.acquire('inventory'), await gate.acquire('inventory')];
    const order: string[] = [];
    const wait = (kind: 'state' | 'inventory', name: string) =>
      gate.acquire(kind).then((release) => {
        order.push(name);
        release();
      });
    const all = [wait('inventory', 'i1'), wait('state', 's1'), wait('inventory', 'i2'), wait('state', 's2')];
    await flush();
    held[0]!();
    await Promise.all(all);
    held[1]!();
    expect(order).toEqual(['s1', 's2', 'i1', 'i2']);
    expect(gate.load.inFlight).toBe(0);
  });

  it('does not let a new crawl overtake crawls already queued', async () => {
    const gate = new PollGate(4, 0.5);
    const held = [await gate.acquire('inventory'), await gate.acquire('inventory')];
    const order: string[] = [];
    const first = gate.acquire('inventory').then((r) => (order.push('queued first'), r));
    await flush();
    held[0]!();
    const second = gate.acquire('inventory').then((r) => (order.push('came later'), r));
    (await first)();
    (await second)();
    held[1]!();
    expect(order).toEqual(['queued first', 'came later']);
  });

  it('drops an aborted waiter from the queue, and a release is counted once', async () => {
    const gate = new PollGate(1);
    const release = await gate.acquire('state');
    const ac = new AbortController();
    const waiting = gate.acquire('state', ac.signal);
    await flush();
    expect(gate.load.queued).toBe(1);
    ac.abort();
    await expect(waiting).rejects.toBeInstanceOf(DriverError);
    expect(gate.load.queued).toBe(0);
    release();
    release();
    expect(gate.load.inFlight).toBe(0);
    const again = await gate.acquire('inventory');
    expect(gate.load.inFlight).toBe(1);
    again();
  });

  it('lets a waiting crawl in when state polls alone would keep every slot busy', async () => {
    const gate = new PollGate(4, 0.75);
    expect(gate.stateCapWhileCrawlsWait).toBe(1);
    const states = await Promise.all(Array.from({ length: 4 }, () => gate.acquire('state')));
    let crawled = false;
    const crawl = gate.acquire('inventory').then((r) => ((crawled = true), r));
    const more = Array.from({ length: 3 }, () => gate.acquire('state'));
    await flush();
    // State holds more than the one slot crawls cannot take, so the first slot to free is the crawl's ...
    states[0]!();
    await flush();
    expect(crawled).toBe(true);
    expect(gate.load.byKind).toEqual({ state: { inFlight: 3, queued: 3 }, inventory: { inFlight: 1, queued: 0 } });
    // ... and with no crawl waiting, state goes first again.
    states[1]!();
    await flush();
    expect(gate.load.byKind).toEqual({ state: { inFlight: 3, queued: 2 }, inventory: { inFlight: 1, queued: 0 } });
    (await crawl)();
    states[2]!();
    states[3]!();
    for (const r of await Promise.all(more)) r();
    expect(gate.load.inFlight).toBe(0);
  });

  it("reports how long state polls waited since the last window, and the most in flight", async () => {
    let now = 0;
    const gate = new PollGate(2, 0.5, () => now);
    const a = await gate.acquire('state');
    const b = await gate.acquire('state');
    const c = gate.acquire('state');
    const d = gate.acquire('state');
    now = 300;
    a();
    const cr = await c;
    now = 500;
    expect(gate.takeWindow()).toEqual({ stateAdmitted: 3, stateMeanWaitMs: 100, stateOldestWaitMs: 500, peakInFlight: 2 });
    b();
    (await d)();
    cr();
    expect(gate.takeWindow()).toEqual({ stateAdmitted: 1, stateMeanWaitMs: 500, stateOldestWaitMs: 0, peakInFlight: 2 });
    expect(gate.takeWindow()).toEqual({ stateAdmitted: 0, stateMeanWaitMs: 0, stateOldestWaitMs: 0, peakInFlight: 0 });
  });
});
