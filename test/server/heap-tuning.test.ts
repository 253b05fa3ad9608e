/**
 * The launcher's heap tuning, in child processes: the same allocation pattern as a polling gateway (a live set, and a
 * steady flow of objects that live a while and die) keeps its heap within a bound of its live set.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tuneHeap } from '../../src/server/heap-tuning.js';

const run = promisify(execFile);

/** A child that calls tuneHeap() (which reads its own command line), then reports its largest heap. */
const WORKLOAD = `
const { tuneHeap } = await import('./src/server/heap-tuning.ts');
const tuned = tuneHeap();
const live = Array.from({ length: 300000 }, (_, i) => ({ i, s: 'x'.repeat(150) + i }));
const ring = new Array(2000);
let peak = 0;
for (let round = 0; round < 400; round++) {
  for (let k = 0; k < 2000; k++) ring[(round * 2000 + k) % ring.length] = { a: new Array(50).fill(round), t: 'y'.repeat(100) + k };
  if (round % 10 === 0) await new Promise((r) => setImmediate(r));
  peak = Math.max(peak, process.memoryUsage().heapTotal);
}
console.log(JSON.stringify({ tuned, peakMiB: peak / 1048576, live: live.length }));
`;

async function child(nodeFlags: string[]): Promise<{ tuned: boolean; peakMiB: number }> {
  const { stdout } = await run(process.execPath, [...nodeFlags, '--import', 'tsx', '--input-type=module', '-e', WORKLOAD], { cwd: process.cwd(), timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { tuned: boolean; peakMiB: number };
}

describe('tuneHeap', () => {
  it('leaves a value chosen on the command line alone', () => {
    expect(tuneHeap(['--heap-growing-percent=80'])).toBe(false);
    expect(tuneHeap(['--heap_growing_percent=80'])).toBe(false);
  });

  it("keeps the heap of a gateway's allocation pattern close to its live set", async () => {
    // Without the cap the same workload peaked at 414 to 489 MiB on a quiet machine, but not always: how far V8 lets a
    // heap grow also depends on how fast it measures its own collections, so under load even an explicit 4x factor
    // sometimes stays at 138 MiB. Comparing against V8's own choice was therefore flaky (one CI run: 146 MiB). What
    // the cap promises is a bound: a 60 MiB live set never holds more than about 140 MiB of heap.
    const runs = await Promise.all([child([]), child([])]);
    for (const r of runs) {
      expect(r.tuned).toBe(true);
      expect(r.peakMiB).toBeLessThan(200);
    }
  }, 120_000);
});
