/**
 * The probing engine the `cidr` and `static` sources share: probe options, a worker pool bounded by concurrency and
 * paced by a token bucket, and the translation of probe answers into sightings.
 */
import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import type { DiscoverySourceName, Sighting, SightingProtocol } from '../../model/discovery.js';
import {
  createProbeAgent,
  probeRedfish,
  rmcpPing,
  serviceRootUuid,
  snmpProbe,
  type ProbeAgent,
  type ProbeFailure,
  type RedfishProbeSuccess,
  type RmcpAuthCaps,
  type RmcpPong,
  type SnmpProbeSuccess,
  type SnmpV3User,
} from '../probe.js';
import { RateWaitAborted, TokenBucket, type RateClock } from './rate.js';
import type { SourceContext } from './source.js';

/** SNMP credentials to try, in order: v2c communities first, then v3 users. */
export interface SnmpSettings {
  communities?: string[];
  users?: SnmpV3User[];
  /** UDP ports. Default [161]. */
  ports?: number[];
}

/** The probe functions a sweep calls. Replaceable for tests and benchmarks. */
export interface SweepProbes {
  redfish: typeof probeRedfish;
  rmcp: typeof rmcpPing;
  snmp: typeof snmpProbe;
}

/** Probe options shared by the `cidr` and `static` sources. */
export interface ProbeSettings {
  /** IPMI over RMCP: `true` for port 623, or the ports to ping. Default off. */
  ipmi?: boolean | number[];
  /** SNMP: `true` for community `public` on port 161, or the credentials and ports. Default off. */
  snmp?: boolean | SnmpSettings;
  /** Probes in flight at once. Default 64. */
  concurrency?: number;
  /** New probes started per second (token bucket). Default 500. */
  ratePerSecond?: number;
  /** Per probe. Default 3000 ms. */
  timeoutMs?: number;
  /** Replaces the real probes (tests, benchmarks). */
  probes?: Partial<SweepProbes>;
  /**
   * The gateway's own probe agent. A sweep that shares it stays inside one connection budget with the probes of
   * announced devices (SSDP, mDNS) running beside it, and reuses its TLS session cache; without it each sweep makes
   * (and closes) an agent of `concurrency` connections.
   */
  agent?: ProbeAgent;
  /** Time for the rate limiter (tests). */
  clock?: RateClock;
}

/** Settings after defaults and checks. */
export interface ResolvedSettings {
  ipmiPorts: number[];
  snmp: { communities: string[]; users: SnmpV3User[]; ports: number[] } | undefined;
  concurrency: number;
  ratePerSecond: number;
  timeoutMs: number;
  probes: SweepProbes;
  clock: RateClock | undefined;
  agent: ProbeAgent | undefined;
}

/** Throws a RangeError naming the setting when a port is not 1..65535. */
export function checkPorts(what: string, ports: readonly number[]): number[] {
  for (const p of ports) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`${what}: ${p} is not a port (1 to 65535)`);
  return [...new Set(ports)];
}

/** Applies defaults and refuses settings that cannot work, with a message that names them. */
export function resolveSettings(o: ProbeSettings): ResolvedSettings {
  const concurrency = o.concurrency ?? 64;
  const ratePerSecond = o.ratePerSecond ?? 500;
  const timeoutMs = o.timeoutMs ?? 3000;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError(`ratePerSecond must be a positive number, got ${ratePerSecond}`);
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  const ipmiPorts = o.ipmi === true ? [623] : Array.isArray(o.ipmi) ? checkPorts('ipmi', o.ipmi) : [];
  let snmp: ResolvedSettings['snmp'];
  if (o.snmp === true) snmp = { communities: ['public'], users: [], ports: [161] };
  else if (o.snmp && typeof o.snmp === 'object') {
    const communities = o.snmp.communities ?? [];
    const users = o.snmp.users ?? [];
    if (communities.some((c) => typeof c !== 'string' || c.length === 0)) throw new RangeError('snmp.communities: a community must be a non-empty string');
    if (users.some((u) => !u || typeof u.user !== 'string' || !u.user)) throw new RangeError('snmp.users: each user needs a name');
    snmp = { communities: communities.length || users.length ? communities : ['public'], users, ports: checkPorts('snmp.ports', o.snmp.ports ?? [161]) };
  }
  return {
    ipmiPorts,
    snmp,
    concurrency,
    ratePerSecond,
    timeoutMs,
    probes: { redfish: o.probes?.redfish ?? probeRedfish, rmcp: o.probes?.rmcp ?? rmcpPing, snmp: o.probes?.snmp ?? snmpProbe },
    clock: o.clock,
    agent: o.agent,
  };
}

/** A group of probes whose completion counts as one unit of progress (one address, or one static target). */
export interface JobGroup {
  /** For logs: the address or the target text. */
  label: string;
  remaining: number;
}

/** One probe of one endpoint. */
export interface Job {
  protocol: SightingProtocol;
  host: string;
  port: number;
  scheme?: 'https' | 'http';
  group: JobGroup;
}

/** How a sweep reports what it found and what it did not. */
export interface SweepSpec {
  source: DiscoverySourceName;
  jobs: Iterable<Job>;
  /** Groups in `jobs`, for progress. */
  total: number;
  settings: ResolvedSettings;
  /** Called for each probe that found nothing (never for probes cut short by an abort). */
  onMiss(job: Job, failure: ProbeFailure): void;
}

type Found = RedfishProbeSuccess | RmcpPong | RmcpAuthCaps | SnmpProbeSuccess;

function urlPort(url: string, fallback: number): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : u.protocol === 'https:' ? 443 : fallback;
}

/** The sighting for one successful probe. A target named by DNS name keeps that name as `hostName` too. */
export function toSighting(source: DiscoverySourceName, job: Job, r: Found, at = Date.now()): Sighting {
  const named = isIP(job.host.split('%')[0] ?? '') === 0 ? { hostName: job.host } : {};
  if ('serviceRoot' in r) {
    const uuid = serviceRootUuid(r.serviceRoot);
    return { source, at, protocol: 'redfish', host: job.host, port: urlPort(r.url, job.port), serviceRootUrl: r.url, ...named, keys: uuid ? { uuid } : {}, hints: { serviceRoot: r.serviceRoot } };
  }
  if ('kind' in r) {
    return { source, at, protocol: 'ipmi', host: job.host, port: job.port, ...named, keys: r.guid ? { uuid: r.guid } : {}, hints: { ipmi: { rmcp: true } } };
  }
  const snmp = { ...(r.sysDescr ? { sysDescr: r.sysDescr } : {}), ...(r.sysObjectId ? { sysObjectId: r.sysObjectId } : {}), ...(r.sysName ? { sysName: r.sysName } : {}) };
  // sysName is the agent's own name for itself, as an LLDP system name is: good for people to read.
  const hostName = 'hostName' in named ? named : r.sysName ? { hostName: r.sysName } : {};
  return { source, at, protocol: 'snmp', host: job.host, port: job.port, ...hostName, keys: {}, hints: { snmp } };
}

/**
 * SNMP credentials are tried one after another until one answers. A v2c agent drops a wrong community in silence,
 * so each wrong one costs a full timeout; an SNMPv3 refusal (`auth`) is reported over a plain timeout.
 */
async function probeSnmp(job: Job, s: ResolvedSettings, signal: AbortSignal): Promise<SnmpProbeSuccess | ProbeFailure> {
  const cfg = s.snmp!;
  let worst: ProbeFailure | undefined;
  const attempts = [...cfg.communities.map((community) => ({ community })), ...cfg.users.map((v3) => ({ v3 }))];
  for (const a of attempts) {
    const r = await s.probes.snmp(job.host, job.port, { timeoutMs: s.timeoutMs, signal, ...a });
    if (r.ok || r.reason === 'aborted') return r;
    if (!worst || (r.reason === 'auth' && worst.reason !== 'auth')) worst = r;
  }
  return worst ?? { ok: false, reason: 'error', detail: 'no SNMP credentials configured' };
}

async function runJob(job: Job, s: ResolvedSettings, agent: ProbeAgent, signal: AbortSignal): Promise<Found | ProbeFailure> {
  try {
    switch (job.protocol) {
      case 'redfish':
        return await s.probes.redfish({ host: job.host, port: job.port, ...(job.scheme ? { scheme: job.scheme } : {}) }, { timeoutMs: s.timeoutMs, signal, agent });
      case 'ipmi':
        return await s.probes.rmcp(job.host, job.port, { timeoutMs: s.timeoutMs, signal });
      case 'snmp':
        return await probeSnmp(job, s, signal);
    }
  } catch (e) {
    // The probes do not throw for the network; a throw here is a bug or bad settings, and must not end the sweep.
    return { ok: false, reason: 'error', detail: (e as Error).message };
  }
}

/**
 * Runs every job: at most `concurrency` in flight, starts paced by the token bucket, a sighting per answer. Resolves
 * when all jobs are done, or promptly after `ctx.signal` aborts (no new probe starts, running ones are cancelled).
 */
export async function runSweep(spec: SweepSpec, ctx: SourceContext): Promise<{ done: number; found: number; aborted: boolean }> {
  const s = spec.settings;
  // One signal per sweep that every probe listens to; the caller's signal is linked once, not once per probe.
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  const onAbort = (): void => ac.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  const signal = ac.signal;
  const agent = s.agent ?? createProbeAgent({ connections: s.concurrency, connectTimeoutMs: s.timeoutMs });
  const bucket = new TokenBucket(s.ratePerSecond, undefined, s.clock);
  const it = spec.jobs[Symbol.iterator]();
  let done = 0;
  let found = 0;

  // A throwing consumer must not end one worker while the others run on unsupervised.
  const guarded = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      ctx.log.warn({ err: (e as Error).message }, `discovery ${what} callback failed`);
    }
  };
  guarded('progress', () => ctx.progress?.(0, spec.total));
  const finishJob = (job: Job): void => {
    job.group.remaining -= 1;
    if (job.group.remaining === 0 && !signal.aborted) {
      done += 1;
      guarded('progress', () => ctx.progress?.(done, spec.total));
    }
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      if (signal.aborted) return;
      const next = it.next();
      if (next.done) return;
      const job = next.value;
      try {
        await bucket.take(signal);
      } catch (e) {
        if (e instanceof RateWaitAborted) return;
        throw e;
      }
      const r = await runJob(job, s, agent, signal);
      if (signal.aborted) return;
      if (r.ok) {
        found += 1;
        const sighting = toSighting(spec.source, job, r);
        guarded('emit', () => ctx.emit(sighting));
      } else if (r.reason !== 'aborted') {
        guarded('log', () => spec.onMiss(job, r));
      }
      finishJob(job);
    }
  };
  try {
    await Promise.all(Array.from({ length: s.concurrency }, worker));
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    if (agent !== s.agent) await agent.close();
  }
  return { done, found, aborted: signal.aborted };
}
