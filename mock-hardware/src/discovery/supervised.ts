import type { ChildProcess } from 'node:child_process';

/** A peer daemon (dnsmasq, lldpd, ipmi_sim, snmpd) this process started and owns. */
export interface Supervised {
  readonly pid: number;
  /** True once the process has exited or failed to spawn. */
  readonly exited: boolean;
  /** Resolves when the process has exited (or failed to spawn). */
  readonly gone: Promise<void>;
  /** The last 8 kB of its stdout and stderr, for error messages. */
  log(): string;
  /** SIGTERM, then SIGKILL after 2 s; resolves when it is gone. */
  stop(): Promise<void>;
}

/** Keeps a child's output tail and exit state, and stops it reliably. */
export function supervise(child: ChildProcess): Supervised {
  let out = '';
  let exited = false;
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const gone = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (err) => {
      exited = true;
      out += `\n${err.message}`;
      resolve();
    });
  });
  return {
    pid: child.pid ?? -1,
    get exited() {
      return exited;
    },
    gone,
    log: () => out,
    async stop() {
      if (exited) return;
      child.kill('SIGCONT'); // a stopped daemon (a simulated hang) cannot act on SIGTERM until it runs again
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await gone;
      clearTimeout(t);
    },
  };
}

/**
 * Polls `probe` until the daemon answers. If it exits or the deadline passes first, stops it and throws with its
 * output, so a missing package or bad config reads as such.
 */
export async function untilReady(
  p: Supervised,
  probe: () => Promise<boolean>,
  opts: { what: string; timeoutMs?: number; intervalMs: number },
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    if (await probe()) return;
    if (p.exited || Date.now() > deadline) {
      await p.stop();
      throw new Error(`${opts.what} did not start: ${p.log().trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
}
