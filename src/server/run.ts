import type { Shoal } from '../app.js';

/** Listens, and turns SIGTERM/SIGINT into a clean drain: in-flight requests finish, tasks stop, the store closes. */
export async function listenWithSignals(shoal: Shoal, onStop?: () => Promise<void>): Promise<string> {
  const { host, port } = shoal.config.listen;
  const address = await shoal.app.listen({ host, port });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      shoal.app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    shoal.app.log.info({ signal }, 'draining and stopping');
    void (async () => {
      try {
        await shoal.close();
        await onStop?.();
      } finally {
        process.exit(0);
      }
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return address;
}

/** `host:port` → parts; `[::1]:8443` for IPv6. */
export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(s);
  if (!m) throw new Error(`--listen wants HOST:PORT, got "${s}"`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`port out of range: ${port}`);
  return { host: (m[1] ?? m[2])!, port };
}
