/**
 * GET load from a process of its own, so that the client's CPU (TLS, parsing responses) is not on the event loop of a
 * gateway built in the benchmark's process. {@link startGetClient} forks this file; each {@link GetClient.run} sends
 * `total` GETs over `connections` keep-alive connections (closed loop: each connection one request at a time, cycling
 * through `paths`; or open loop at `ratePerS`), reads every body to its end and returns the per-request latencies (ms,
 * request sent, or due, to body read), sorted. {@link runGets} is the same loop for in-process use.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { procCpuSeconds } from './sim-child.js';

export interface GetRun {
  origin: string;
  paths: string[];
  headers: Record<string, string>;
  total: number;
  connections: number;
  /** Unmeasured requests first (same paths), so connection setup and JIT are out of the figures. */
  warmup?: number;
  /**
   * Open loop: requests start at this fixed rate whatever the answers do (up to `connections` in flight, the rest queue
   * in the pool), and each latency is measured from the moment its request was due, so a stalled server is charged for
   * every request it delayed (no coordinated omission).
   */
  ratePerS?: number;
}

export interface GetResult {
  /** Latencies in ms, sorted ascending. */
  lat: number[];
  seconds: number;
  /** Responses that were not 200, by status. */
  errors: Record<string, number>;
  /** Body bytes of all measured responses. */
  bytes: number;
  /** CPU seconds the client process used during the measured requests (undefined without /proc). */
  clientCpu?: number;
}

export async function runGets(r: GetRun): Promise<GetResult> {
  const pool = new Pool(r.origin, { connections: r.connections, pipelining: 1, connect: { rejectUnauthorized: false }, keepAliveTimeout: 60_000 });
  try {
    const once = async (path: string): Promise<{ status: number; bytes: number }> => {
      const res = await pool.request({ path, method: 'GET', headers: r.headers });
      let bytes = 0;
      for await (const chunk of res.body) bytes += (chunk as Buffer).length;
      return { status: res.statusCode, bytes };
    };
    const loop = async (total: number, record: boolean, out: GetResult) => {
      let issued = 0;
      const client = async () => {
        while (issued < total) {
          const i = issued++;
          const s = process.hrtime.bigint();
          const { status, bytes } = await once(r.paths[i % r.paths.length]!);
          const ms = Number(process.hrtime.bigint() - s) / 1e6;
          if (!record) continue;
          out.lat.push(ms);
          out.bytes += bytes;
          if (status !== 200) out.errors[status] = (out.errors[status] ?? 0) + 1;
        }
      };
      await Promise.all(Array.from({ length: Math.min(r.connections, total) }, client));
    };
    const open = async (total: number, rate: number, out: GetResult) => {
      const interval = 1000 / rate;
      const start = performance.now();
      const pending: Promise<void>[] = [];
      for (let i = 0; i < total; i++) {
        const due = start + i * interval;
        const wait = due - performance.now();
        if (wait >= 1) await new Promise((res) => setTimeout(res, wait));
        pending.push(
          once(r.paths[i % r.paths.length]!).then(({ status, bytes }) => {
            out.lat.push(performance.now() - due);
            out.bytes += bytes;
            if (status !== 200) out.errors[status] = (out.errors[status] ?? 0) + 1;
          }),
        );
      }
      await Promise.all(pending);
    };
    const out: GetResult = { lat: [], seconds: 0, errors: {}, bytes: 0 };
    if (r.warmup) await loop(r.warmup, false, out);
    const cpu0 = procCpuSeconds('self');
    const t0 = process.hrtime.bigint();
    if (r.ratePerS) await open(r.total, r.ratePerS, out);
    else await loop(r.total, true, out);
    out.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu1 = procCpuSeconds('self');
    if (cpu0 !== undefined && cpu1 !== undefined) out.clientCpu = cpu1 - cpu0;
    out.lat.sort((a, b) => a - b);
    return out;
  } finally {
    await pool.close();
  }
}

export interface GetClient {
  readonly pid: number;
  run(r: GetRun): Promise<GetResult>;
  stop(): void;
}

/** Forks the client process; one run at a time. */
export async function startGetClient(): Promise<GetClient> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--get-client-child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  await new Promise<void>((res, rej) => {
    child.once('message', () => res());
    child.once('exit', (code) => rej(new Error(`GET client exited during start (code ${code})`)));
  });
  let busy: Promise<unknown> = Promise.resolve();
  return {
    pid: child.pid!,
    run(r) {
      const p = busy.then(
        () =>
          new Promise<GetResult>((res, rej) => {
            const onExit = (code: number | null) => rej(new Error(`GET client exited (code ${code})`));
            child.once('exit', onExit);
            child.once('message', (m: { ok: boolean; result?: GetResult; error?: string }) => {
              child.off('exit', onExit);
              if (m.ok) res(m.result!);
              else rej(new Error(`GET client: ${m.error}`));
            });
            child.send(r);
          }),
      );
      busy = p.catch(() => undefined);
      return p;
    },
    stop() {
      process.off('exit', killOnExit);
      child.kill('SIGTERM');
    },
  };
}

if (process.argv[2] === '--get-client-child' && process.send) {
  process.on('message', (r: GetRun) => {
    runGets(r).then(
      (result) => process.send!({ ok: true, result }),
      (e: unknown) => process.send!({ ok: false, error: (e as Error).stack ?? String(e) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send('ready');
}
