/**
 * Driver-runtime isolation under load (issue: "A benchmark polls 1,000 simulated devices with 10% of them hung. The
 * throughput on the healthy devices stays within 90% of the all-healthy run, both measured in the same run.").
 *
 *   npx tsx bench/driver-poll.ts            (also run by `npm run bench`, after the other benches)
 *
 * The simulator runs as a child process (`mock-hardware --persona bluefield3 --count N --control-port P`, one 127.x
 * address per device, port 8443), so that its CPU is not this process's event loop. This process is the gateway side:
 * one DriverRuntime, one ManagedDevice per device with the generic Redfish driver, TLS trust-on-first-use (`pin`),
 * guard defaults except the per-request timeout (RuntimeOptions.guard.timeoutMs = 2 s, which wins over the manifest's
 * 15 s). The effective options are read back from a device's guard and printed.
 *
 * Every device has its own coordinator: a closed loop of `dev.call('state', [])`, one at a time, then a fixed pause
 * (BENCH_POLL_GAP_MS, 500 ms) before the next, the same after a failure (at least BENCH_POLL_FAIL_GAP_MS, because a
 * breaker-open fast-fail completes in microtasks only and a loop without a timer in it would starve the event loop).
 * With 500 ms, 1,000 devices offer at most 2,000 polls/s: about half a core in each process, below saturation, so a
 * slowdown on healthy devices shows as fewer polls/s. Coordinators start spread over one pause.
 *
 * After warm-up (connect every device, then 5 s of unmeasured polling), each round is run A (all healthy), then
 * `bmc-hang` (until cleared) into every 10th device through the control API, then run B, then the faults are cleared
 * and all devices keep polling, unmeasured, until the hung ones answer again. Polls on the same 900 healthy devices
 * are counted in A and B; ratio = B/A. Only polls completing inside the window count; the first BENCH_POLL_RAMP_MS of
 * a run are not measured. These machines are shared: before each round the bench waits (up to
 * BENCH_POLL_QUIET_WAIT_S) until other processes are quiet, prints what other processes used during each run, and
 * flags rounds that were disturbed.
 *
 * Environment: BENCH_POLL_DEVICES (1000), BENCH_POLL_HUNG_EVERY (10), BENCH_POLL_WINDOW_S (15), BENCH_POLL_RAMP_MS
 * (2000), BENCH_POLL_GAP_MS (500), BENCH_POLL_FAIL_GAP_MS (250), BENCH_POLL_REQUEST_MS (2000, or `manifest` for the
 * manifest's own 15 s), BENCH_POLL_ROUNDS (2), BENCH_POLL_TLS (pin | insecure), BENCH_POLL_BASE (127.41.0.1),
 * BENCH_POLL_QUIET_WAIT_S (60), BENCH_POLL_DEBUG (1: per-second figures and each window's monotonic time, to slice a
 * profile). For heap after GC and a CPU profile: `node --expose-gc --cpu-prof --import tsx bench/driver-poll.ts`.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DriverError, type DriverLogger, type Endpoint } from '../src/drivers/api.js';
import { redfishDriver } from '../src/drivers/redfish/index.js';
import { DriverRuntime, type ManagedDevice } from '../src/drivers/runtime/index.js';
import { procCpuSeconds, procFds, startSimChild, type SimChild } from './lib/sim-child.js';

const env = process.env;
const N = Number(env.BENCH_POLL_DEVICES ?? 1000);
const HUNG_EVERY = Number(env.BENCH_POLL_HUNG_EVERY ?? 10);
const WINDOW_MS = Number(env.BENCH_POLL_WINDOW_S ?? 15) * 1000;
const RAMP_MS = Number(env.BENCH_POLL_RAMP_MS ?? 2000);
/** Pause between two polls of one device (see above); the output prints both processes' CPU to check the choice. */
const GAP_MS = Number(env.BENCH_POLL_GAP_MS ?? 500);
const FAIL_GAP_MS = Math.max(GAP_MS, Number(env.BENCH_POLL_FAIL_GAP_MS ?? 250));
const REQUEST_MS = env.BENCH_POLL_REQUEST_MS === 'manifest' ? undefined : Number(env.BENCH_POLL_REQUEST_MS ?? 2000);
const ROUNDS = Number(env.BENCH_POLL_ROUNDS ?? 2);
const TLS = (env.BENCH_POLL_TLS ?? 'pin') as 'pin' | 'insecure';
const BASE = env.BENCH_POLL_BASE ?? '127.41.0.1';
const GOAL = 0.9;
/** A run during which other processes used more than this many cores is flagged as noisy. */
const QUIET_CORES = 0.25;
const DEBUG = !!env.BENCH_POLL_DEBUG;
const QUIET_WAIT_MS = Number(env.BENCH_POLL_QUIET_WAIT_S ?? 60) * 1000;
const WARM_CONCURRENCY = 50;
/** A hung-device failure faster than this was refused by the open breaker without touching the network. */
const FAST_FAIL_MS = 50;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const q = (sorted: Float64Array, p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN);

let unhandled = 0;
process.on('unhandledRejection', (e) => {
  unhandled++;
  if (unhandled <= 5) console.error('driver-poll: UNHANDLED REJECTION:', e);
});

/** A logger that drops everything but counts what the runtime says at warn and above. */
const breakerOpens = { healthy: 0, hung: 0 };
const counts = { warn: 0, error: 0, breakerOpen: 0, breakerClosed: 0 };
const countingLog: DriverLogger & { child(b: object): DriverLogger } = {
  debug: () => {},
  info: () => {},
  warn: (_o, msg) => {
    counts.warn++;
    if (msg?.includes('circuit open')) counts.breakerOpen++;
    if (msg === 'circuit closed') counts.breakerClosed++;
  },
  error: () => {
    counts.error++;
  },
  child: () => countingLog,
};

interface Outcomes {
  ok: number;
  lat: number[];
  timeouts: number;
  fastFails: number;
  /** Unavailable from the breaker that took longer than FAST_FAIL_MS: retried by the guard while a trial was in flight. */
  slowUnavailable: number;
  other: Map<string, number>;
  /** Total time spent in failed calls, ms. */
  failMs: number;
}
const newOutcomes = (): Outcomes => ({ ok: 0, lat: [], timeouts: 0, fastFails: 0, slowUnavailable: 0, other: new Map(), failMs: 0 });

interface RunResult {
  label: string;
  healthy: Outcomes;
  hung: Outcomes;
  seconds: number;
  hungOffline: number;
  hungBreakers: Record<string, number>;
  /** Of the samples (every 100 ms) of hung devices whose breaker had opened, the share that read `Enabled`. */
  hungShownEnabled: number;
  gwCpu: number;
  simCpu: number;
  /** CPU used on the machine by other processes during the window, in cores. */
  otherCpu: number;
  /** Breaker openings on devices of the healthy set during the window (should be 0). */
  healthyBreakerOpens: number;
  eldP99: number;
  eldMax: number;
  rss: number;
  heapUsed: number;
  gwFds: number | undefined;
  simFds: number | undefined;
  drainMs: number;
  inFlightAtEnd: number;
}

function record(o: Outcomes, ms: number, e: unknown): void {
  if (e === undefined) {
    o.ok++;
    o.lat.push(ms);
    return;
  }
  o.failMs += ms;
  const err = e instanceof DriverError ? e : new DriverError('BadResponse', String(e));
  if (err.code === 'Timeout') o.timeouts++;
  else if (err.code === 'Unavailable' && err.message.includes('circuit open')) {
    if (ms < FAST_FAIL_MS) o.fastFails++;
    else o.slowUnavailable++;
  } else o.other.set(err.code, (o.other.get(err.code) ?? 0) + 1);
}

/**
 * One measured run: every device polled by its own coordinator for RAMP_MS + WINDOW_MS. Only polls that complete
 * inside the window count. Coordinators stop starting polls at the end and the run waits for those in flight.
 */
async function run(label: string, devs: ManagedDevice[], isHung: (i: number) => boolean, sim: SimChild, windowMs = WINDOW_MS): Promise<RunResult> {
  const healthy = newOutcomes();
  const hung = newOutcomes();
  const eld = monitorEventLoopDelay({ resolution: 10 });
  const t0 = performance.now();
  const from = t0 + RAMP_MS;
  const to = from + windowMs;
  let stop = false;
  let inFlight = 0;
  let cpu0 = 0;
  let sim0 = 0;
  let mach0 = 0;
  let opens0 = 0;
  let winStartUs = 0n;
  const startWindow = setTimeout(() => {
    cpu0 = procCpuSeconds('self') ?? 0;
    sim0 = sim.cpuSeconds() ?? 0;
    mach0 = machineBusySeconds() ?? 0;
    opens0 = breakerOpens.healthy;
    eld.enable();
    winStartUs = process.hrtime.bigint() / 1000n;
  }, RAMP_MS);
  const perSecond: { ok: number; max: number }[] = [];
  // Hung devices the breaker has caught once, yet read as available (half-open while a trial is due or in flight).
  let shownEnabled = 0;
  let caughtSamples = 0;
  const caught = new Set<ManagedDevice>();
  const sampler = setInterval(() => {
    if (performance.now() < from) return;
    devs.forEach((d, i) => {
      if (!isHung(i)) return;
      if (d.guard.breaker.state === 'open') caught.add(d);
      if (!caught.has(d)) return;
      caughtSamples++;
      if (d.availability === 'Enabled') shownEnabled++;
    });
  }, 100);
  const coordinator = async (dev: ManagedDevice, i: number) => {
    const out = isHung(i) ? hung : healthy;
    // Coordinators start spread over one pause, as independent pollers would be, not all in one tick.
    await sleep((i / devs.length) * GAP_MS);
    while (!stop) {
      const s = performance.now();
      let err: unknown;
      inFlight++;
      try {
        await dev.call('state', []);
      } catch (e) {
        err = e;
      } finally {
        inFlight--;
      }
      const e = performance.now();
      if (e >= from && e <= to) {
        record(out, e - s, err);
        if (DEBUG && out === healthy) {
          const sec = Math.floor((e - from) / 1000);
          const b = (perSecond[sec] ??= { ok: 0, max: 0 });
          if (err === undefined) b.ok++;
          b.max = Math.max(b.max, e - s);
        }
      }
      if (!stop) await sleep(err === undefined ? GAP_MS : FAIL_GAP_MS);
    }
  };
  const all = devs.map((d, i) => coordinator(d, i));
  await sleep(to - performance.now());
  stop = true;
  clearInterval(sampler);
  eld.disable();
  if (DEBUG) console.log(`  ${label} window in monotonic µs (to slice a --cpu-prof profile): ${winStartUs}..${process.hrtime.bigint() / 1000n}`);
  if (DEBUG) console.log(`  ${label} per second (healthy ok / max ms): ${perSecond.map((b) => `${b.ok}/${b.max.toFixed(0)}`).join(' ')}`);
  const cpu1 = procCpuSeconds('self') ?? 0;
  const sim1 = sim.cpuSeconds() ?? 0;
  const mach1 = machineBusySeconds() ?? 0;
  const healthyBreakerOpens = breakerOpens.healthy - opens0;
  // Availability and breaker state of the hung devices as a northbound reader would see them at the end of the window.
  let hungOffline = 0;
  const hungBreakers: Record<string, number> = {};
  devs.forEach((d, i) => {
    if (!isHung(i)) return;
    if (d.availability === 'UnavailableOffline') hungOffline++;
    const s = d.guard.breaker.state;
    hungBreakers[s] = (hungBreakers[s] ?? 0) + 1;
  });
  const inFlightAtEnd = inFlight;
  const gwFds = procFds('self');
  const simFds = sim.fds();
  const d0 = performance.now();
  await Promise.all(all);
  clearTimeout(startWindow);
  // With --expose-gc, RSS and heap are read after a full collection, so that growth across runs means retention.
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const seconds = windowMs / 1000;
  return {
    label,
    healthy,
    hung,
    seconds,
    hungOffline,
    hungBreakers,
    hungShownEnabled: caughtSamples ? shownEnabled / caughtSamples : NaN,
    gwCpu: (cpu1 - cpu0) / seconds,
    simCpu: (sim1 - sim0) / seconds,
    otherCpu: Math.max(0, (mach1 - mach0 - (cpu1 - cpu0) - (sim1 - sim0)) / seconds),
    healthyBreakerOpens,
    eldP99: eld.percentile(99) / 1e6,
    eldMax: eld.max / 1e6,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    gwFds,
    simFds,
    drainMs: performance.now() - d0,
    inFlightAtEnd,
  };
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * After the faults are cleared: every device keeps polling at its usual pace (so that the next run A starts with warm
 * connections, as run B did) until each formerly hung device has answered once. Returns the seconds that took.
 */
async function recover(devs: ManagedDevice[], hung: ManagedDevice[], limitMs: number): Promise<{ seconds: number; left: number }> {
  const t0 = performance.now();
  const pending = new Set(hung);
  await Promise.all(
    devs.map(async (d) => {
      while (pending.size && performance.now() - t0 < limitMs) {
        try {
          await d.call('state', []);
          pending.delete(d);
        } catch {
          // still hung, or its breaker has not half-opened yet
        }
        await sleep(pending.has(d) ? FAIL_GAP_MS : GAP_MS);
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, left: pending.size };
}

/** The soft limit on open files (the child inherits it), from /proc; undefined where there is no /proc. */
function fdLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.replace('Max open files', '').trim().split(/\s+/)[0];
    return soft === 'unlimited' ? Infinity : soft ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat; what neither bench process used is noise. */
function machineBusySeconds(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
    return busy / 100;
  } catch {
    return undefined;
  }
}

/**
 * Waits until the rest of the machine has used less than QUIET_CORES for a whole second, or `maxMs` passed. These
 * machines are shared: another process's burst starves both bench processes and makes a run meaningless.
 */
async function waitQuiet(sim: SimChild, maxMs: number): Promise<number> {
  const t0 = performance.now();
  let other = NaN;
  do {
    const m0 = machineBusySeconds();
    const c0 = procCpuSeconds('self');
    const s0 = sim.cpuSeconds();
    await sleep(1000);
    const m1 = machineBusySeconds();
    const c1 = procCpuSeconds('self');
    const s1 = sim.cpuSeconds();
    if (m0 === undefined || m1 === undefined || c0 === undefined || c1 === undefined || s0 === undefined || s1 === undefined) return NaN;
    other = m1 - m0 - (c1 - c0) - (s1 - s0);
    if (other < QUIET_CORES) break;
  } while (performance.now() - t0 < maxMs);
  return other;
}

const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');

function table(results: RunResult[]): void {
  const head = ['run', 'healthy polls/s', 'p50 ms', 'p99 ms', 'max ms', 'healthy errs (brk opens)', 'hung: ok/timeout/fast-fail/slow-unavail/other', 'hung offline (Enabled after caught)', 'gw CPU', 'sim CPU', 'other CPU', 'ELD p99/max ms', 'gw RSS (heap)', 'fds gw/sim'];
  const rows = results.map((r) => {
    const lat = Float64Array.from(r.healthy.lat).sort();
    const herr = r.healthy.timeouts + r.healthy.fastFails + r.healthy.slowUnavailable + [...r.healthy.other.values()].reduce((a, b) => a + b, 0);
    const other = [...r.hung.other.values()].reduce((a, b) => a + b, 0);
    return [
      r.label,
      fmt(r.healthy.ok / r.seconds, 0),
      fmt(q(lat, 0.5), 1),
      fmt(q(lat, 0.99), 1),
      fmt(lat.length ? lat[lat.length - 1]! : NaN, 0),
      `${herr} (${r.healthyBreakerOpens})`,
      r.label.startsWith('B') ? `${r.hung.ok}/${r.hung.timeouts}/${r.hung.fastFails}/${r.hung.slowUnavailable}/${other}` : '-',
      r.label.startsWith('B') ? `${r.hungOffline}/${Object.values(r.hungBreakers).reduce((a, b) => a + b, 0)} (${fmt(r.hungShownEnabled * 100)}%)` : '-',
      `${fmt(r.gwCpu * 100)}%`,
      `${fmt(r.simCpu * 100)}%`,
      `${fmt(r.otherCpu * 100)}%`,
      `${fmt(r.eldP99, 1)}/${fmt(r.eldMax, 0)}`,
      `${mib(r.rss)} (${mib(r.heapUsed)})`,
      `${r.gwFds ?? '-'}/${r.simFds ?? '-'}`,
    ];
  });
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  for (const r of results) {
    const h = r.healthy;
    const n = h.timeouts + h.fastFails + h.slowUnavailable + [...h.other.values()].reduce((a, b) => a + b, 0);
    if (n) console.log(`  ${r.label}: healthy-set failures: Timeout ${h.timeouts}, breaker fast-fail ${h.fastFails}, breaker after retries ${h.slowUnavailable}${[...h.other].map(([k, v]) => `, ${k} ${v}`).join('')}`);
  }
  console.log('  CPU columns are % of one core during the window; "other" is what the rest of the machine used (noise).');
}

async function main(): Promise<void> {
  const hungCount = Math.floor(N / HUNG_EVERY);
  console.log(`driver-poll: ${N} bluefield3 devices (simulator in a child process), ${hungCount} hung in run B (every ${HUNG_EVERY}th, bmc-hang until cleared)`);
  // The simulator holds a listener per device plus its connections (up to maxInFlight = 4 per device while sessions
  // open), and a parked socket per hung connection attempt; the gateway up to 4 sockets per device.
  const limit = fdLimit();
  const need = 3 * N + 512;
  console.log(`open-file limit: ${limit ?? 'unknown'} (the simulator needs about ${need}: a listener and 1-4 connections per device; the gateway up to ${4 * N})`);
  if (limit !== undefined && limit < need) throw new Error(`the open-file limit ${limit} is too low for ${N} devices; raise it (ulimit -n ${Math.max(8192, 5 * N)}) or set BENCH_POLL_DEVICES lower`);

  const tStart = performance.now();
  const sim = await startSimChild({ persona: 'bluefield3', count: N, baseAddress: BASE, startTimeoutMs: 180_000 });
  let runtime: DriverRuntime | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    console.error(`driver-poll: ${sig}, stopping the simulator`);
    void sim.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(`simulator pid ${sim.pid} up in ${((performance.now() - tStart) / 1000).toFixed(1)} s: ${sim.devices[0]!.origin} .. ${sim.devices.at(-1)!.origin}, control ${sim.control}`);

    runtime = new DriverRuntime({ log: countingLog, guard: REQUEST_MS === undefined ? {} : { timeoutMs: REQUEST_MS } });
    const devs = sim.devices.map((d) =>
      runtime!.add(
        { id: d.id, protocol: 'redfish', host: d.host, port: d.port, credentials: { kind: 'basic', username: d.user, password: d.password }, tls: { mode: TLS } } satisfies Endpoint,
        redfishDriver,
      ),
    );
    const isHung = (i: number) => i % HUNG_EVERY === HUNG_EVERY - 1; // bf3-0010, bf3-0020, ...
    devs.forEach((d, i) => {
      const log = d.guard.breaker.onChange;
      d.guard.breaker.onChange = (s) => {
        if (s === 'open') breakerOpens[isHung(i) ? 'hung' : 'healthy']++;
        log?.(s);
      };
    });
    const hungDevs = devs.filter((_, i) => isHung(i));
    const o = devs[0]!.guard.opts;
    console.log(
      `guard (effective, per device): maxInFlight ${o.maxInFlight}, timeoutMs ${o.timeoutMs}, retries ${o.retries}, backoffMs ${o.backoffMs}, breakerThreshold ${o.breakerThreshold}, breakerOpenMs ${o.breakerOpenMs}, breakerMaxOpenMs ${o.breakerMaxOpenMs}; call timeout 300000 ms (runtime default); TLS ${TLS}`,
    );
    console.log(`coordinators: one state() poll at a time per device, ${GAP_MS} ms pause after a success, ${FAIL_GAP_MS} ms after a failure; window ${WINDOW_MS / 1000} s after a ${RAMP_MS} ms ramp; ${ROUNDS} round(s) of A,B`);

    // Warm-up: open every session (service root, collections, update and log services) and poll once.
    const tw = performance.now();
    const failed: string[] = [];
    await pool(devs, WARM_CONCURRENCY, async (d) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await d.connect();
          await d.call('state', []);
          return;
        } catch (e) {
          if (attempt === 2) failed.push(`${d.endpoint.id}: ${(e as Error).message}`);
          else await sleep(1000);
        }
      }
    });
    if (failed.length) throw new Error(`${failed.length} devices did not connect during warm-up, e.g. ${failed.slice(0, 3).join('; ')}`);
    const connectS = (performance.now() - tw) / 1000;
    // Then poll the whole fleet as the runs will, unmeasured, so that the first run is not also the first of everything.
    const warm = await run('warm-up', devs, () => false, sim, 5000);
    if (warm.healthy.ok === 0) throw new Error('no poll succeeded during the warm-up run');
    console.log(`warm-up: ${N} sessions opened in ${connectS.toFixed(1)} s (${WARM_CONCURRENCY} at a time), then 5 s of polling (${fmt(warm.healthy.ok / warm.seconds)} polls/s); RSS ${mib(process.memoryUsage().rss)}, fds ${procFds('self') ?? '-'} (simulator ${sim.fds() ?? '-'})`);

    const results: RunResult[] = [];
    const ratios: number[] = [];
    const noisy: boolean[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const quiet = await waitQuiet(sim, QUIET_WAIT_MS);
      console.log(`round ${round}: load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}, other processes ${fmt(quiet * 100)}% CPU in the last second`);
      const a = await run(`A${round} all healthy`, devs, isHung, sim);
      sim.assertAlive();
      results.push(a);
      await Promise.all(hungDevs.map((d) => sim.inject(d.endpoint.id, { kind: 'bmc-hang' })));
      const b = await run(`B${round} ${hungCount} hung`, devs, isHung, sim);
      sim.assertAlive();
      results.push(b);
      ratios.push(b.healthy.ok / b.seconds / (a.healthy.ok / a.seconds));
      noisy.push(Math.max(a.otherCpu, b.otherCpu) > QUIET_CORES);
      await Promise.all(hungDevs.map((d) => sim.clear(d.endpoint.id)));
      const rec = await recover(devs, hungDevs, 150_000);
      console.log(
        `round ${round}: A ${fmt(a.healthy.ok / a.seconds)} polls/s, B ${fmt(b.healthy.ok / b.seconds)} polls/s; B drain ${fmt(b.drainMs)} ms (${b.inFlightAtEnd} calls in flight at the end); hung breakers at end of B ${JSON.stringify(b.hungBreakers)}; after clearing, hung devices answered again within ${rec.seconds.toFixed(1)} s${rec.left ? ` (${rec.left} never did)` : ''}`,
      );
    }

    console.log('');
    table(results);
    console.log('');
    ratios.forEach((r, i) =>
      console.log(
        `round ${i + 1}: ratio B/A (healthy polls/s) = ${r.toFixed(3)}  ${r >= GOAL ? 'meets' : 'MISSES'} the ${GOAL.toFixed(2)} goal${noisy[i] ? `  (NOISY: other processes used more than ${QUIET_CORES * 100}% of a core during the round; not conclusive)` : ''}`,
      ),
    );
    console.log(`runtime warnings: ${counts.warn} (breaker opened ${counts.breakerOpen} times, closed ${counts.breakerClosed}); unhandled rejections: ${unhandled}`);
    console.log(`gateway process RSS at the end: ${mib(process.memoryUsage().rss)}`);
    if (unhandled) process.exitCode = 1;
  } finally {
    const tc = performance.now();
    if (runtime) {
      const closed = await Promise.race([runtime.close().then(() => true), sleep(30_000).then(() => false)]);
      console.log(`runtime.close() ${closed ? `took ${((performance.now() - tc) / 1000).toFixed(1)} s` : 'did not finish within 30 s'}`);
    }
    await sim.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

try {
  await main();
} catch (e) {
  console.error(`driver-poll failed: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
}
// Pools, keep-alive timers and the simulator's pipes may still hold the loop; the figures are printed.
process.exit();
