import { describe, expect, it } from 'vitest';
import { DriverError } from '../../../src/drivers/api.js';
import { Limiter } from '../../../src/drivers/runtime/limiter.js';

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('Limiter', () => {
  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
    expect(() => new Limiter(1.5)).toThrow(RangeError);
  });

  it('never lets more than `capacity` holders in at once', async () => {
    const lim = new Limiter(3);
    let inside = 0;
    let peak = 0;
    const work = async (i: number) => {
      const release = await lim.acquire();
      inside++;
      peak = Math.max(peak, inside);
      expect(lim.inFlight).toBeLessThanOrEqual(3);
      // Uneven hold times so that releases interleave with acquisitions.
      for (let k = 0; k < (i % 4) + 1; k++) await flush();
      inside--;
      release();
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => work(i)));
    expect(peak).toBe(3);
    expect(lim.inFlight).toBe(0);
    expect(lim.queued).toBe(0);
  });

  it('hands slots to waiters in FIFO order', async () => {
    const lim = new Limiter(1);
    const first = await lim.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3, 4].map((n) => lim.acquire().then((release) => {
      order.push(n);
      release();
    }));
    expect(lim.queued).toBe(4);
    first();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(lim.inFlight).toBe(0);
  });

  it('a release called twice frees only one slot', async () => {
    const lim = new Limiter(1);
    const r1 = await lim.acquire();
    const p2 = lim.acquire();
    const p3 = lim.acquire();
    r1();
    r1();
    const r2 = await p2;
    expect(lim.inFlight).toBe(1);
    expect(lim.queued).toBe(1); // p3 still waits: the second r1() did not hand it a slot
    r2();
    (await p3)();
    expect(lim.inFlight).toBe(0);
  });

  it('an aborted waiter leaves the queue at once and never holds a slot', async () => {
    const lim = new Limiter(1);
    const holder = await lim.acquire();
    const ac = new AbortController();
    const aborted = lim.acquire(ac.signal);
    const next = lim.acquire();
    expect(lim.queued).toBe(2);
    ac.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'DriverError', code: 'Cancelled' });
    expect(lim.queued).toBe(1);
    holder();
    // The slot goes to the waiter behind the aborted one, not to the one that gave up.
    const release = await next;
    expect(lim.inFlight).toBe(1);
    release();
    expect(lim.inFlight).toBe(0);
    expect(lim.queued).toBe(0);
  });

  it('an abort after the slot was granted does not take the slot back or leak it', async () => {
    const lim = new Limiter(1);
    const holder = await lim.acquire();
    const ac = new AbortController();
    const p = lim.acquire(ac.signal);
    holder();
    const release = await p;
    ac.abort(); // too late to matter: the listener was removed when the slot was handed over
    expect(lim.inFlight).toBe(1);
    release();
    expect(lim.inFlight).toBe(0);
  });

  it('an already aborted signal fails without queueing, with the signal reason when it is a DriverError', async () => {
    const lim = new Limiter(1);
    const reason = new DriverError('Timeout', 'deadline');
    await expect(lim.acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(lim.inFlight).toBe(0);
    expect(lim.queued).toBe(0);
  });
});
