/**
 * Waiting helpers shared by the discovery sources. Sources end quietly when their signal aborts, so these resolve
 * (never reject) on abort.
 */

/** Resolves after `ms`, or as soon as `signal` aborts, whichever comes first. */
export function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Resolves when `signal` aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** `https://<host>:<port><path>` with IPv6 literals bracketed, as URLs need. */
export function httpsUrl(host: string, port: number, path: string): string {
  const h = host.includes(':') ? `[${host}]` : host;
  const p = path.startsWith('/') ? path : `/${path}`;
  return `https://${h}:${port}${p}`;
}
