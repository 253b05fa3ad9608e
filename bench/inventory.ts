/**
 * Inventory at fleet scale (issue 6: "GETs of aggregated resources are served from the store with p99 < 20 ms while
 * every device answers after 500 ms; 10,000 devices inventoried in at most 1 GB of gateway RSS; `$expand` of a page of
 * 1,000 Systems costs little more than serialising the same documents").
 *
 *   npx tsx bench/inventory.ts [--devices 300] [--latency-ms 500] [--max-concurrent-polls 64] [--start-spread-s 2]
 *                              [--concurrency 256] [--identify-concurrency 256] [--base 127.44.0.1] [--port 8443]
 *                              [--requests 6000] [--connections 16] [--rate 200] [--rounds 3] [--expand-requests 20]
 *                              [--inventory-limit-s 1800] [--quiet-wait-s 30] [--idle-s 15] [--max-poll-stretch 8]
 *                              [--cpu-prof-inventory FILE] [--cpu-prof-idle FILE] [--cpu-prof-steady FILE]
 *                              [--cpu-prof-expand FILE] [--heap-snapshot FILE] [--v8-flags=--heap-growing-percent=50]
 *                              [--device-plane worker|inline]
 *   (also run by `npm run bench`, last, at BENCH_INVENTORY_DEVICES (default 300) devices: about 3 minutes)
 *   10,000 devices on 2 cores (about 20 minutes, recorded in .scratch/bench-inventory.md):
 *   npx tsx bench/inventory.ts --devices 10000 --max-concurrent-polls 256 --identify-concurrency 512 \
 *     --inventory-limit-s 3000 --requests 1500
 *
 * The simulator is the `mock-hardware` CLI in a child process (bench/lib/sim-child.ts startSimFileChild) on a fleet YAML
 * written to a temp dir: the fleet of bench/discovery-sweep.ts (90% of the devices openbmc-host with two bluefield3
 * DPUs each, a host and its DPUs on three consecutive addresses, the rest standalone bluefield3), one 127.x address per
 * device from --base, port --port, time scale 1, and in its `faults:` a `latency` fault with `fixedMs` --latency-ms on
 * every device (`device: "*"`, atMs 0). The latency is checked with one GET of a device's service root before the run,
 * and every device is sent one TLS handshake first, so that the simulator issues its certificates (one at a time, ~13 ms
 * of its CPU each, a cost real BMCs do not have) before anything is measured rather than inside the sweep.
 *
 * This process `build()`s the gateway on a temp data dir (SQLite synchronous FULL, logger off, HTTPS on 127.0.0.1
 * with its own self-signed certificate), discovery as bench/discovery-sweep.ts sets it (TLS insecure, credentials
 * root/0penBmc, concurrency/identifyConcurrency 256, CIDR only) and `inventory: { maxConcurrentPolls, startSpreadSeconds, maxPollStretch }`
 * from the options (the spread is lowered from the default 30 s so that a fleet registered over a sweep is polled as it
 * arrives). `devicePlane` is --device-plane: `worker` (the default, as `shoal serve` runs it: discovery, drivers and
 * inventory in a thread of their own; polling figures then come from the plane's status, read every second, and call
 * times, gate waits and sink times are not measured) or `inline` (everything on the HTTP thread, with wrappers on the
 * pool, the gate and the sink for those figures). Then, in one run:
 *
 * 1. Inventory: one CIDR sweep (`shoal.plane.sweep`) over the smallest block holding the fleet; the time until
 *    every device is registered, the sweep's end, until every device is shown (a first snapshot stored: the seeded
 *    identify read or a poll, as the plane's status counts it) and until every device is whole (its coordinator has read it, which for
 *    a seeded device is the top-up of firmware and logs: every coordinator's `hasInventory`, checked afterwards
 *    against the Systems collection's count). Inventory and state polls per second, device call times, the fleet gate (the pool's limiter:
 *    in flight, queued, wait for a slot), errors by code, synchronous time in the sink (map + SQLite), TLS handshakes.
 *    Then --idle-s of polling alone, no reads: state polls/s against the cadence, gateway CPU per poll.
 * 2. GET latency from the store while polling goes on: the aggregated ComputerSystem URIs (every member of Systems, in
 *    a shuffled order) and, as the baseline, the gateway's own `/redfish/v1/Managers/Shoal`, in alternating rounds,
 *    over HTTPS with keep-alive (undici, session token) from a client in a process of its own (bench/lib/get-client.ts),
 *    open loop at --rate requests/s (latency from when each request was due, so stalls are charged in full: the
 *    figure to judge the 20 ms goal by), one connection (sequential) and --connections connections (closed loop,
 *    saturating: latency there is mostly queueing behind the other connections); and through `app.inject` in process,
 *    sequential and concurrent (each inject client yields to the event loop between requests, outside the timing, so
 *    polling goes on: inject latencies are the handler's own, and its rate column counts that yield). p50/p90/p99/max.
 *    Polling figures of this window: state polls/s against what the coordinators' cadence asks for (each device every
 *    stateSeconds plus one call), the gate's queue, how late state polls come (gap between two state polls of one
 *    device over its stateSeconds), event-loop delay, GC pauses.
 * 3. `Systems?$expand=.($levels=1)&$top=1000` p50 over HTTPS and through inject, against `JSON.stringify({ Members })`
 *    of the same 1,000 documents read as objects first (timed alone), and the ratio; the store reads it is made of;
 *    `Systems?$filter=SystemType eq 'DPU'&$top=1000` p50.
 * 4. Memory and store: RSS (and peak), heap after a full GC, SQLite file size (db + WAL), documents stored.
 *
 * Gateway CPU figures are this process's (the bench's own bookkeeping is small). Never exits non-zero for a time; only
 * for a device never inventoried, a wrong Systems count or a crashed simulator.
 * For a profile of one phase: --cpu-prof-inventory FILE (sweep start until all inventoried), --cpu-prof-idle FILE
 * (polling alone), --cpu-prof-steady FILE (the GET and $expand phases, polling in the background) or
 * --cpu-prof-expand FILE (the $expand and $filter requests alone). Stopping a profile blocks the loop while V8 writes
 * it, inside the window it profiles: take event-loop figures from a run without one.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { getHeapStatistics, setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { build, type Shoal } from '../src/app.js';
import { HEAP_GROWING_PERCENT, tuneHeap } from '../src/server/heap-tuning.js';
import { INVENTORY_DEFAULTS } from '../src/config/inventory-config.js';
import { expandRanges } from '../src/discovery/sources/cidr-ranges.js';
import type { PolledDevice, PollError, PollKind, Polling } from '../src/inventory/coordinator.js';
import type { InventorySnapshot, SystemState } from '../src/model/inventory.js';
import type { PollGate } from '../src/inventory/poll-gate.js';
import type { PlaneStatus } from '../src/plane/device-plane.js';
import { startGetClient, type GetResult } from './lib/get-client.js';
import { procCpuSeconds, procFds, startSimFileChild, type SimChild } from './lib/sim-child.js';
import { closeGateway, coveringCidr, fullGc, intToIp, ipToInt, machineBusySeconds, startProfile } from './lib/machine.js';

const { values: argv } = parseArgs({
  options: {
    devices: { type: 'string', default: process.env.BENCH_INVENTORY_DEVICES ?? '300' },
    'latency-ms': { type: 'string', default: '500' },
    'max-concurrent-polls': { type: 'string', default: String(INVENTORY_DEFAULTS.maxConcurrentPolls) },
    'max-poll-stretch': { type: 'string', default: String(INVENTORY_DEFAULTS.maxPollStretch) },
    'start-spread-s': { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '256' },
    'identify-concurrency': { type: 'string', default: '256' },
    base: { type: 'string', default: '127.44.0.1' },
    port: { type: 'string', default: '8443' },
    requests: { type: 'string', default: '6000' },
    connections: { type: 'string', default: '16' },
    rate: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    'expand-requests': { type: 'string', default: '20' },
    'inventory-limit-s': { type: 'string', default: '1800' },
    'quiet-wait-s': { type: 'string', default: '30' },
    'idle-s': { type: 'string', default: '15' },
    'cpu-prof-inventory': { type: 'string' },
    'cpu-prof-idle': { type: 'string' },
    'cpu-prof-steady': { type: 'string' },
    'cpu-prof-expand': { type: 'string' },
    'heap-snapshot': { type: 'string' },
    'v8-flags': { type: 'string' },
    'device-plane': { type: 'string', default: 'worker' },
  },
  strict: true,
});
const N = Number(argv.devices);
const LATENCY_MS = Number(argv['latency-ms']);
const MAX_POLLS = Number(argv['max-concurrent-polls']);
const SPREAD_S = Number(argv['start-spread-s']);
const MAX_STRETCH = Number(argv['max-poll-stretch']);
const PLANE = argv['device-plane'] as 'worker' | 'inline';
if (PLANE !== 'worker' && PLANE !== 'inline') throw new Error('--device-plane is worker or inline');
const C = Number(argv.concurrency);
const IDENTIFY_C = Number(argv['identify-concurrency']);
const BASE = argv.base!;
const PORT = Number(argv.port);
const REQUESTS = Number(argv.requests);
const CONNECTIONS = Number(argv.connections);
const RATE = Number(argv.rate);
const ROUNDS = Number(argv.rounds);
const EXPAND_REQUESTS = Number(argv['expand-requests']);
const INVENTORY_LIMIT_MS = Number(argv['inventory-limit-s']) * 1000;
const QUIET_WAIT_MS = Number(argv['quiet-wait-s']) * 1000;
const QUIET_CORES = 0.25;
const IDLE_S = Number(argv['idle-s']);
const GOAL_P99_MS = 20;
const GOAL_RSS = 1024 ** 3;
/** RSS, and how much of it the V8 heap has reserved: the gap between the two is native memory (TLS, SQLite, malloc). */
const memLine = () => {
  const m = process.memoryUsage();
  return `${mib(m.rss)} (V8 heap ${mib(m.heapTotal)}, ${mib(m.heapUsed)} used)`;
};
const SYSTEMS = '/redfish/v1/Systems';
const MANAGER = '/redfish/v1/Managers/Shoal';
const PAGE = 1000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const q = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN);
const sortNum = (xs: number[]) => [...xs].sort((a, b) => a - b);

let unhandled = 0;
process.on('unhandledRejection', (e) => {
  unhandled++;
  if (unhandled <= 5) console.error('inventory bench: UNHANDLED REJECTION:', e);
});




function vmHwm(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}



/** A deterministic shuffle (mulberry32), so every run reads the members in the same order. */
function shuffled<T>(xs: T[], seed = 6): T[] {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** What the gateway's polling did during one window of the run. */
class PollWindow {
  readonly t0 = performance.now();
  readonly count: Record<PollKind, number> = { inventory: 0, state: 0 };
  readonly errors = new Map<string, number>();
  readonly callMs: Record<PollKind, number[]> = { inventory: [], state: [] };
  readonly gateMs: Record<PollKind, number[]> = { state: [], inventory: [] };
  /** State poll gap of one device over its stateSeconds (1 = exactly on cadence). */
  readonly stateGap: number[] = [];
  readonly sinkMs: Record<'inventory' | 'state' | 'error', number> = { inventory: 0, state: 0, error: 0 };
  sinkMax = 0;
  remaps = 0;
  loadSamples = 0;
  inFlightSum = 0;
  queuedSum = 0;
  stateQueuedSum = 0;
  queuedMax = 0;
  inFlightMax = 0;
  stretchSum = 0;
  stretchMax = 1;
  stretchLast = 1;
  /** The device plane's own figures at the start (its counters are the only poll counts in worker mode). */
  readonly plane0: PlaneStatus | undefined = planeNow;
  planeEluSum = 0;
  planeEluMax = 0;
  planeSamples = 0;
  readonly tls0 = tlsConnects;
  readonly cpu0 = procCpuSeconds('self') ?? NaN;
  readonly simCpu0: number;
  readonly mach0 = machineBusySeconds() ?? NaN;
  readonly eld: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  readonly gc = { n: 0, ms: 0, max: 0 };
  private readonly gcObs = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) {
      this.gc.n++;
      this.gc.ms += e.duration;
      this.gc.max = Math.max(this.gc.max, e.duration);
    }
  });
  constructor(readonly sim: SimChild) {
    this.simCpu0 = sim.cpuSeconds() ?? NaN;
    this.eld.enable();
    this.gcObs.observe({ entryTypes: ['gc'] });
  }
  sample(load: { inFlight: number; queued: number; stateQueued: number }, stretch: number): void {
    this.loadSamples++;
    this.stretchSum += stretch;
    this.stretchMax = Math.max(this.stretchMax, stretch);
    this.stretchLast = stretch;
    this.stateQueuedSum += load.stateQueued;
    this.inFlightSum += load.inFlight;
    this.queuedSum += load.queued;
    this.queuedMax = Math.max(this.queuedMax, load.queued);
    this.inFlightMax = Math.max(this.inFlightMax, load.inFlight);
  }
  /** A status read from the plane: its loop's utilisation since the previous read (worker mode). */
  planeSample(st: PlaneStatus): void {
    if (!st.loop) return;
    this.planeSamples++;
    this.planeEluSum += st.loop.utilisation;
    this.planeEluMax = Math.max(this.planeEluMax, st.loop.utilisation);
  }
  /** Prints the window's polling figures; `extraCpu` is CPU other processes of the bench used in it (the GET client). */
  report(label: string, extraCpu = 0): { seconds: number; statePerS: number; cpu: number } {
    this.eld.disable();
    this.gcObs.disconnect();
    const ms = performance.now() - this.t0;
    const sec = ms / 1000;
    const cpu = (procCpuSeconds('self') ?? NaN) - this.cpu0;
    const simCpu = (this.sim.cpuSeconds() ?? NaN) - this.simCpu0;
    const others = Math.max(0, (machineBusySeconds() ?? NaN) - this.mach0 - cpu - simCpu - extraCpu);
    const ds = (xs: number[]) => {
      const v = sortNum(xs);
      return v.length ? `p50 ${fmt(q(v, 0.5), 0)} / p99 ${fmt(q(v, 0.99), 0)} / max ${fmt(v[v.length - 1]!, 0)} ms` : '-';
    };
    const gaps = sortNum(this.stateGap);
    if (PLANE === 'worker' && this.plane0 && planeNow) {
      // Polling runs in the worker, beyond this thread's wrappers: its own counters give the polls.
      this.count.inventory = planeNow.polls.inventory - this.plane0.polls.inventory;
      this.count.state = planeNow.polls.state - this.plane0.polls.state;
      const failed = planeNow.polls.failed - this.plane0.polls.failed;
      this.errors.clear();
      if (failed) this.errors.set('(all kinds)', failed);
    }
    console.log(`  ${label}, ${s(ms)}:`);
    console.log(`    polls: inventory ${this.count.inventory} (${fmt(this.count.inventory / sec, 1)}/s), state ${this.count.state} (${fmt(this.count.state / sec, 1)}/s), failed ${[...this.errors].map(([k, v]) => `${k} ${v}`).join(', ') || '0'}`);
    if (PLANE === 'worker') {
      console.log(
        `    device plane worker: event loop ${fmt((this.planeEluSum / Math.max(1, this.planeSamples)) * 100, 0)}% busy on average, ${fmt(this.planeEluMax * 100, 0)}% at most (per ${STATUS_MS} ms); V8 heap ${planeNow?.loop ? `${mib(planeNow.loop.heapUsedBytes)} used of ${mib(planeNow.loop.heapTotalBytes)}` : '-'}; call times, gate waits and sink times are not instrumented in worker mode (--device-plane inline has them)`,
      );
    } else console.log(`    device call time: inventory ${ds(this.callMs.inventory)}; state ${ds(this.callMs.state)}`);
    console.log(
      `    fleet gate (maxConcurrentPolls ${MAX_POLLS}): in flight mean ${fmt(this.inFlightSum / Math.max(1, this.loadSamples), 0)} max ${this.inFlightMax}; queued mean ${fmt(this.queuedSum / Math.max(1, this.loadSamples), 0)} max ${this.queuedMax}; wait for a slot: state ${ds(this.gateMs.state)}, inventory ${ds(this.gateMs.inventory)}`,
    );
    console.log(`    cadence stretch (1 = the drivers' pace): mean ${fmt(this.stretchSum / Math.max(1, this.loadSamples))} max ${fmt(this.stretchMax)} at the end ${fmt(this.stretchLast)}`);
    if (gaps.length) console.log(`    state poll gap per device / stateSeconds: p50 ${fmt(q(gaps, 0.5))} p90 ${fmt(q(gaps, 0.9))} p99 ${fmt(q(gaps, 0.99))} max ${fmt(gaps[gaps.length - 1]!)} (1.00 = on cadence; +${fmt(LATENCY_MS / 5000)} is one call at the device's latency on a 5 s cadence)`);
    if (PLANE === 'inline') console.log(
      `    sink (map + SQLite, synchronous): ${this.remaps} remaps; inventory ${fmt(this.sinkMs.inventory / 1000, 1)} s, state ${fmt(this.sinkMs.state / 1000, 1)} s, errors ${fmt(this.sinkMs.error / 1000, 1)} s; longest ${fmt(this.sinkMax, 0)} ms`,
    );
    console.log(
      `    CPU: gateway ${fmt(cpu, 1)} s (${fmt((cpu / sec) * 100, 0)}% of a core), simulator ${fmt(simCpu, 1)} s (${fmt((simCpu / sec) * 100, 0)}%)${extraCpu ? `, GET client ${fmt(extraCpu, 1)} s` : ''}, other processes ${fmt(others, 1)} s (${fmt((others / sec) * 100, 0)}%)${others / sec > QUIET_CORES ? '  NOISY' : ''}; TLS handshakes by the gateway ${PLANE === 'worker' ? '- (in the worker)' : `${tlsConnects - this.tls0} (${fmt((tlsConnects - this.tls0) / sec, 1)}/s)`}; ${PLANE === 'worker' ? 'HTTP thread ' : ''}event-loop delay p50 ${fmt(this.eld.percentile(50) / 1e6, 1)} p99 ${fmt(this.eld.percentile(99) / 1e6, 1)} max ${fmt(this.eld.max / 1e6, 0)} ms; GC ${this.gc.n} pauses, ${fmt(this.gc.ms / 1000, 1)} s, longest ${fmt(this.gc.max, 0)} ms`,
    );
    return { seconds: sec, statePerS: this.count.state / sec, cpu };
  }
}

/** The device plane's last status, read every STATUS_MS. */
let planeNow: PlaneStatus | undefined;
const STATUS_MS = 1000;

// TLS client handshakes in this process (probes and drivers; undici's connector calls tls.connect).
let tlsConnects = 0;
{
  const connect = tls.connect;
  (tls as { connect: typeof tls.connect }).connect = ((...a: Parameters<typeof tls.connect>) => {
    tlsConnects++;
    return (connect as (...x: unknown[]) => tls.TLSSocket).apply(tls, a);
  }) as typeof tls.connect;
}

interface Row {
  name: string;
  r: GetResult;
}
const row = ({ name, r }: Row) =>
  `  ${name.padEnd(52)} ${String(r.lat.length).padStart(6)} ${fmt(r.lat.length / r.seconds, 0).padStart(7)}/s  p50 ${fmt(q(r.lat, 0.5)).padStart(6)}  p90 ${fmt(q(r.lat, 0.9)).padStart(6)}  p99 ${fmt(q(r.lat, 0.99)).padStart(6)}  max ${fmt(r.lat[r.lat.length - 1]!).padStart(7)} ms${Object.keys(r.errors).length ? `  ERRORS ${JSON.stringify(r.errors)}` : ''}`;

/** Merges rounds into one result (latencies pooled, times added). */
function merge(rs: GetResult[]): GetResult {
  return {
    lat: sortNum(rs.flatMap((r) => r.lat)),
    seconds: rs.reduce((a, r) => a + r.seconds, 0),
    errors: rs.reduce<Record<string, number>>((a, r) => {
      for (const [k, v] of Object.entries(r.errors)) a[k] = (a[k] ?? 0) + v;
      return a;
    }, {}),
    bytes: rs.reduce((a, r) => a + r.bytes, 0),
    clientCpu: rs.reduce((a, r) => a + (r.clientCpu ?? 0), 0),
  };
}

/**
 * The same closed loop as the HTTPS client, through app.inject in this process. Each client yields to the event loop
 * (setImmediate, outside the timed part) before its next request: inject settles in microtasks, and a loop of them
 * would otherwise starve the polling this benchmark means to run beside the reads.
 */
async function injectGets(shoal: Shoal, paths: string[], headers: Record<string, string>, total: number, connections: number, warmup = 0): Promise<GetResult> {
  const out: GetResult = { lat: [], seconds: 0, errors: {}, bytes: 0 };
  const loop = async (n: number, record: boolean) => {
    let issued = 0;
    const client = async () => {
      while (issued < n) {
        const i = issued++;
        await new Promise<void>((r) => setImmediate(r));
        const t = process.hrtime.bigint();
        const r = await shoal.app.inject({ method: 'GET', url: paths[i % paths.length]!, headers });
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        if (!record) continue;
        out.lat.push(ms);
        out.bytes += r.rawPayload.length;
        if (r.statusCode !== 200) out.errors[r.statusCode] = (out.errors[r.statusCode] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(connections, n) }, client));
  };
  if (warmup) await loop(warmup, false);
  const t0 = process.hrtime.bigint();
  await loop(total, true);
  out.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  out.lat.sort((a, b) => a - b);
  return out;
}

/** Times `fn` `n` times (after one unmeasured call); sorted ms. */
function timeSync(n: number, fn: () => unknown): number[] {
  fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return sortNum(out);
}

/** One TLS handshake (no request) with every device, `concurrency` at a time. */
async function warmCertificates(sim: SimChild, concurrency: number): Promise<void> {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < sim.devices.length) {
      const d = sim.devices[next++]!;
      await new Promise<void>((res) => {
        const sock = tls.connect({ host: d.host, port: d.port, servername: undefined, rejectUnauthorized: false }, () => {
          sock.destroy();
          res();
        });
        sock.setTimeout(60_000, () => sock.destroy(new Error('timeout')));
        sock.once('error', () => {
          failed++;
          res();
        });
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failed) throw new Error(`${failed} devices refused a TLS handshake before the run`);
}

/** Waits (up to --quiet-wait-s) until the rest of the machine uses less than QUIET_CORES; returns what it used last. */
async function quietWait(sim: SimChild): Promise<number> {
  const t0 = performance.now();
  let others = NaN;
  do {
    const m0 = machineBusySeconds() ?? NaN;
    const c0 = procCpuSeconds('self') ?? NaN;
    const s0 = sim.cpuSeconds() ?? NaN;
    await sleep(1000);
    others = Math.max(0, (machineBusySeconds() ?? NaN) - m0 - ((procCpuSeconds('self') ?? NaN) - c0) - ((sim.cpuSeconds() ?? NaN) - s0));
    if (!(others >= QUIET_CORES)) break;
  } while (performance.now() - t0 < QUIET_WAIT_MS);
  return others;
}

/**
 * Whether the state polls kept their cadence: each inventoried device asks for one state poll every stateSeconds
 * (+-10% jitter) after its previous call ended, so the fleet asks for sum(1 / (stateSeconds + call)) per second.
 */
function cadence(w: PollWindow, r: { seconds: number; statePerS: number; cpu: number }, ids: Iterable<string>, stateMsOf: Map<string, number>): void {
  const call = q(sortNum(w.callMs.state), 0.5);
  const callMs = Number.isFinite(call) ? call : LATENCY_MS;
  let demand = 0;
  for (const id of ids) demand += 1000 / ((stateMsOf.get(id) ?? 5000) + callMs);
  const slots = demand * (callMs / 1000);
  const polls = w.count.state + w.count.inventory;
  // Behind: polls wait for a gate slot, or the median device's gap exceeds its interval + jitter + one call by half a call.
  const gaps = sortNum(w.stateGap);
  const minState = Math.min(...stateMsOf.values());
  const behind = w.stateQueuedSum / Math.max(1, w.loadSamples) >= 1 || q(sortNum(w.gateMs.state), 0.99) > callMs || q(gaps, 0.5) > 1 + (1.5 * callMs) / minState + 0.05;
  console.log(
    `    state polls ${fmt(r.statePerS, 1)}/s over ${fmt(r.seconds, 0)} s; the cadence asks for ${fmt(demand, 1)}/s (every device every stateSeconds + one ${fmt(callMs, 0)} ms call; ${fmt((r.statePerS / demand) * 100, 0)}%), ~${fmt(slots, 0)} of ${MAX_POLLS} gate slots: ${behind ? 'FALLING BEHIND (polls queue for the gate, or come late)' : 'keeping up'}; gateway CPU per poll ${fmt((r.cpu * 1000) / Math.max(1, polls), 2)} ms`,
  );
}

async function main(): Promise<void> {
  if (!(N >= 3) || !(LATENCY_MS >= 0) || !(MAX_POLLS >= 1)) throw new Error('--devices must be at least 3, --latency-ms at least 0, --max-concurrent-polls at least 1');
  const hosts = Math.floor((0.9 * N) / 3);
  const bf3 = N - 3 * hosts;
  const last = intToIp(ipToInt(BASE) + N - 1);
  const cidr = coveringCidr(BASE, last);
  console.log(
    `inventory bench: ${N} devices = ${hosts} openbmc-host x (1 + 2 bluefield3 DPUs) + ${bf3} bluefield3; ${BASE} .. ${last} port ${PORT}; latency fault fixedMs ${LATENCY_MS} on every device (time scale 1)`,
  );
  console.log(`machine: load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; open-file limit per process applies to the simulator (a listener per device plus connections)`);

  const work = mkdtempSync(join(tmpdir(), 'shoal-bench-inventory-'));
  const fleetFile = join(work, 'fleet.yaml');
  writeFileSync(
    fleetFile,
    [
      'seed: bench-inventory',
      'timeScale: 1',
      `baseAddress: ${BASE}`,
      `port: ${PORT}`,
      'addressing: address',
      'devices:',
      `  - { persona: openbmc-host, count: ${hosts}, dpusPerHost: 2 }`,
      ...(bf3 ? [`  - { persona: bluefield3, count: ${bf3} }`] : []),
      'faults:',
      `  - { atMs: 0, device: "*", fault: { kind: latency, fixedMs: ${LATENCY_MS} } }`,
      '',
    ].join('\n'),
  );
  const dataDir = join(work, 'data');
  const t0 = performance.now();
  const sim = await startSimFileChild({ file: fleetFile, count: N, startTimeoutMs: 300_000 });
  let shoal: Shoal | undefined;
  let client: Awaited<ReturnType<typeof startGetClient>> | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    console.error(`inventory bench: ${sig}, stopping the simulator`);
    void sim.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (sim.devices.length !== N) throw new Error(`the simulator started ${sim.devices.length} devices, not ${N}`);
    console.log(`simulator pid ${sim.pid} (bin/mock-hardware.js --fleet ${fleetFile}) up in ${s(performance.now() - t0)}`);
    {
      // The fault is scheduled at virtual 0: check it is on before anything is measured.
      const insecure = new Agent({ connect: { rejectUnauthorized: false } });
      const d = sim.devices[0]!;
      const ts = performance.now();
      const r = await request(`${d.origin}/redfish/v1`, { dispatcher: insecure });
      await r.body.dump();
      const took = performance.now() - ts;
      await insecure.close();
      console.log(`device latency check: GET ${d.origin}/redfish/v1 took ${fmt(took, 0)} ms (status ${r.statusCode})`);
      if (took < LATENCY_MS * 0.9) throw new Error(`the latency fault is not in force (${fmt(took, 0)} ms < ${LATENCY_MS} ms)`);
    }

    // The simulator issues a device's certificate on its first TLS connection (~13 ms of its CPU each, one at a time):
    // inside the sweep, hundreds of first contacts at once outwait the probe deadline (3 s), a cost real BMCs, whose
    // certificates exist already, do not have. One handshake per device first, outside every measured phase.
    const tw = performance.now();
    await warmCertificates(sim, 16);
    console.log(`simulator certificates issued (one TLS handshake per device) in ${s(performance.now() - tw)}`);

    // The heap tuning `shoal serve` applies (src/server/heap-tuning.ts), or --v8-flags instead (e.g.
    // --v8-flags=--heap-growing-percent=0 for V8's own choice): flags V8 reads at every collection.
    if (argv['v8-flags'] === undefined) tuneHeap([]);
    else for (const f of argv['v8-flags'].split(/\s+/).filter(Boolean)) setFlagsFromString(f);
    console.log(`V8 heap: ${argv['v8-flags'] ?? `--heap-growing-percent=${HEAP_GROWING_PERCENT} (as shoal serve)`}`);
    shoal = await build(
      {
        dataDir,
        tls: { enabled: true },
        adminPassword: 'bench-admin-password',
        discovery: {
          redfishPorts: [PORT],
          tls: { mode: 'insecure' },
          concurrency: C,
          ratePerSecond: 100_000,
          identifyConcurrency: IDENTIFY_C,
          credentials: [{ username: 'root', password: '0penBmc' }],
        },
        inventory: { maxConcurrentPolls: MAX_POLLS, startSpreadSeconds: SPREAD_S, maxPollStretch: MAX_STRETCH },
        devicePlane: PLANE,
      },
      { logger: false },
    );
    const gw = shoal;
    await gw.app.listen({ host: '127.0.0.1', port: 0 });
    const origin = `https://127.0.0.1:${(gw.app.server.address() as { port: number }).port}`;
    const login = await gw.app.inject({ method: 'POST', url: '/redfish/v1/SessionService/Sessions', payload: { UserName: 'admin', Password: 'bench-admin-password' } });
    const token = login.headers['x-auth-token'];
    if (login.statusCode !== 201 || typeof token !== 'string') throw new Error(`login failed: ${login.statusCode} ${login.body}`);
    const headers = { 'x-auth-token': token };
    console.log(
      `gateway: ${origin} (HTTPS, self-signed), data ${dataDir} (SQLite synchronous ${gw.config.sqliteSynchronous}); inventory maxConcurrentPolls ${gw.config.inventory.maxConcurrentPolls}, startSpreadSeconds ${gw.config.inventory.startSpreadSeconds}; discovery concurrency ${C}, identifyConcurrency ${IDENTIFY_C}; device plane ${gw.plane.mode}${gw.plane.mode === 'worker' ? ' (a thread of its own, as shoal serve runs it)' : ' (on the HTTP thread)'}; RSS ${memLine()}`,
    );

    // --- Instrumentation: wrappers on instances, nothing in src/ changes. Inline mode only: in worker mode the plane's
    // objects live in another thread, and its status (polls, load, cadence, its loop) is what this thread sees.
    let win: PollWindow | undefined;
    const stateMsOf = new Map<string, number>();
    const lastStateAt = new Map<string, number>();
    const local = gw.local;
    if (local) {
    const inv = local.inventory;
    const pool = inv.pool;
    const add = pool.add.bind(pool);
    pool.add = (id: string, device: PolledDevice, polling: Polling, opts?: { initialDelayMs?: number }) => {
      stateMsOf.set(id, polling.stateSeconds * 1000);
      const timed: PolledDevice = {
        get availability() {
          return device.availability;
        },
        idleFor: (ms) => device.idleFor?.(ms),
        async call(kind, args, o) {
          const t = performance.now();
          try {
            return await device.call(kind, args, o);
          } finally {
            win?.callMs[kind].push(performance.now() - t);
          }
        },
      };
      return add(id, timed, polling, opts);
    };
    const gate = (pool as unknown as { gate: PollGate }).gate;
    const acquire = gate.acquire.bind(gate);
    gate.acquire = async (kind: PollKind, signal?: AbortSignal) => {
      const t = performance.now();
      const release = await acquire(kind, signal);
      win?.gateMs[kind].push(performance.now() - t);
      return release;
    };
    const remap = (inv as unknown as { remap(id: string): void }).remap.bind(inv);
    (inv as unknown as { remap(id: string): void }).remap = (id: string) => {
      if (win) win.remaps++;
      remap(id);
    };
    const timedSink = <A extends unknown[]>(kind: 'inventory' | 'state' | 'error', fn: (...a: A) => Promise<void>) =>
      async (...a: A): Promise<void> => {
        const t = performance.now();
        const p = fn(...a);
        const d = performance.now() - t; // the sink's work is synchronous (remap, SQLite); the promise is already settled
        if (win) {
          win.sinkMs[kind] += d;
          win.sinkMax = Math.max(win.sinkMax, d);
        }
        return p;
      };
    const onInventory = inv.onInventory.bind(inv);
    const onState = inv.onState.bind(inv);
    const onError = inv.onError.bind(inv);
    inv.onInventory = timedSink('inventory', async (id: string, snap: InventorySnapshot, at: number) => {
      if (win) win.count.inventory++;
      return onInventory(id, snap, at);
    });
    inv.onState = timedSink('state', async (id: string, states: SystemState[], at: number) => {
      if (win) win.count.state++;
      const last = lastStateAt.get(id);
      lastStateAt.set(id, at);
      if (win && last !== undefined) win.stateGap.push((at - last) / (stateMsOf.get(id) ?? 5000));
      return onState(id, states, at);
    });
    inv.onError = timedSink('error', async (id: string, kind: PollKind, error: PollError, at: number) => {
      if (win) win.errors.set(`${kind} ${error.code}`, (win.errors.get(`${kind} ${error.code}`) ?? 0) + 1);
      return onError(id, kind, error, at);
    });
    }
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const pool = local?.inventory.pool;
      if (pool) win?.sample({ ...pool.load, stateQueued: pool.load.byKind.state.queued }, pool.cadence.stretch);
      else if (planeNow) win?.sample({ inFlight: planeNow.inFlight, queued: planeNow.queued, stateQueued: 0 }, planeNow.stretch);
    }, 250);
    // Shown (a snapshot stored, a seed among them) comes from the plane's figures in both modes: a time for each device
    // as the count passes it, to the status interval.
    const shownAt: number[] = [];
    const readStatus = async () => {
      planeNow = await gw.plane.status();
      while (shownAt.length < planeNow.shown) shownAt.push(performance.now());
      win?.planeSample(planeNow);
    };
    await readStatus();
    let statusBusy = false;
    const statusTimer = setInterval(() => {
      if (statusBusy) return;
      statusBusy = true;
      readStatus().finally(() => (statusBusy = false)).catch(() => undefined);
    }, STATUS_MS);

    // --- 1. Discover, register, inventory.
    console.log('');
    console.log(`1. Inventory: CIDR sweep of ${cidr} (${expandRanges([cidr]).total} addresses), then every device polled`);
    win = new PollWindow(sim);
    const invWin = win;
    const prof = argv['cpu-prof-inventory'] ? await startProfile('the inventory phase') : undefined;
    const ts = performance.now();
    let tDir: number | undefined;
    let tReg: number | undefined;
    let tSweep: number | undefined;
    let sweepErr: unknown;
    const sweep = gw.plane.sweep({ sources: ['cidr'], cidr: [cidr] }).then(
      (r) => {
        tSweep = performance.now();
        return r;
      },
      (e: unknown) => {
        tSweep = performance.now();
        sweepErr = e;
        return undefined;
      },
    );
    let lastProgress = ts;
    let tInv: number | undefined;
    let lastWholeCheck = 0;
    let whole = 0;
    while (performance.now() - ts < INVENTORY_LIMIT_MS) {
      await sleep(250);
      sim.assertAlive();
      // The plane's status (read every STATUS_MS in the background): directory, coordinators, shown and whole.
      const st = planeNow!;
      const shown = st.shown;
      if (tDir === undefined && st.devices >= N) tDir = performance.now();
      if (tReg === undefined && st.polled >= N) tReg = performance.now();
      // Shown (a first snapshot stored, a seeded identify read among them) is not whole: every coordinator must have
      // read its device itself (the seed's top-up adds firmware and logs).
      if (shown >= N && tInv === undefined && performance.now() - lastWholeCheck >= 1000) {
        lastWholeCheck = performance.now();
        whole = st.whole;
        if (whole >= N) tInv = performance.now();
      }
      if (tInv !== undefined && tSweep !== undefined) break;
      if (tSweep !== undefined && st.devices < N && st.inFlight === 0) {
        console.log(`  SWEEP ENDED with ${st.devices} of ${N} devices in the directory; not waiting for the rest`);
        break;
      }
      if (performance.now() - lastProgress >= 15_000) {
        lastProgress = performance.now();
        const pc = PLANE === 'worker' ? st.polls : { inventory: invWin.count.inventory, state: invWin.count.state, failed: [...invWin.errors.values()].reduce((a, b) => a + b, 0) };
        console.log(
          `  ${s(lastProgress - ts)}: ${st.devices} in the directory, ${st.polled} polled, ${shown} shown, ${whole || '-'} whole; gate in flight ${st.inFlight}, queued ${st.queued}; cadence stretch ${fmt(st.stretch)}; polls so far inventory ${pc.inventory}, state ${pc.state}, failed ${pc.failed}${st.loop ? `; plane loop ${fmt(st.loop.utilisation * 100, 0)}% busy, heap ${mib(st.loop.heapUsedBytes)}` : ''}; gateway CPU ${fmt((procCpuSeconds('self') ?? NaN) - invWin.cpu0, 0)} s; RSS ${memLine()}; simulator open files ${sim.fds() ?? '-'}`,
        );
      }
    }
    if (prof) await prof.stop(argv['cpu-prof-inventory']!);
    const report = await Promise.race([sweep, sleep(1)]);
    if (sweepErr) console.log(`SWEEP FAILED: ${(sweepErr as Error).message}`);
    if (tInv === undefined) console.log(`NOT ALL INVENTORIED within ${s(INVENTORY_LIMIT_MS)}: ${whole} of ${N} whole; the figures below are partial`);
    const invTimes = sortNum(shownAt.map((t) => t - ts));
    console.log(
      `  sweep: ${report ? `created ${report.created.length}, registered ${report.registered}, paired ${report.paired}, unreachable ${report.unreachable}, failed ${JSON.stringify(report.failed)}` : 'not finished'}`,
    );
    console.log(
      `  all ${N} in the directory at ${tDir !== undefined ? s(tDir - ts) : '-'}; all registered (a coordinator each) at ${tReg !== undefined ? s(tReg - ts) : '-'}; sweep (identify, pairing) done at ${tSweep !== undefined ? s(tSweep - ts) : '-'}`,
    );
    console.log(
      `  first snapshot stored (shown): 10% at ${s(q(invTimes, 0.1))}, 50% at ${s(q(invTimes, 0.5))}, 90% at ${s(q(invTimes, 0.9))}, all whole at ${tInv !== undefined ? s(tInv - ts) : '-'}${tReg !== undefined && tInv !== undefined ? ` (${s(tInv - tReg)} after the last registration)` : ''}`,
    );
    win = undefined;
    invWin.report('polling from the sweep start until all inventoried');

    // Checks: Systems count, and every coordinator has its inventory.
    const systems = gw.store.resources.members(SYSTEMS);
    await readStatus();
    const withInv = planeNow!.whole;
    const ok = systems.total === N && planeNow!.polled === N && withInv === N;
    console.log(`  check: Systems count ${systems.total} (expected ${N}), coordinators ${planeNow!.polled}, with inventory ${withInv}: ${ok ? 'OK' : 'FAILED'}`);
    if (!ok) process.exitCode = 1;
    if (systems.total === 0) throw new Error('no Systems stored: nothing to read');
    const mem1 = process.memoryUsage();
    console.log(`  gateway RSS when all inventoried ${mib(mem1.rss)} (heap used ${mib(mem1.heapUsed)}), peak so far ${mib(peakRss)}; open files ${procFds('self') ?? '-'}; simulator open files ${sim.fds() ?? '-'}`);

    // --- Polling alone, no reads: what the cadence costs.
    client = await startGetClient();
    const otherLoad = await quietWait(sim);
    console.log('');
    console.log(`Polling alone, no reads, ${IDLE_S} s (other processes used ${fmt(otherLoad * 100, 0)}% of a core in the last second before it):`);
    win = new PollWindow(sim);
    const idleWin = win;
    const profIdle = argv['cpu-prof-idle'] ? await startProfile('polling alone') : undefined;
    await sleep(IDLE_S * 1000);
    if (profIdle) await profIdle.stop(argv['cpu-prof-idle']!);
    win = undefined;
    const idle = idleWin.report('steady polling');
    if (local) cadence(idleWin, idle, stateMsOf.keys(), stateMsOf);
    else console.log(`    gateway CPU per poll ${fmt((idle.cpu * 1000) / Math.max(1, idleWin.count.state + idleWin.count.inventory), 2)} ms (the whole process: both threads)`);

    // --- 2. GETs from the store while polling goes on.
    console.log('');
    console.log(`2. GET latency from the store, polling going on`);
    const sysPaths = shuffled(systems.uris);
    const one = await gw.app.inject({ url: sysPaths[0]!, headers });
    const mgr = await gw.app.inject({ url: MANAGER, headers });
    console.log(`  ${sysPaths.length} ComputerSystem URIs (e.g. ${sysPaths[0]}, ${one.rawPayload.length} bytes); baseline ${MANAGER} (${mgr.rawPayload.length} bytes); ${ROUNDS} alternating rounds, ${REQUESTS} requests per case in all`);
    // Warm-up, unmeasured: connections, JIT, every path once.
    await client.run({ origin, paths: [MANAGER], headers, total: 500, connections: CONNECTIONS });
    await client.run({ origin, paths: sysPaths, headers, total: Math.min(sysPaths.length, 5000) + 500, connections: CONNECTIONS });
    // From here the bench also works inside the gateway's process (app.inject keeps each request's objects for about a
    // second, some 11 KiB each; the $expand comparison parses 1,000 documents): the gateway's own peak is the one before.
    const peakBeforeInProcess = Math.max(peakRss, process.memoryUsage().rss);
    await injectGets(gw, sysPaths, headers, 500, 1);
    await quietWait(sim);
    win = new PollWindow(sim);
    const getWin = win;
    const profSteady = argv['cpu-prof-steady'] ? await startProfile('the GET rounds') : undefined;
    const cli0 = procCpuSeconds(client.pid) ?? 0;
    const per = Math.max(1, Math.floor(REQUESTS / ROUNDS));
    const results = new Map<string, GetResult[]>();
    const push = (k: string, r: GetResult) => results.set(k, [...(results.get(k) ?? []), r]);
    const https = (paths: string[], connections: number) => client!.run({ origin, paths, headers, total: per, connections });
    // Open loop: about 5 s per case and round at the fixed rate.
    const openTotal = Math.max(1, Math.min(per, Math.round(RATE * 5)));
    const openLoop = (paths: string[]) => client!.run({ origin, paths, headers, total: openTotal, connections: CONNECTIONS, ratePerS: RATE });
    const cases: [string, () => Promise<GetResult>, () => Promise<GetResult>][] = [
      [`HTTPS, open loop ${RATE}/s (<= ${CONNECTIONS} conns)`, () => openLoop([MANAGER]), () => openLoop(sysPaths)],
      ['HTTPS, 1 connection (sequential)', () => https([MANAGER], 1), () => https(sysPaths, 1)],
      [`HTTPS, ${CONNECTIONS} connections (concurrent)`, () => https([MANAGER], CONNECTIONS), () => https(sysPaths, CONNECTIONS)],
      ['inject, sequential', () => injectGets(gw, [MANAGER], headers, per, 1), () => injectGets(gw, sysPaths, headers, per, 1)],
      [`inject, ${CONNECTIONS} concurrent`, () => injectGets(gw, [MANAGER], headers, per, CONNECTIONS), () => injectGets(gw, sysPaths, headers, per, CONNECTIONS)],
    ];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, base, sys] of cases) {
        // Alternate which goes first, so a drift in machine load hits both alike.
        if (round % 2 === 0) {
          push(`${name}|base`, await base());
          push(`${name}|sys`, await sys());
        } else {
          push(`${name}|sys`, await sys());
          push(`${name}|base`, await base());
        }
      }
    }
    win = undefined;
    const cliCpuGets = (procCpuSeconds(client.pid) ?? 0) - cli0;
    console.log(`  ${''.padEnd(52)} ${'n'.padStart(6)} ${'rate'.padStart(9)}  latency`);
    for (const [name] of cases) {
      const b = merge(results.get(`${name}|base`)!);
      const y = merge(results.get(`${name}|sys`)!);
      console.log(row({ name: `${name}: ${MANAGER}`, r: b }));
      console.log(row({ name: `${name}: Systems/<id>`, r: y }));
      if (name.startsWith('HTTPS')) console.log(`    Systems/<id> p99 ${fmt(q(y.lat, 0.99))} ms: ${q(y.lat, 0.99) < GOAL_P99_MS ? 'meets' : 'MISSES'} the ${GOAL_P99_MS} ms goal; p99 over the baseline's ${fmt(q(y.lat, 0.99) / q(b.lat, 0.99))}x`);
    }
    console.log('  polling during the GET rounds:');
    const during = getWin.report('GET rounds', cliCpuGets);
    if (local) cadence(getWin, during, stateMsOf.keys(), stateMsOf);

    // --- 3. $expand of a page of 1,000 Systems, against JSON.stringify of the same documents.
    console.log('');
    const expandUrl = `${SYSTEMS}?$expand=.($levels=1)&$top=${PAGE}`;
    const filterUrl = `${SYSTEMS}?$filter=${encodeURIComponent("SystemType eq 'DPU'")}&$top=${PAGE}`;
    const docs = gw.store.resources.memberDocs(SYSTEMS, { top: PAGE }).docs.map((d) => d.body);
    console.log(`3. ${expandUrl} (${docs.length} members of ${systems.total}), ${EXPAND_REQUESTS} requests each, sequential, polling going on`);
    const stringify = timeSync(EXPAND_REQUESTS, () => JSON.stringify({ Members: docs }));
    const bareLen = JSON.stringify({ Members: docs }).length;
    const profExpand = argv['cpu-prof-expand'] ? await startProfile('the $expand rounds') : undefined;
    const exHttps = await client.run({ origin, paths: [expandUrl], headers, total: EXPAND_REQUESTS, connections: 1, warmup: 2 });
    const exInject = await injectGets(gw, [expandUrl], headers, EXPAND_REQUESTS, 1, 2);
    const fiHttps = await client.run({ origin, paths: [filterUrl], headers, total: EXPAND_REQUESTS, connections: 1, warmup: 2 });
    const fiInject = await injectGets(gw, [filterUrl], headers, EXPAND_REQUESTS, 1, 2);
    if (profExpand) await profExpand.stop(argv['cpu-prof-expand']!);
    // What the fast path is made of: the page's stored texts, and the collection's full member list (its ETag).
    const texts = timeSync(EXPAND_REQUESTS, () => gw.store.resources.memberTexts(SYSTEMS, { top: PAGE }));
    const allUris = timeSync(EXPAND_REQUESTS, () => gw.store.resources.members(SYSTEMS));
    const asObjects = timeSync(EXPAND_REQUESTS, () => gw.store.resources.memberDocs(SYSTEMS, { top: PAGE }));
    const dpuQuery = timeSync(EXPAND_REQUESTS, () => gw.store.resources.query(SYSTEMS, { op: 'eq', path: ['SystemType'], value: 'DPU' }, { top: PAGE }));
    if (profSteady) await profSteady.stop(argv['cpu-prof-steady']!);
    const p50 = (r: GetResult) => q(r.lat, 0.5);
    const sz = (r: GetResult) => `${fmt(r.bytes / Math.max(1, r.lat.length) / 1024, 0)} KiB`;
    const errs = (r: GetResult) => (Object.keys(r.errors).length ? `  ERRORS ${JSON.stringify(r.errors)}` : '');
    console.log(`  JSON.stringify({ Members: <${docs.length} documents as objects> }) alone: p50 ${fmt(q(stringify, 0.5))} ms (${fmt(bareLen / 1024, 0)} KiB)`);
    console.log(`  $expand over HTTPS:  p50 ${fmt(p50(exHttps))} ms, p99 ${fmt(q(exHttps.lat, 0.99))} ms (${sz(exHttps)})  ratio to JSON.stringify ${fmt(p50(exHttps) / q(stringify, 0.5))}x${errs(exHttps)}`);
    console.log(`  $expand via inject:  p50 ${fmt(p50(exInject))} ms, p99 ${fmt(q(exInject.lat, 0.99))} ms (${sz(exInject)})  ratio to JSON.stringify ${fmt(p50(exInject) / q(stringify, 0.5))}x${errs(exInject)}`);
    console.log(`  ${filterUrl}: HTTPS p50 ${fmt(p50(fiHttps))} ms (${sz(fiHttps)}), inject p50 ${fmt(p50(fiInject))} ms${errs(fiHttps)}`);
    console.log(
      `  store reads, p50: memberTexts(top ${PAGE}) ${fmt(q(texts, 0.5))} ms; memberDocs(top ${PAGE}) as objects ${fmt(q(asObjects, 0.5))} ms; members() all ${systems.total} URIs (the collection body and its ETag, built on every request) ${fmt(q(allUris, 0.5))} ms; query(SystemType eq DPU, top ${PAGE}) ${fmt(q(dpuQuery, 0.5))} ms`,
    );

    // --- 4. Memory and store.
    console.log('');
    clearInterval(sampler);
    clearInterval(statusTimer);
    await readStatus();
    const memBefore = process.memoryUsage();
    const gced = fullGc();
    await sleep(100);
    const memGc = process.memoryUsage();
    const heap = getHeapStatistics();
    const dbFile = join(dataDir, 'shoal.db');
    const fsize = (f: string) => {
      try {
        return statSync(f).size;
      } catch {
        return 0;
      }
    };
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    const byColl = db.prepare("SELECT IFNULL(collection, '(below a member)') AS c, COUNT(*) AS n, SUM(length(body)) AS b FROM resources GROUP BY 1 ORDER BY 2 DESC").all() as { c: string; n: number; b: number }[];
    const snaps = db.prepare('SELECT COUNT(*) AS n, SUM(length(body)) AS b FROM inventory_snapshots').get() as { n: number; b: number };
    const events = db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number } | undefined;
    db.close();
    const docsTotal = byColl.reduce((a, r) => a + r.n, 0);
    const bodyBytes = byColl.reduce((a, r) => a + r.b, 0);
    console.log(`4. Memory and store at ${N} devices, all inventoried and polling`);
    console.log(
      `  gateway RSS ${mib(memBefore.rss)} (heap used ${mib(memBefore.heapUsed)})${gced ? `; after a full GC: RSS ${mib(memGc.rss)}, heap used ${mib(heap.used_heap_size)} (total ${mib(heap.total_heap_size)}), external ${mib(memGc.external)}, array buffers ${mib(memGc.arrayBuffers)}` : ' (no GC available)'}; peak ${mib(Math.max(peakRss, memBefore.rss))} sampled every 250 ms, VmHWM ${mib(vmHwm() ?? NaN)}; RSS ${memBefore.rss <= GOAL_RSS ? 'meets' : 'MISSES'} the 1 GB goal`,
    );
    console.log(
      `  peak RSS until the bench's in-process rounds began (inventory, polling, HTTPS GETs from the client process): ${mib(peakBeforeInProcess)}: ${peakBeforeInProcess <= GOAL_RSS ? 'meets' : 'MISSES'} the 1 GB goal`,
    );
    if (planeNow?.loop) console.log(`  device plane worker's V8 heap (not collected by this thread's full GC): ${mib(planeNow.loop.heapUsedBytes)} used of ${mib(planeNow.loop.heapTotalBytes)}`);
    console.log(`  per device: RSS ${fmt(memBefore.rss / N / 1024, 0)} KiB, heap after GC ${fmt((heap.used_heap_size + (planeNow?.loop?.heapUsedBytes ?? 0)) / N / 1024, 0)} KiB${planeNow?.loop ? ' (both threads)' : ''}`);
    console.log(`  SQLite: ${mib(fsize(dbFile))} db + ${mib(fsize(`${dbFile}-wal`))} WAL; ${docsTotal} documents (${mib(bodyBytes)} of JSON, ${fmt(docsTotal / N, 1)} per device), ${snaps.n} snapshots (${mib(snaps.b ?? 0)}), ${events?.n ?? '-'} journal events`);
    console.log(`  documents by collection: ${byColl.map((r) => `${r.c.replace('/redfish/v1/', '')} ${r.n}`).join(', ')}`);
    console.log(`  open files: gateway ${procFds('self') ?? '-'}, simulator ${sim.fds() ?? '-'}`);
    if (argv['heap-snapshot']) console.log(`  heap snapshot: ${writeHeapSnapshot(argv['heap-snapshot'])}`);
    sim.assertAlive();
    if (unhandled) {
      console.log(`${unhandled} unhandled rejections`);
      process.exitCode = 1;
    }
  } finally {
    client?.stop();
    if (shoal) await closeGateway(shoal, s);
    await sim.stop();
    rmSync(work, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

try {
  await main();
} catch (e) {
  console.error(`inventory bench failed: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
}
// Pools, keep-alive timers and the simulator's pipes may still hold the loop; the figures are printed.
process.exit();
