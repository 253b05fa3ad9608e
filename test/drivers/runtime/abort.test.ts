import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DriverError } from '../../../src/drivers/api.js';
import { deadline } from '../../../src/drivers/runtime/abort.js';

const timeout = () => new DriverError('Timeout', 'too slow');

describe('deadline', () => {
  it('aborts with its own reason when the time runs out', async () => {
    const d = deadline(20, undefined, timeout);
    await new Promise((r) => d.signal.addEventListener('abort', r, { once: true }));
    expect(d.signal.reason).toBeInstanceOf(DriverError);
    expect((d.signal.reason as DriverError).code).toBe('Timeout');
    d.clear();
  });

  it("follows the outer signal, with the outer's reason", () => {
    const outer = new AbortController();
    const d = deadline(60_000, outer.signal, timeout);
    const why = new Error('stopped');
    outer.abort(why);
    expect(d.signal.aborted).toBe(true);
    expect(d.signal.reason).toBe(why);
    d.clear();
  });

  it('starts aborted when the outer signal already is', () => {
    const outer = new AbortController();
    outer.abort(new Error('gone'));
    const d = deadline(60_000, outer.signal, timeout);
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as Error).message).toBe('gone');
    d.clear();
  });

  it('clear() stops the timer and unhooks from the outer signal', async () => {
    const outer = new AbortController();
    const ds = Array.from({ length: 50 }, () => deadline(10, outer.signal, timeout));
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(50);
    for (const d of ds) d.clear();
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(ds.every((d) => !d.signal.aborted)).toBe(true);
  });

  it('leaves nothing on a long-lived outer signal however many deadlines hang off it', async () => {
    // Node 20's AbortSignal.any registered every composite signal with its sources for good: about 60 bytes each
    // without listeners, 1.2 KiB with one. Discovery's signal lives as long as the gateway.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const outer = new AbortController();
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      return process.memoryUsage().heapUsed;
    };
    const round = () => {
      for (let i = 0; i < 20_000; i++) {
        const d = deadline(60_000, outer.signal, timeout);
        d.signal.addEventListener('abort', () => {});
        d.clear();
      }
    };
    round();
    const before = await settle();
    for (let k = 0; k < 10; k++) {
      round();
      await new Promise((r) => setImmediate(r));
    }
    const grown = (await settle()) - before;
    // 200,000 deadlines: the old way kept over 200 MiB; a few MiB is noise from the runtime itself.
    expect(grown).toBeLessThan(4 * 1024 * 1024);
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(0);
  });
});
