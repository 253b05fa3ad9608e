import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 may grow its heap past what survived the last full collection, in percent.
 *
 * Left to itself V8 picks a factor between 1.1 and 4 from how fast it collects, and a gateway that allocates steadily
 * (polling thousands of devices) gets the large one: after the first wave of inventories, 2,000 devices held 384 MiB of
 * heap for 82 MiB of live objects, and V8 never gave the rest back. At 30% the same run held 144 MiB, RSS after the
 * wave fell from 763 to 484 MiB, and the gateway spent about 12% more CPU on it (`bench/inventory.ts`, same machine,
 * same run). `--optimize-for-size` saved a little more and doubled the CPU.
 */
export const HEAP_GROWING_PERCENT = 30;

/**
 * Sets {@link HEAP_GROWING_PERCENT} for this process unless the command line chose a value itself. V8 reads the flag
 * at every collection, so setting it at start-up, before the heap has grown, is as good as passing it to node. The
 * launcher calls this, not `build()`: a library must not change process-wide V8 settings of the program embedding it.
 */
export function tuneHeap(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
