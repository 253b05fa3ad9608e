import type { DriverManifest } from '../drivers/api.js';
import type { InventorySnapshot, SystemState } from '../model/inventory.js';
import { backoffDelay, DEFAULT_BACKOFF, jittered, systemTimers, type BackoffLimits, type Timers } from './schedule.js';

/** The two reads a coordinator schedules: fast power/boot state, and the full inventory. */
export type PollKind = 'state' | 'inventory';

/** Poll cadence, as a driver manifest declares it. Only `stateSeconds` and `inventorySeconds` are used here. */
export type Polling = DriverManifest['polling'];

/**
 * What a coordinator needs of a device: the driver runtime's `ManagedDevice` satisfies it. `availability` is
 * reported in {@link DeviceCoordinator.status} only; the device's own breaker already makes calls to a dead device
 * fail fast, and backoff spaces them out.
 */
export interface PolledDevice {
  call(method: PollKind, args: [], opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown>;
  readonly availability?: string;
  /**
   * Told after each poll how long until the next one is due, so that connections which would time out unused in the
   * meantime are closed at once rather than held.
   */
  idleFor?(ms: number): void;
}

/** Why a poll failed: the driver's error code (`Timeout`, `Unavailable`, `BadResponse`, ...) and message. */
export interface PollError {
  code: string;
  message: string;
  /** The device asked for this much quiet (a `Busy` with Retry-After); the next attempt waits at least this long. */
  retryAfterMs?: number;
}

/**
 * Where poll results go. The sink decides what to store; the coordinator only schedules and reports. Calls for one
 * device never overlap and arrive in poll order; a sink that throws or rejects is logged and polling goes on.
 */
export interface InventorySink {
  onInventory(deviceId: string, snapshot: InventorySnapshot, at: number): void | Promise<void>;
  onState(deviceId: string, states: SystemState[], at: number): void | Promise<void>;
  onError(deviceId: string, kind: PollKind, error: PollError, at: number, consecutiveFailures: number): void | Promise<void>;
}

/** A pino-compatible subset. */
export interface CoordinatorLogger {
  warn(obj: object, msg?: string): void;
}

/** The end of one poll, as {@link DeviceCoordinator.pollNow} resolves it. `Cancelled` when the coordinator stopped. */
export type PollOutcome = { kind: PollKind; ok: true; at: number } | { kind: PollKind; ok: false; at: number; error: PollError };

/** Knobs shared by every coordinator of a pool. */
export interface CoordinatorOptions {
  sink: InventorySink;
  timers?: Timers;
  /** Uniform [0, 1): jitter, and the pool's start spread. */
  random?: () => number;
  /** ± fraction of each interval (default 0.1). */
  jitter?: number;
  backoff?: BackoffLimits;
  /** Deadline of one state call (default 60 s) and one inventory call (default 5 min, a crawl of many requests). */
  stateTimeoutMs?: number;
  inventoryTimeoutMs?: number;
  /** Waits for a fleet-wide slot for a poll of `kind`; resolves with its release. The pool passes its gate here. */
  gate?: (kind: PollKind, signal: AbortSignal) => Promise<() => void>;
  /** Multiplies every interval: the pool's cadence governor slows the fleet when the gateway cannot keep up. */
  stretch?: () => number;
  log?: CoordinatorLogger;
}

/** Coordinator status for operators and tests. */
export interface CoordinatorStatus {
  deviceId: string;
  running?: PollKind;
  /** When each kind is next due by its timer (absent: not scheduled, or waiting to run). */
  nextAt: Partial<Record<PollKind, number>>;
  failures: Record<PollKind, number>;
  /** False until the first inventory read succeeds. */
  hasInventory: boolean;
  availability?: string;
}

class PollFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const NO_LOG: CoordinatorLogger = { warn: () => {} };

/**
 * Polls one device at its own pace (one coordinator per device, in the manner of Home Assistant's update
 * coordinators): an inventory read at start, then `state` every `stateSeconds` and `inventory` every
 * `inventorySeconds`, each ±jitter, measured from the end of the previous poll so a slow device never piles up.
 *
 * - One poll at a time: a poll that falls due while another runs waits for it (inventory first).
 * - A failure backs off that kind (the interval, doubling, capped; reset by a success). Until the first inventory
 *   succeeds, inventory is retried at the state pace and no state polls run: states mean nothing without it.
 * - Each call has a deadline enforced here as well as passed down, so a device that ignores its signal cannot stall
 *   the loop.
 */
export class DeviceCoordinator {
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly log: CoordinatorLogger;
  private readonly stateMs: number;
  private readonly inventoryMs: number;
  private readonly pending = new Map<PollKind, { handle: unknown; at: number }>();
  private readonly due = new Set<PollKind>();
  private readonly waiting = new Map<PollKind, Deferred<PollOutcome>>();
  private running: { kind: PollKind; abort: AbortController; done: Promise<PollOutcome>; settled: Promise<void> } | undefined;
  private readonly failures: Record<PollKind, number> = { state: 0, inventory: 0 };
  private hasInventory = false;
  private stopped = false;

  constructor(
    readonly deviceId: string,
    private readonly device: PolledDevice,
    polling: Polling,
    private readonly opts: CoordinatorOptions,
  ) {
    for (const k of ['stateSeconds', 'inventorySeconds'] as const) {
      if (!(Number.isFinite(polling[k]) && polling[k] > 0)) throw new RangeError(`polling.${k} must be a positive number, got ${polling[k]}`);
    }
    this.stateMs = polling.stateSeconds * 1000;
    this.inventoryMs = polling.inventorySeconds * 1000;
    this.timers = opts.timers ?? systemTimers;
    this.random = opts.random ?? Math.random;
    this.log = opts.log ?? NO_LOG;
  }

  /** Schedules the first inventory read after `initialDelayMs` (the pool spreads these across the fleet). */
  start(initialDelayMs = 0): void {
    if (this.stopped || this.pending.size > 0 || this.running || this.due.size > 0) return;
    this.schedule('inventory', initialDelayMs);
  }

  /**
   * Polls now, ahead of the timer. Joins a poll of the same kind that is already running or waiting; otherwise it runs
   * as soon as the device is free. Resolves when the result has been reported; never rejects.
   */
  pollNow(kind: PollKind): Promise<PollOutcome> {
    if (this.stopped) return Promise.resolve(this.cancelled(kind));
    if (this.running?.kind === kind) return this.running.done;
    let d = this.waiting.get(kind);
    if (!d) this.waiting.set(kind, (d = deferred()));
    this.unschedule(kind);
    this.due.add(kind);
    this.pump();
    return d.promise;
  }

  /** Cancels every timer and aborts the call in flight; resolves once that poll has unwound. No reports follow. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      for (const k of [...this.pending.keys()]) this.unschedule(k);
      this.due.clear();
      this.running?.abort.abort(new PollFailure('Cancelled', 'the coordinator stopped'));
      for (const [kind, d] of this.waiting) d.resolve(this.cancelled(kind));
      this.waiting.clear();
    }
    await this.running?.settled;
  }

  status(): CoordinatorStatus {
    const nextAt: CoordinatorStatus['nextAt'] = {};
    for (const [k, p] of this.pending) nextAt[k] = p.at;
    return {
      deviceId: this.deviceId,
      ...(this.running ? { running: this.running.kind } : {}),
      nextAt,
      failures: { ...this.failures },
      hasInventory: this.hasInventory,
      ...(this.device.availability !== undefined ? { availability: this.device.availability } : {}),
    };
  }

  private schedule(kind: PollKind, delayMs: number): void {
    this.unschedule(kind);
    const handle = this.timers.setTimeout(() => {
      this.pending.delete(kind);
      this.due.add(kind);
      this.pump();
    }, delayMs);
    this.pending.set(kind, { handle, at: this.timers.now() + delayMs });
  }

  private unschedule(kind: PollKind): void {
    const p = this.pending.get(kind);
    if (p) this.timers.clearTimeout(p.handle);
    this.pending.delete(kind);
  }

  private pump(): void {
    if (this.stopped || this.running) return;
    const kind: PollKind | undefined = this.due.has('inventory') ? 'inventory' : this.due.has('state') ? 'state' : undefined;
    if (!kind) return;
    this.due.delete(kind);
    const d = this.waiting.get(kind) ?? deferred<PollOutcome>();
    this.waiting.delete(kind);
    const abort = new AbortController();
    const settled = this.run(kind, abort).then((outcome) => {
      this.running = undefined;
      d.resolve(outcome);
      this.pump();
    });
    this.running = { kind, abort, done: d.promise, settled };
  }

  private async run(kind: PollKind, abort: AbortController): Promise<PollOutcome> {
    const signal = abort.signal;
    let value: unknown;
    let error: PollError | undefined;
    let release: (() => void) | undefined;
    try {
      if (this.opts.gate) release = await this.opts.gate(kind, signal);
      value = await this.call(kind, abort);
      if (kind === 'state' ? !Array.isArray(value) : value === null || typeof value !== 'object') {
        throw new PollFailure('BadResponse', `${kind} returned ${Array.isArray(value) ? 'an array' : typeof value}`);
      }
    } catch (e) {
      error = toPollError(signal.aborted && signal.reason instanceof PollFailure ? signal.reason : e);
    } finally {
      release?.();
    }
    const at = this.timers.now();
    if (this.stopped) return this.cancelled(kind);

    if (error) {
      const n = ++this.failures[kind];
      await this.report('onError', () => this.opts.sink.onError(this.deviceId, kind, error, at, n));
    } else {
      this.failures[kind] = 0;
      if (kind === 'inventory') {
        const first = !this.hasInventory;
        this.hasInventory = true;
        await this.report('onInventory', () => this.opts.sink.onInventory(this.deviceId, value as InventorySnapshot, at));
        if (first && !this.stopped && !this.pending.has('state') && !this.due.has('state')) this.schedule('state', this.delay('state'));
      } else {
        await this.report('onState', () => this.opts.sink.onState(this.deviceId, value as SystemState[], at));
      }
    }
    if (this.stopped) return this.cancelled(kind);
    // A state poll before the first inventory (a forced one) does not start the state cadence.
    if ((kind === 'inventory' || this.hasInventory) && !this.due.has(kind)) this.schedule(kind, this.delay(kind, error));
    this.announceIdle();
    return error ? { kind, ok: false, at, error } : { kind, ok: true, at };
  }

  /** The device call, bounded by its deadline and by `abort` even if the device ignores both. */
  private call(kind: PollKind, abort: AbortController): Promise<unknown> {
    const signal = abort.signal;
    const timeoutMs = kind === 'state' ? (this.opts.stateTimeoutMs ?? 60_000) : (this.opts.inventoryTimeoutMs ?? 300_000);
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      const timer = this.timers.setTimeout(() => abort.abort(new PollFailure('Timeout', `${kind} did not finish within ${timeoutMs} ms`)), timeoutMs);
      const done = () => {
        this.timers.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      if (signal.aborted) {
        done();
        return reject(signal.reason);
      }
      signal.addEventListener('abort', onAbort, { once: true });
      // A synchronous throw from the device is a failed poll like any other.
      Promise.resolve()
        .then(() => this.device.call(kind, [], { signal, timeoutMs }))
        .then(
          (v) => {
            done();
            resolve(v);
          },
          (e: unknown) => {
            done();
            reject(e);
          },
        );
    });
  }

  private announceIdle(): void {
    if (!this.device.idleFor || this.due.size > 0 || this.waiting.size > 0 || this.pending.size === 0) return;
    let next = Infinity;
    for (const p of this.pending.values()) next = Math.min(next, p.at);
    try {
      this.device.idleFor(next - this.timers.now());
    } catch (e) {
      this.log.warn({ deviceId: this.deviceId, err: e instanceof Error ? e.message : String(e) }, 'device idleFor failed');
    }
  }

  private delay(kind: PollKind, error?: PollError): number {
    // Before the first inventory, a failed read is retried at the state pace: an hour's wait would leave the device blank.
    const interval = (kind === 'state' ? this.stateMs : this.hasInventory ? this.inventoryMs : Math.min(this.stateMs, this.inventoryMs)) * (this.opts.stretch?.() ?? 1);
    const ms = jittered(backoffDelay(interval, this.failures[kind], this.opts.backoff ?? DEFAULT_BACKOFF), this.random, this.opts.jitter ?? 0.1);
    return Math.max(ms, error?.retryAfterMs ?? 0);
  }

  private async report(what: keyof InventorySink, fn: () => void | Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.log.warn({ deviceId: this.deviceId, sink: what, err: e instanceof Error ? e.message : String(e) }, 'inventory sink failed');
    }
  }

  private cancelled(kind: PollKind): PollOutcome {
    return { kind, ok: false, at: this.timers.now(), error: { code: 'Cancelled', message: 'the coordinator stopped' } };
  }
}

/** Any thrown value as a {@link PollError}: a DriverError keeps its code and Retry-After. */
export function toPollError(e: unknown): PollError {
  if (e !== null && typeof e === 'object') {
    const o = e as { code?: unknown; message?: unknown; details?: { retryAfterMs?: unknown } };
    const retry = o.details?.retryAfterMs;
    return {
      code: typeof o.code === 'string' ? o.code : 'InternalError',
      message: typeof o.message === 'string' ? o.message : String(e),
      ...(typeof retry === 'number' && retry > 0 ? { retryAfterMs: retry } : {}),
    };
  }
  return { code: 'InternalError', message: String(e) };
}
