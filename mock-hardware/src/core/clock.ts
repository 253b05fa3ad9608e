/**
 * Virtual clock. Simulated durations (boot stages, flash times, crash dumps) run on this clock so that a 10-minute
 * flash can take 10 s at 60x, or no real time at all in tests that call `advance`.
 */

/** Handle returned by {@link VirtualClock.setTimeout}. */
export interface VirtualTimer {
  readonly id: number;
  readonly due: number;
}

interface Entry extends VirtualTimer {
  fn: () => void;
  seq: number;
  cancelled: boolean;
}

/** Options for {@link VirtualClock}. */
export interface ClockOptions {
  /** Virtual milliseconds per real millisecond. 0 freezes time: only `advance` moves it. Default 1. */
  scale?: number;
  /** Virtual epoch milliseconds at creation. Default: the real time now. */
  start?: number;
}

export class VirtualClock {
  private readonly heap: Entry[] = [];
  private readonly realAnchor = performance.now();
  private readonly startVirtual: number;
  private offset = 0;
  private seq = 0;
  private nextId = 1;
  private realTimer: NodeJS.Timeout | undefined;
  private realTimerDue = Infinity;
  private stopped = false;
  private firing = false;
  readonly scale: number;

  constructor(opts: ClockOptions = {}) {
    this.scale = opts.scale ?? 1;
    if (!(this.scale >= 0)) throw new Error(`time scale must be >= 0, got ${opts.scale}`);
    this.startVirtual = opts.start ?? Date.now();
  }

  /** Virtual epoch milliseconds. */
  now(): number {
    return this.startVirtual + (performance.now() - this.realAnchor) * this.scale + this.offset;
  }

  /** Virtual time as an ISO 8601 string with offset, as Redfish `DateTime` properties want it. */
  iso(at = this.now()): string {
    return new Date(Math.floor(at)).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  }

  /** Runs `fn` after `ms` virtual milliseconds. */
  setTimeout(fn: () => void, ms: number): VirtualTimer {
    const e: Entry = { id: this.nextId++, due: this.now() + Math.max(0, ms), fn, seq: this.seq++, cancelled: false };
    this.push(e);
    this.schedule();
    return e;
  }

  clearTimeout(t: VirtualTimer | undefined): void {
    if (t) (t as Entry).cancelled = true;
  }

  /** Resolves after `ms` virtual milliseconds. */
  sleep(ms: number): Promise<void> {
    return new Promise((r) => this.setTimeout(r, ms));
  }

  /** Number of pending timers; tests use it to check that idle devices do not tick. */
  get pending(): number {
    return this.heap.filter((e) => !e.cancelled).length;
  }

  /**
   * Jumps virtual time forward by `ms`, firing every due timer in order. Each callback sees `now()` equal to its own
   * due time, so chains of timers (boot stages) unfold exactly as they would in real time.
   */
  advance(ms: number): void {
    const target = this.now() + ms;
    for (;;) {
      const top = this.peek();
      if (!top || top.due > target) break;
      this.heap.shift();
      this.siftFix();
      if (top.cancelled) continue;
      const gap = top.due - this.now();
      if (gap > 0) this.offset += gap;
      this.run(top);
    }
    const gap = target - this.now();
    if (gap > 0) this.offset += gap;
    this.schedule();
  }

  /** Cancels the real timer; pending virtual timers never fire afterwards. */
  stop(): void {
    this.stopped = true;
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.heap.length = 0;
  }

  private run(e: Entry): void {
    try {
      e.fn();
    } catch (err) {
      // A failing simulated callback must not stop the clock for the other 9,999 devices.
      process.emitWarning(`virtual timer ${e.id} threw: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private fireDue(): void {
    if (this.firing) return;
    this.firing = true;
    try {
      const now = this.now();
      for (;;) {
        const top = this.peek();
        if (!top || top.due > now) break;
        this.heap.shift();
        this.siftFix();
        if (!top.cancelled) this.run(top);
      }
    } finally {
      this.firing = false;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    while (this.heap.length && this.heap[0]!.cancelled) {
      this.heap.shift();
      this.siftFix();
    }
    const top = this.peek();
    if (!top || this.scale === 0) {
      if (this.realTimer) clearTimeout(this.realTimer);
      this.realTimer = undefined;
      this.realTimerDue = Infinity;
      return;
    }
    if (this.realTimer && this.realTimerDue <= top.due) return;
    if (this.realTimer) clearTimeout(this.realTimer);
    const realMs = Math.max(0, (top.due - this.now()) / this.scale);
    this.realTimerDue = top.due;
    this.realTimer = setTimeout(() => {
      this.realTimer = undefined;
      this.realTimerDue = Infinity;
      this.fireDue();
    }, Math.min(realMs, 2 ** 31 - 1));
    this.realTimer.unref();
  }

  // A sorted array is enough: at 10k devices there are at most a few thousand live timers, and inserts are rare
  // compared to requests. Binary insertion keeps it O(log n) to find and O(n) to move, which measured faster than a heap
  // for these sizes.
  private push(e: Entry): void {
    let lo = 0;
    let hi = this.heap.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.heap[mid]!;
      if (m.due < e.due || (m.due === e.due && m.seq < e.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.heap.splice(lo, 0, e);
  }

  private peek(): Entry | undefined {
    return this.heap[0];
  }

  private siftFix(): void {
    // Sorted array: nothing to fix after shift.
  }
}
