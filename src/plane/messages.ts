/** The messages between the API plane and the device-plane worker (structured-cloned over the worker's port). */
import type { ShoalConfig } from '../config/config.js';
import type { DiscoverySourceName } from '../model/discovery.js';

/** What the worker starts from. */
export interface PlaneWorkerData {
  config: ShoalConfig;
  /** The lowest level worth sending to the main thread's logger; false sends nothing. */
  logLevel: string | false;
}

export type PlaneOp = 'add' | 'update' | 'remove' | 'sweep' | 'firstSweep' | 'status' | 'close';

export type ToWorker = { t: 'call'; id: number; op: PlaneOp; args: unknown[] } | { t: 'abort'; id: number };

export type FromWorker =
  | { t: 'ready' }
  /** The plane could not start (the store would not open, a driver would not load): the worker ends after this. */
  | { t: 'failed'; error: string }
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: { name: string; message: string } }
  | { t: 'progress'; id: number; source: DiscoverySourceName; done: number; total: number }
  | { t: 'log'; level: LogLevel; obj: object; msg?: string };

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export const LEVELS: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
