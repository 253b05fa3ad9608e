/**
 * The device-plane worker: opens its own connection to the store, wires the plane as inline mode does, and answers the
 * API plane's calls. Logs go to the main thread's logger, so there is one log stream.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { DriverLogger } from '../drivers/api.js';
import { createDriverRegistry } from '../drivers/index.js';
import { CredentialCipher } from '../drivers/runtime/index.js';
import { openStore, type Store } from '../store/index.js';
import type { DevicePlane } from './device-plane.js';
import { startLocalPlane } from './local-plane.js';
import { LEVELS, type FromWorker, type LogLevel, type PlaneWorkerData, type ToWorker } from './messages.js';

const port = parentPort!;
const data = workerData as PlaneWorkerData;
const send = (m: FromWorker) => port.postMessage(m);

function forwardingLogger(min: number, bindings: object = {}): DriverLogger & { child(b: object): DriverLogger } {
  const at = (level: LogLevel) => (obj: object | string, msg?: string) => {
    if (LEVELS[level] < min) return;
    const o = typeof obj === 'string' ? { ...bindings } : { ...bindings, ...obj };
    const m = typeof obj === 'string' ? obj : msg;
    try {
      send({ t: 'log', level, obj: o, ...(m !== undefined ? { msg: m } : {}) });
    } catch {
      send({ t: 'log', level, obj: { ...bindings, unserialisable: true }, ...(m !== undefined ? { msg: m } : {}) });
    }
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => forwardingLogger(min, { ...bindings, ...b }) };
}

const log = forwardingLogger(data.logLevel === false ? Infinity : (LEVELS[data.logLevel as LogLevel] ?? LEVELS.info));
let store: Store | undefined;
let plane: DevicePlane | undefined;
const sweeps = new Map<number, AbortController>();
let elu = performance.eventLoopUtilization();

/** How much nicer than the HTTP thread this thread runs (Linux nice levels). */
export const PLANE_NICENESS = 5;

/**
 * Polling yields the CPU to the HTTP thread. On Linux each thread has its own nice value, so this thread asks for a
 * lower priority than the one that serves clients: when both want a core, a GET runs first and polling waits (the
 * cadence governor sees the wait in this thread's event loop and slows polling down). Returns the thread's nice value,
 * or undefined where threads cannot be told apart (not Linux) or the change is refused.
 */
function yieldToHttp(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!(tid > 0)) return undefined;
    setPriority(tid, Math.min(19, getPriority(tid) + PLANE_NICENESS));
    return getPriority(tid);
  } catch {
    return undefined;
  }
}
let nice: number | undefined;

async function start(): Promise<void> {
  nice = yieldToHttp();
  const { config } = data;
  store = openStore(config.dataDir, config.sqliteSynchronous);
  const registry = await createDriverRegistry(config.drivers.external, process.cwd());
  // The main thread created the key before starting this worker.
  const cipher = CredentialCipher.fromKeyFile(join(config.dataDir, 'device-credentials.key'));
  plane = startLocalPlane({ config, store, registry, cipher, log }).plane;
}

async function call(id: number, op: string, args: unknown[]): Promise<unknown> {
  const p = plane!;
  switch (op) {
    case 'add':
      return p.add(args[0] as Parameters<DevicePlane['add']>[0]);
    case 'update':
      return p.update(args[0] as string, args[1] as Parameters<DevicePlane['update']>[1]);
    case 'remove':
      return p.remove(args[0] as string);
    case 'firstSweep':
      return p.firstSweep();
    case 'sweep': {
      const ac = new AbortController();
      sweeps.set(id, ac);
      try {
        return await p.sweep(args[0] as Parameters<DevicePlane['sweep']>[0], {
          signal: ac.signal,
          progress: (source, done, total) => send({ t: 'progress', id, source, done, total }),
        });
      } finally {
        sweeps.delete(id);
      }
    }
    case 'status': {
      const now = performance.eventLoopUtilization();
      const since = performance.eventLoopUtilization(now, elu);
      elu = now;
      const heap = getHeapStatistics();
      return { ...(await p.status()), mode: 'worker', loop: { utilisation: since.utilization, heapUsedBytes: heap.used_heap_size, heapTotalBytes: heap.total_heap_size, ...(nice !== undefined ? { nice } : {}) } };
    }
    case 'close':
      await p.close();
      store?.close();
      store = undefined;
      return undefined;
    default:
      throw new Error(`unknown device-plane call ${op}`);
  }
}

port.on('message', (m: ToWorker) => {
  if (m.t === 'abort') {
    sweeps.get(m.id)?.abort();
    return;
  }
  call(m.id, m.op, m.args).then(
    (value) => {
      send({ t: 'result', id: m.id, ok: true, value });
      if (m.op === 'close') port.close();
    },
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      send({ t: 'result', id: m.id, ok: false, error: { name: err.name, message: err.message } });
    },
  );
});

start().then(
  () => send({ t: 'ready' }),
  (e: unknown) => {
    send({ t: 'failed', error: e instanceof Error ? e.message : String(e) });
    store?.close();
    port.close();
  },
);
