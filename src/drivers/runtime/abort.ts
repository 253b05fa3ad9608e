import { setMaxListeners } from 'node:events';
import { DriverError } from '../api.js';

/** The error a call ends with when its signal aborts: the deadline's own DriverError, or Cancelled. */
export function cancelled(signal: AbortSignal): DriverError {
  const r: unknown = signal.reason;
  if (r instanceof DriverError) return r;
  return new DriverError('Cancelled', 'the call was cancelled', { cause: r });
}

/**
 * A signal that aborts after `ms` with `reason`, or when `outer` does. Many requests of one call listen to the same
 * signal, so the listener cap is lifted. Call `clear()` when the work ends.
 */
export function deadline(ms: number, outer: AbortSignal | undefined, reason: () => DriverError): { signal: AbortSignal; clear(): void } {
  const ac = new AbortController();
  const t = setTimeout(() => ac.abort(reason()), ms);
  const signal = outer ? AbortSignal.any([outer, ac.signal]) : ac.signal;
  setMaxListeners(0, signal);
  return { signal, clear: () => clearTimeout(t) };
}

/**
 * Resolves with the work, or rejects once the signal aborts, even if the work ignores the signal. With `graceMs`, the
 * work gets that long after the abort to end with its own, better classified error before the abort's error is used.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal, graceMs = 0): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
      if (graceMs > 0) setTimeout(() => reject(cancelled(signal)), graceMs).unref();
      else reject(cancelled(signal));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Waits, abortably. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(cancelled(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelled(signal!));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
