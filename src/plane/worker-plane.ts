/**
 * The device plane in a worker thread, as the API plane sees it. Polling thousands of devices means TLS handshakes,
 * JSON parsing, mapping and SQLite writes all the time; on the HTTP thread those delay every GET by the longest of
 * them. In a thread of its own the plane has its own event loop and heap (and its own garbage collections), and the
 * HTTP thread only reads the store.
 *
 * If the worker dies, the calls it held fail and a new worker starts (after 1 s, doubling to 30 s while it keeps
 * dying). Nothing is lost: devices, endpoints, snapshots and documents are in the store, which is where a new worker
 * starts from.
 */
import { Worker } from 'node:worker_threads';
import type { ShoalConfig } from '../config/config.js';
import type { DevicePlane, PlaneStatus, PlaneSweepHooks } from './device-plane.js';
import type { FromWorker, LogLevel, PlaneOp, PlaneWorkerData, ToWorker } from './messages.js';

export interface WorkerPlaneOptions {
  config: ShoalConfig;
  /** The main thread's logger (pino's shape): the worker's lines are written through it. */
  log: Record<LogLevel, (obj: object, msg?: string) => void> & { level?: string };
  /** Don't forward worker log lines below this level; false forwards none. */
  logLevel: string | false;
  /** Milliseconds before the first restart after a death (doubles up to 30 s). */
  restartDelayMs?: number;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  progress?: PlaneSweepHooks['progress'];
}

/** A call could not be answered because the worker was not running; it may be retried once it is back. */
export class PlaneUnavailable extends Error {
  override name = 'PlaneUnavailable';
}

const ENTRY = new URL('./worker-boot.mjs', import.meta.url);

export class WorkerPlane implements DevicePlane {
  readonly mode = 'worker' as const;
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing = false;
  private restarts = 0;
  private everUp = false;
  private delayMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Ends the wait for a restart early (on close), so calls waiting for it fail rather than hang. */
  private restartWake: (() => void) | undefined;

  private constructor(private readonly o: WorkerPlaneOptions) {
    this.delayMs = o.restartDelayMs ?? 1000;
  }

  /** Starts the worker and resolves once its plane is running (or rejects with why it could not start). */
  static async start(o: WorkerPlaneOptions): Promise<WorkerPlane> {
    const p = new WorkerPlane(o);
    await p.spawn();
    return p;
  }

  /** The worker thread now (for tests and diagnostics); undefined while it restarts. */
  get thread(): Worker | undefined {
    return this.worker;
  }

  add(input: Parameters<DevicePlane['add']>[0]): ReturnType<DevicePlane['add']> {
    return this.call('add', [input]) as ReturnType<DevicePlane['add']>;
  }

  update(id: string, change: Parameters<DevicePlane['update']>[1]): ReturnType<DevicePlane['update']> {
    return this.call('update', [id, change]) as ReturnType<DevicePlane['update']>;
  }

  remove(id: string): Promise<boolean> {
    return this.call('remove', [id]) as Promise<boolean>;
  }

  sweep(req: Parameters<DevicePlane['sweep']>[0], hooks: PlaneSweepHooks = {}): ReturnType<DevicePlane['sweep']> {
    return this.call('sweep', [req], hooks) as ReturnType<DevicePlane['sweep']>;
  }

  firstSweep(): ReturnType<DevicePlane['firstSweep']> {
    return this.call('firstSweep', []) as ReturnType<DevicePlane['firstSweep']>;
  }

  async status(): Promise<PlaneStatus> {
    return { ...((await this.call('status', [])) as PlaneStatus), restarts: this.restarts };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.restartTimer);
    this.restartWake?.();
    const w = this.worker;
    if (!w) return;
    try {
      await this.ready;
      await this.send(w, 'close', []);
    } catch {
      // it died or never started: nothing is left to stop in it
    }
    await w.terminate();
  }

  private async call(op: PlaneOp, args: unknown[], hooks: PlaneSweepHooks = {}): Promise<unknown> {
    if (this.closing) throw new PlaneUnavailable('the device plane is stopping');
    await this.ready;
    const w = this.worker;
    if (!w) throw new PlaneUnavailable('the device plane is restarting');
    return this.send(w, op, args, hooks);
  }

  private send(w: Worker, op: PlaneOp, args: unknown[], hooks: PlaneSweepHooks = {}): Promise<unknown> {
    const id = this.nextId++;
    hooks.signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => w.postMessage({ t: 'abort', id } satisfies ToWorker);
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => {
          hooks.signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          hooks.signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
        ...(hooks.progress ? { progress: hooks.progress } : {}),
      });
      w.postMessage({ t: 'call', id, op, args } satisfies ToWorker);
    });
  }

  private spawn(): Promise<void> {
    const data: PlaneWorkerData = { config: this.o.config, logLevel: this.o.logLevel };
    // No execArgv: the parent's loader flags (tsx, vitest) must not leak in; the entry registers its own loader.
    const w = new Worker(ENTRY, { workerData: data, execArgv: [], name: 'shoal-device-plane' });
    this.worker = w;
    let started!: () => void;
    let failed!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => {
      started = res;
      failed = rej;
    });
    this.ready = ready.catch(() => undefined);
    w.on('message', (m: FromWorker) => {
      switch (m.t) {
        case 'ready':
          this.everUp = true;
          this.delayMs = this.o.restartDelayMs ?? 1000;
          started();
          return;
        case 'failed':
          failed(new Error(`the device plane could not start: ${m.error}`));
          return;
        case 'log':
          this.o.log[m.level]?.(m.obj, m.msg);
          return;
        case 'progress':
          this.pending.get(m.id)?.progress?.(m.source, m.done, m.total);
          return;
        case 'result': {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          if (!p) return;
          if (m.ok) p.resolve(m.value);
          else p.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
        }
      }
    });
    w.on('error', (e) => {
      this.o.log.error({ err: e.message, stack: e.stack }, 'the device plane worker failed');
      failed(e);
    });
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new PlaneUnavailable(`the device plane stopped (exit code ${code})`));
      this.pending.clear();
      failed(new Error(`the device plane worker exited (code ${code}) before it was ready`));
      if (this.closing || !this.everUp) return;
      this.restarts++;
      const delay = this.delayMs;
      this.delayMs = Math.min(this.delayMs * 2, 30_000);
      this.o.log.warn({ code, restartInMs: delay, restarts: this.restarts }, 'the device plane worker stopped; starting a new one');
      this.ready = new Promise<void>((res) => {
        this.restartWake = res;
        this.restartTimer = setTimeout(() => {
          if (this.closing) return res();
          this.spawn().then(res, (e: unknown) => {
            this.o.log.error({ err: (e as Error).message }, 'the device plane worker could not be restarted');
            res();
          });
        }, delay);
      });
    });
    return ready;
  }
}
