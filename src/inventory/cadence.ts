import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { GateWindow } from './poll-gate.js';
import { systemTimers, type Timers } from './schedule.js';

/** How the pool slows the fleet's polling when the gateway cannot keep the pace the drivers ask for. */
export interface CadenceOptions {
  /** The most every interval may be stretched (default 8: a 5 s state cadence becomes 40 s at worst). */
  maxStretch?: number;
  /** How often the load is judged (default 2 s). */
  tickMs?: number;
  /** A mean wait for a gate slot, by state polls, that counts as falling behind (default 250 ms). */
  lateMs?: number;
  /** Event-loop utilisation over a tick above which the gateway counts as saturated (default 0.95). */
  busyElu?: number;
  /** ... and below which it has room to poll faster again (default 0.8). */
  idleElu?: number;
  /** Event-loop utilisation since the previous call, 0 to 1 (default: this process's, from perf_hooks). */
  elu?: () => number;
}

export interface CadenceLogger {
  warn(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
}

/** Why the cadence last moved. */
export type CadenceReason = 'on-cadence' | 'slots' | 'cpu' | 'recovering' | 'holding';

/** The stretch in force, and why. */
export interface CadenceReading {
  stretch: number;
  reason: CadenceReason;
}

const GROW = 1.25;
const SHRINK = 1.1;
const LOG_EVERY_MS = 60_000;

/**
 * Stretches every poll interval of a pool by one factor when the gateway cannot keep up, and eases it back when it can.
 *
 * Each device's driver asks for a pace (state every 5 s, say). A fleet of 10,000 such devices on two cores asks for
 * 2,000 polls a second, which does not fit: the gate's queue then grows without end, state arrives later and later, and
 * the event loop that also serves every GET stays saturated. Deciding who waits (the gate) does not remove the wait.
 * So, in the manner of TCP's congestion window: when state polls wait for a slot longer than `lateMs`, or the event
 * loop was busier than `busyElu`, the stretch grows by a quarter; when neither holds and there is room, it shrinks by a
 * tenth, down to 1 (the drivers' own pace). Every device slows by the same factor, so the fleet stays evenly polled.
 */
export class CadenceGovernor {
  private value = 1;
  private why: CadenceReason = 'on-cadence';
  private handle: unknown;
  private lastElu: EventLoopUtilization | undefined;
  private loggedAt = -Infinity;
  private readonly timers: Timers;
  private readonly elu: () => number;

  constructor(
    private readonly window: () => GateWindow,
    private readonly capacity: number,
    private readonly o: CadenceOptions & { timers?: Timers; log?: CadenceLogger } = {},
  ) {
    this.timers = o.timers ?? systemTimers;
    this.elu = o.elu ?? (() => this.measureElu());
    if (!((o.maxStretch ?? 8) >= 1)) throw new RangeError(`maxStretch must be at least 1, got ${o.maxStretch}`);
  }

  /** The factor every interval is multiplied by (1: the drivers' own pace). */
  get stretch(): number {
    return this.value;
  }

  get reading(): CadenceReading {
    return { stretch: this.value, reason: this.why };
  }

  /** Starts judging the load every tick; idempotent. */
  start(): void {
    if (this.handle !== undefined) return;
    this.lastElu = performance.eventLoopUtilization();
    const loop = () => {
      this.tick();
      this.handle = this.timers.setTimeout(loop, this.o.tickMs ?? 2000);
    };
    this.handle = this.timers.setTimeout(loop, this.o.tickMs ?? 2000);
  }

  stop(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  /** Judges the load since the last tick and moves the stretch. */
  tick(): void {
    const w = this.window();
    const elu = this.elu();
    const late = Math.max(w.stateMeanWaitMs, w.stateOldestWaitMs) > (this.o.lateMs ?? 250);
    const busy = elu > (this.o.busyElu ?? 0.95);
    const before = this.value;
    if (late || busy) {
      this.value = Math.min(this.o.maxStretch ?? 8, this.value * GROW);
      this.why = late ? 'slots' : 'cpu';
    } else if (this.value > 1 && elu < (this.o.idleElu ?? 0.8) && w.peakInFlight < this.capacity * 0.9) {
      this.value = Math.max(1, this.value / SHRINK);
      this.why = this.value === 1 ? 'on-cadence' : 'recovering';
    } else if (this.value > 1) {
      this.why = 'holding';
    }
    this.report(before, elu, w);
  }

  private report(before: number, elu: number, w: GateWindow): void {
    const now = this.timers.now();
    const figures = { stretch: Number(this.value.toFixed(2)), reason: this.why, eventLoopUtilization: Number(elu.toFixed(2)), stateMeanWaitMs: Math.round(w.stateMeanWaitMs) };
    if (before === 1 && this.value > 1) {
      this.loggedAt = now;
      this.o.log?.warn(figures, 'polling slower than the drivers ask: the gateway cannot keep their pace');
    } else if (before > 1 && this.value === 1) {
      this.loggedAt = now;
      (this.o.log?.info ?? this.o.log?.warn)?.call(this.o.log, figures, 'polling back at the pace the drivers ask');
    } else if (this.value > 1 && now - this.loggedAt >= LOG_EVERY_MS) {
      this.loggedAt = now;
      this.o.log?.warn(figures, 'polling still slower than the drivers ask');
    }
  }

  private measureElu(): number {
    const prev = this.lastElu;
    this.lastElu = performance.eventLoopUtilization();
    return prev ? performance.eventLoopUtilization(this.lastElu, prev).utilization : 0;
  }
}
