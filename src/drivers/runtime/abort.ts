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
 * signal, so the listener cap is lifted. Call `clear()` when the work ends: it also unhooks the signal from `outer`.
 *
 * Not `AbortSignal.any`: on Node 20 every signal it makes stays registered with its sources as a WeakRef that is never
 * pruned, and one that still has a listener is kept alive whole (about 1.2 KiB). Discovery's identify crawls hang
 * dozens of calls off one signal that lives as long as the gateway, so that was 115,000 dead WeakRefs at 2,000
 * devices, growing with every sweep. A plain listener, removed on `clear()`, leaves nothing behind.
 */
export function deadline(ms: number, outer: AbortSignal | undefined, reason: () => DriverError): { signal: AbortSignal; clear(): void } {
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  if (outer?.aborted) {
    ac.abort(outer.reason);
    return { signal: ac.signal, clear: () => {} };
  }
  const onOuter = () => ac.abort(outer!.reason);
  if (outer) {
    // A crawl's parallel requests each hang a deadline off the call's signal.
    setMaxListeners(0, outer);
    outer.addEventListener('abort', onOuter, { once: true });
  }
  const t = setTimeout(() => ac.abort(reason()), ms);
  return {
    signal: ac.signal,
    clear: () => {
      clearTimeout(t);
      outer?.removeEventListener('abort', onOuter);
    },
  };
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
