import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { SimFleetChildSpec, SimRequestStats } from './sim-fleet.js';

export type { SimRequestStats } from './sim-fleet.js';

/**
 * The `mock-hardware` CLI as a child process, so that the simulator's CPU is not the benchmarked process's event loop.
 * It resolves once the child has printed every device and its control API is up; it rejects (with the child's stderr)
 * when the child exits first or does not get there within `startTimeoutMs`. The child is killed when this process
 * exits, whatever the reason. {@link startSimFleetChild} does the same for a mixed fleet built by bench/lib/sim-fleet.ts
 * (SSDP responder, latency on every device, per-device request counts), which the CLI cannot start.
 */
const ROOT = resolve(import.meta.dirname, '../..');

export interface SimDevice {
  id: string;
  url: string;
  /** `https://<address>:<port>`, without the `/redfish/v1` the CLI prints. */
  origin: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** From the control API's device list. */
  persona?: string;
  serial?: string;
  /** A DPU placed in a host: the host's id. */
  hostId?: string;
  /** A host: the ids of its DPUs. */
  dpuIds?: string[];
}

export interface SimChild {
  readonly pid: number;
  readonly devices: SimDevice[];
  readonly control: string;
  /** The last 64 KiB the child wrote to stderr. */
  stderr(): string;
  /** Injects a fault (`{ kind: 'bmc-hang' }`) into one device through the control API. */
  inject(id: string, fault: Record<string, unknown>): Promise<void>;
  clear(id: string): Promise<void>;
  /** CPU seconds (user + system) the child has used so far, from /proc; undefined where /proc is missing. */
  cpuSeconds(): number | undefined;
  /** Open file descriptors of the child, from /proc. */
  fds(): number | undefined;
  /** Throws (with the child's stderr) when the child has exited: figures measured against a dead fleet mean nothing. */
  assertAlive(): void;
  stop(): Promise<void>;
  /** {@link startSimFleetChild} with `ssdp`: where its SSDP responder answers unicast M-SEARCH. */
  ssdp?: { host: string; port: number };
  /** {@link startSimFleetChild} with `countRequests`: per-device request counts so far. */
  requestStats?(): Promise<SimRequestStats>;
}

export interface SimOptions {
  persona: string;
  count: number;
  baseAddress: string;
  port?: number;
  timeScale?: number;
  startTimeoutMs?: number;
}

export const freePort = () =>
  new Promise<number>((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });

const TICKS = 100; // USER_HZ on Linux

export function procCpuSeconds(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime); after the comm field they are at index 11 and 12.
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return undefined;
  }
}

export function procFds(pid: number | 'self'): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

export async function startSimChild(o: SimOptions): Promise<SimChild> {
  const controlPort = await freePort();
  const args = [
    join(ROOT, 'bin/mock-hardware.js'),
    '--persona', o.persona,
    '--count', String(o.count),
    '--base-address', o.baseAddress,
    '--port', String(o.port ?? 8443),
    '--addressing', 'address',
    '--time-scale', String(o.timeScale ?? 1),
    '--seed', 'bench-driver-poll',
    '--control-port', String(controlPort),
  ];
  return spawnSim(args, o.count, controlPort, o.startTimeoutMs ?? 120_000, undefined);
}

/**
 * The `mock-hardware` CLI on a fleet YAML file (`--fleet FILE`, with its `faults:` schedule), with a control API on a
 * free port. `count` is how many devices the file makes (hosts' DPUs included): the child must print that many.
 */
export async function startSimFileChild(o: { file: string; count: number; startTimeoutMs?: number }): Promise<SimChild> {
  const controlPort = await freePort();
  return spawnSim([join(ROOT, 'bin/mock-hardware.js'), '--fleet', o.file, '--control-port', String(controlPort)], o.count, controlPort, o.startTimeoutMs ?? 120_000, undefined);
}

/** Options of {@link startSimFleetChild}. */
export interface SimFleetOptions {
  /** Device groups as in a fleet file (`{ persona: 'openbmc-host', count: 10, dpusPerHost: 2 }`); addresses are consecutive from `baseAddress`. */
  groups: SimFleetChildSpec['groups'];
  baseAddress: string;
  port?: number;
  timeScale?: number;
  seed?: string;
  /** A fixed latency (virtual ms; real ms at time scale 1) on every request of every device, from the start. */
  latencyMs?: number;
  /** An SSDP responder on 127.0.0.1 (port 0); its port is in `SimChild.ssdp`. */
  ssdp?: boolean;
  /** Per-device request counts (`SimChild.requestStats()`). */
  countRequests?: boolean;
  /** One certificate for every device (see SimFleetChildSpec.sharedCertificate): only with a gateway that does not verify. */
  sharedCertificate?: boolean;
  startTimeoutMs?: number;
}

/**
 * A mixed fleet in a child process, built with the simulator's library by bench/lib/sim-fleet.ts (the CLI has no SSDP,
 * no mixed groups and no request counts). Resolves and fails as {@link startSimChild} does.
 */
export async function startSimFleetChild(o: SimFleetOptions): Promise<SimChild> {
  const controlPort = await freePort();
  const spec: SimFleetChildSpec = {
    seed: o.seed ?? 'bench-sim-fleet',
    baseAddress: o.baseAddress,
    port: o.port ?? 8443,
    timeScale: o.timeScale ?? 1,
    groups: o.groups,
    controlPort,
    ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}),
    ...(o.ssdp ? { ssdp: true } : {}),
    ...(o.countRequests ? { countRequests: true } : {}),
    ...(o.sharedCertificate ? { sharedCertificate: true } : {}),
  };
  const count = o.groups.reduce((n, g) => n + (g.count ?? 1) * (1 + (g.dpusPerHost ?? 0)), 0);
  return spawnSim(['--import', 'tsx', join(ROOT, 'bench/lib/sim-fleet.ts'), JSON.stringify(spec)], count, controlPort, o.startTimeoutMs ?? 120_000, ROOT);
}

/** Spawns a simulator child that prints `count` device lines and then `control API on`; `cwd` for `--import tsx`. */
async function spawnSim(args: string[], count: number, controlPort: number, startTimeoutMs: number, cwd: string | undefined): Promise<SimChild> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  let exited = false;
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const exitedP = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      process.off('exit', killOnExit);
      r();
    }),
  );

  let err = '';
  // Seen once, remembered: a fleet file's faults may log a line per device after it and push it out of `err`.
  let controlUp = false;
  child.stderr!.setEncoding('utf8');
  // Keep draining both pipes for the child's whole life, or it blocks once a pipe buffer fills.
  child.stderr!.on('data', (s: string) => {
    err = (err + s).slice(-65536);
    if (!controlUp && err.includes('control API on')) controlUp = true;
  });
  const creds = new Map<string, { user: string; password: string }>();
  let buf = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (s: string) => {
    buf += s;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      // <url> <user>:<pass> <persona> <serial>
      const [url, up] = line.split(/\s+/);
      if (!url || !up) continue;
      const c = up.indexOf(':');
      creds.set(url, { user: up.slice(0, c), password: up.slice(c + 1) });
    }
  });

  const control = `http://127.0.0.1:${controlPort}`;
  const fail = (why: string) => {
    killOnExit();
    return new Error(`mock-hardware child ${why}; stderr:\n${err.trim() || '(empty)'}`);
  };
  await new Promise<void>((res, rej) => {
    const t = setTimeout(() => {
      clearInterval(iv);
      rej(fail(`did not print ${count} devices and its control API within ${startTimeoutMs} ms (printed ${creds.size})`));
    }, startTimeoutMs);
    const iv = setInterval(() => {
      if (creds.size >= count && controlUp) {
        clearTimeout(t);
        clearInterval(iv);
        res();
      }
    }, 50);
    child.once('exit', (code, sig) => {
      clearTimeout(t);
      clearInterval(iv);
      rej(fail(`exited during start (code ${code}, signal ${sig})`));
    });
    child.once('error', (e) => {
      clearTimeout(t);
      clearInterval(iv);
      rej(fail(`could not start: ${e.message}`));
    });
  });

  const list = (await (await fetch(`${control}/devices`)).json()) as { id: string; url: string; persona?: string; serial?: string; hostId?: string; dpuIds?: string[] }[];
  const devices: SimDevice[] = list.map((d) => {
    const c = creds.get(d.url);
    if (!c) throw fail(`listed ${d.id} (${d.url}) on its control API but never printed it`);
    const u = new URL(d.url);
    const dev: SimDevice = { id: d.id, url: d.url, origin: u.origin, host: u.hostname, port: Number(u.port || 443), user: c.user, password: c.password };
    if (d.persona) dev.persona = d.persona;
    if (d.serial) dev.serial = d.serial;
    if (d.hostId) dev.hostId = d.hostId;
    if (d.dpuIds) dev.dpuIds = d.dpuIds;
    return dev;
  });
  // Printed by bench/lib/sim-fleet.ts before its control API line.
  const ssdpAt = /mock-hardware: ssdp on ([\d.]+):(\d+)/.exec(err);
  const statsAt = /mock-hardware: stats on (http:\/\/\S+)/.exec(err)?.[1];

  const call = async (method: string, id: string, body?: unknown) => {
    const res = await fetch(`${control}/devices/${encodeURIComponent(id)}/faults`, {
      method,
      ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`control API ${method} ${id}: ${res.status} ${text}`);
  };

  return {
    pid: child.pid!,
    devices,
    control,
    stderr: () => err,
    inject: (id, fault) => call('POST', id, fault),
    clear: (id) => call('DELETE', id),
    cpuSeconds: () => procCpuSeconds(child.pid!),
    fds: () => procFds(child.pid!),
    assertAlive() {
      if (exited) throw new Error(`mock-hardware child exited during the benchmark (code ${child.exitCode}, signal ${child.signalCode}); stderr:\n${err.trim() || '(empty)'}`);
    },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedP;
      clearTimeout(t);
    },
    ...(ssdpAt ? { ssdp: { host: ssdpAt[1]!, port: Number(ssdpAt[2]) } } : {}),
    ...(statsAt ? { requestStats: async () => (await (await fetch(`${statsAt}/stats`)).json()) as SimRequestStats } : {}),
  };
}
