/**
 * `shoal discover`: find DPUs and BMCs.
 *
 * Local mode runs the gateway's own discovery pipeline (sources, probes, correlation into one identity per device)
 * in this process, over an in-memory store, with approval registration: nothing logs in to any device and nothing
 * is registered; what answered is printed. Gateway mode (`--gateway`) asks a running gateway to sweep through its
 * OEM Discover action, follows the task, and lists the gateway's AggregationSources afterwards.
 */
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { Agent, fetch } from 'undici';
import { build } from '../app.js';
import { loadConfigFile } from '../config/config.js';
import { resolveDiscovery, type DiscoveryConfig } from '../config/discovery-config.js';
import { visible, type SweepRequest } from '../discovery/index.js';
import { expandRanges, parseRange } from '../discovery/sources/cidr-ranges.js';
import { buildSources } from '../discovery/sources/index.js';
import { parseTarget } from '../discovery/sources/static.js';
import { hostNameOf, type DiscoveredDevice, type DiscoverySourceName } from '../model/discovery.js';
import { ProgressBar, type ProgressStream } from './progress.js';

/** The command's options, as commander hands them over (numbers may also be given as numbers). */
export interface DiscoverOptions {
  cidr?: string[];
  ssdp?: boolean;
  ssdpTarget?: string[];
  mdns?: boolean;
  dnsDomain?: string[];
  dnsServer?: string[];
  lldp?: boolean;
  lldpSocket?: string;
  target?: string[];
  port?: (string | number)[];
  concurrency?: string | number;
  rate?: string | number;
  timeoutMs?: string | number;
  config?: string;
  json?: boolean;
  gateway?: string;
  user?: string;
  password?: string;
  insecure?: boolean;
  ca?: string;
}

/** Where the command writes, and what it reads from its environment. */
export interface DiscoverIO {
  stdout: { write(chunk: string): unknown };
  /** Warnings, errors and progress. A TTY gets a progress bar; anything else, a line per tenth. */
  stderr: ProgressStream;
  /** For SHOAL_PASSWORD. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Ctrl-C: stops the sweep (local) or cancels the gateway's task. */
  signal?: AbortSignal;
}

/** One device, as printed (text or `--json`) in both modes. Missing values are null. */
export interface DeviceRow {
  id: string;
  /** RegistrationState. Local mode: always PendingApproval (nothing is registered). */
  state: string;
  /** The AggregationSource Status.State (gateway mode only). */
  status: string | null;
  protocol: string;
  /** The AggregationSource HostName, e.g. https://10.0.0.5:8443. */
  hostName: string;
  driver: string | null;
  /** Service root Vendor and Product (what an unauthenticated read shows). */
  vendor: string | null;
  product: string | null;
  /** From the device's inventory (only once registered). */
  manufacturer: string | null;
  model: string | null;
  serialNumber: string | null;
  uuid: string | null;
  /** Discovery sources that saw it. */
  sources: string[];
  /** The host carrying this DPU (its id), when paired, and the slot. */
  host: string | null;
  slot: string | null;
  problem: string | null;
}

class UsageError extends Error {}

const EXIT_INTERRUPTED = 130;
const DISCOVER_ACTION = '/redfish/v1/AggregationService/Actions/Oem/ShoalAggregationService.Discover';
const SOURCES_URI = '/redfish/v1/AggregationService/AggregationSources';

/** Values of a repeatable option, each possibly comma-separated, trimmed, empties dropped. */
function list(v: readonly (string | number)[] | string | undefined): string[] {
  if (v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
}

function int(v: string | number | undefined, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const text = String(v).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${v}"`);
  return n;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Runs `shoal discover` and returns its exit code: 0 on success, 1 on bad options or a gateway error, 130 when
 * interrupted. Never throws.
 */
export async function runDiscover(o: DiscoverOptions, io: DiscoverIO): Promise<number> {
  const warn = (msg: string) => void io.stderr.write(`shoal discover: warning: ${msg}\n`);
  try {
    return o.gateway ? await runGateway(o, io, warn) : await runLocal(o, io, warn);
  } catch (e) {
    io.stderr.write(`shoal discover: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Local mode

/** Sources the flags ask for, in a fixed order. */
function flagSources(o: DiscoverOptions): DiscoverySourceName[] {
  const out: DiscoverySourceName[] = [];
  if (list(o.cidr).length) out.push('cidr');
  if (o.ssdp || list(o.ssdpTarget).length) out.push('ssdp');
  if (o.mdns) out.push('mdns');
  if (list(o.dnsDomain).length || list(o.dnsServer).length) out.push('dns');
  if (o.lldp || o.lldpSocket) out.push('lldp');
  if (list(o.target).length) out.push('static');
  return out;
}

/** Checks --cidr and --target one by one, so that the message names the flag and the bad value. */
function checkRangesAndTargets(cidr: string[], targets: string[]): void {
  for (const r of cidr) {
    try {
      parseRange(r);
    } catch (e) {
      throw new UsageError(`--cidr: ${(e as Error).message}`);
    }
  }
  for (const t of targets) {
    try {
      parseTarget(t);
    } catch (e) {
      throw new UsageError(`--target: ${(e as Error).message}`);
    }
  }
}

/** The discovery config of a local run: the config file's section, the flags over it, and never any logging in. */
function localConfig(o: DiscoverOptions): { discovery: DiscoveryConfig; drivers?: unknown } {
  const file = o.config ? loadConfigFile(o.config) : {};
  const base = file.discovery ?? {};
  if (!isObj(base)) throw new UsageError(`${o.config}: discovery must be an object`);
  const input: Record<string, unknown> = structuredClone(base);
  // Approval registration with no credentials: found devices wait for an operator, so nothing logs in.
  input.enabled = false;
  input.registration = 'approval';
  input.credentials = [];
  input.useDriverDefaults = false;
  const ports = list(o.port);
  if (ports.length) input.redfishPorts = ports.map((p) => int(p, '--port', 1, 65535)!);
  const concurrency = int(o.concurrency, '--concurrency', 1, 4096);
  if (concurrency !== undefined) input.concurrency = concurrency;
  const rate = int(o.rate, '--rate', 1, 100_000);
  if (rate !== undefined) input.ratePerSecond = rate;
  const timeout = int(o.timeoutMs, '--timeout-ms', 100, 120_000);
  if (timeout !== undefined) input.probeTimeoutMs = timeout;
  const sources: Record<string, unknown> = isObj(input.sources) ? input.sources : {};
  const over = (name: string, v: Record<string, unknown>) => {
    sources[name] = { ...(isObj(sources[name]) ? sources[name] : {}), ...v };
  };
  if (list(o.ssdpTarget).length) over('ssdp', { unicastTargets: list(o.ssdpTarget) });
  if (list(o.dnsDomain).length) over('dns', { domains: list(o.dnsDomain) });
  if (list(o.dnsServer).length) over('dns', { servers: list(o.dnsServer) });
  if (o.lldpSocket) over('lldp', { socket: o.lldpSocket });
  input.sources = sources;
  let discovery: DiscoveryConfig;
  try {
    discovery = resolveDiscovery(input);
  } catch (e) {
    throw new UsageError(o.config ? `${o.config}: ${(e as Error).message}` : (e as Error).message);
  }
  return { discovery, ...(file.drivers ? { drivers: file.drivers } : {}) };
}

async function runLocal(o: DiscoverOptions, io: DiscoverIO, warn: (m: string) => void): Promise<number> {
  for (const [flag, given] of [['--user', o.user], ['--password', o.password], ['--insecure', o.insecure], ['--ca', o.ca]] as const) {
    if (given) warn(`${flag} is for --gateway and is ignored here`);
  }
  const cidr = list(o.cidr);
  const targets = list(o.target);
  checkRangesAndTargets(cidr, targets);
  const { discovery, drivers } = localConfig(o);
  if (cidr.length) {
    // The size cap counts what is left after the configured exclusions.
    try {
      expandRanges(cidr, discovery.sources.cidr.exclude);
    } catch (e) {
      throw new UsageError(`--cidr: ${(e as Error).message}`);
    }
  }
  if (list(o.dnsServer).length && !discovery.sources.dns.domains.length) throw new UsageError('--dns-server needs --dns-domain (the domains to browse)');
  if (o.ssdp && discovery.sources.ssdp.unicastTargets.length && !discovery.sources.ssdp.interfaces.length) {
    warn('with unicast SSDP targets, SSDP searches only them; set discovery.sources.ssdp.interfaces in --config to multicast as well');
  }

  let names = flagSources(o);
  if (!names.length && o.config) {
    names = (Object.keys(discovery.sources) as (keyof DiscoveryConfig['sources'])[]).filter((k) => k !== 'bmc' && discovery.sources[k].enabled);
  }
  if (!names.length) {
    throw new UsageError('nothing to discover: give --cidr, --ssdp, --ssdp-target, --mdns, --dns-domain, --lldp or --target (or --config with discovery sources enabled); --gateway asks a gateway instead');
  }
  const req: SweepRequest = { sources: names, ...(cidr.length ? { cidr } : {}), ...(targets.length ? { targets } : {}) };
  // Building the sources checks every setting (unicast targets, DNS servers, ranges from the config) before anything runs.
  let planned: string[];
  try {
    planned = buildSources(discovery, req).map((s) => s.name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!planned.length) throw new UsageError(`nothing to discover: the sources ${names.join(', ')} have nothing configured to search`);

  const shoal = await build(
    { dataDir: ':memory:', tls: { enabled: false }, discovery, ...(drivers ? { drivers: drivers as { external?: string[] } } : {}) },
    { logger: false },
  );
  try {
    const bar = new ProgressBar(io.stderr, { label: 'cidr sweep' });
    const found = new Set<string>();
    let swept: number | undefined;
    const report = await shoal.local!.discovery.sweep(req, {
      ...(io.signal ? { signal: io.signal } : {}),
      progress: (source, done, total) => {
        if (source !== 'cidr' || total <= 0) return;
        // The last step waits for the sweep to settle, so that its count of devices found is the final one.
        if (done >= total) swept = total;
        else bar.update(done / total, `${done}/${total} addresses, ${found.size} found`);
      },
      outcome: (_s, out) => {
        if ('id' in out) found.add(out.id);
      },
    });
    if (swept !== undefined) bar.update(1, `${swept}/${swept} addresses, ${found.size} found`);
    bar.finish();
    const rows = shoal.local!.discovery.directory.list().filter(visible).map(localRow).sort(byAddress);
    const failed = report.failed.length ? report.failed.map((f) => `${f.source} (${f.error})`).join('; ') : 'none';
    const summary =
      `${rows.length} device${rows.length === 1 ? '' : 's'} from ${report.sightings} sighting${report.sightings === 1 ? '' : 's'} ` +
      `(sources: ${planned.join(', ')}); ${report.unreachable} unreachable, ${report.unmatched} unmatched; failed sources: ${failed}; ` +
      'nothing registered (local mode)';
    if (o.json) {
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      io.stderr.write(`${summary}\n`);
    } else {
      if (rows.length) io.stdout.write(table(rows, LOCAL_COLUMNS));
      io.stdout.write(`${summary}\n`);
    }
    if (io.signal?.aborted) {
      io.stderr.write('shoal discover: interrupted: the sweep stopped early, so the list is partial\n');
      return EXIT_INTERRUPTED;
    }
    return 0;
  } finally {
    await shoal.close();
  }
}

function localRow(d: DiscoveredDevice): DeviceRow {
  const id = d.identity;
  return {
    id: d.id,
    state: d.state,
    status: null,
    protocol: d.protocol,
    hostName: hostNameOf(d),
    driver: d.driver ?? null,
    vendor: id.vendor ?? null,
    product: id.product ?? null,
    manufacturer: id.manufacturer ?? null,
    model: id.model ?? null,
    serialNumber: id.serialNumber ?? id.serials?.[0] ?? null,
    uuid: id.uuid ?? null,
    sources: Object.keys(d.sources).sort(),
    host: d.parentId ?? null,
    slot: d.slot ?? null,
    problem: d.problem ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Output

interface Column {
  title: string;
  cell(r: DeviceRow): string | null;
}

/** `Manufacturer Model`, else `Vendor Product` (a product that already names its vendor is shown alone). */
const label = (r: DeviceRow): string | null => {
  const mm = [r.manufacturer, r.model].filter(Boolean).join(' ');
  if (mm) return mm;
  if (r.vendor && r.product && r.product.toLowerCase().includes(r.vendor.toLowerCase())) return r.product;
  return [r.vendor, r.product].filter(Boolean).join(' ') || null;
};

const LOCAL_COLUMNS: Column[] = [
  { title: 'ID', cell: (r) => r.id },
  { title: 'STATE', cell: (r) => r.state },
  { title: 'PROTOCOL', cell: (r) => r.protocol },
  { title: 'HOSTNAME', cell: (r) => r.hostName },
  { title: 'DRIVER', cell: (r) => r.driver },
  { title: 'DEVICE', cell: label },
  { title: 'UUID', cell: (r) => r.uuid },
  { title: 'SOURCES', cell: (r) => r.sources.join(',') },
];

const GATEWAY_COLUMNS: Column[] = [
  { title: 'ID', cell: (r) => r.id },
  { title: 'STATE', cell: (r) => r.state },
  { title: 'STATUS', cell: (r) => r.status },
  { title: 'HOSTNAME', cell: (r) => r.hostName },
  { title: 'DRIVER', cell: (r) => r.driver },
  { title: 'DEVICE', cell: label },
  { title: 'SERIAL', cell: (r) => r.serialNumber },
  { title: 'HOST', cell: (r) => (r.host ? `${r.host}${r.slot ? `/${r.slot}` : ''}` : null) },
  { title: 'SOURCES', cell: (r) => r.sources.join(',') },
];

/** Aligned columns with a header line; an empty cell is `-`. */
function table(rows: DeviceRow[], columns: Column[]): string {
  const cells = [columns.map((c) => c.title), ...rows.map((r) => columns.map((c) => (c.cell(r) || '-').replace(/\s+/g, ' ')))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells.map((line) => line.map((c, i) => (i === line.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** Orders by address (IPv4 numerically), then port. */
function byAddress(a: DeviceRow, b: DeviceRow): number {
  const key = (r: DeviceRow) => {
    try {
      const u = new URL(r.hostName);
      const h = u.hostname;
      const n = isIPv4(h) ? h.split('.').reduce((acc, p) => acc * 256 + Number(p), 0) : Number.MAX_SAFE_INTEGER;
      return { n, h, port: Number(u.port || 0) };
    } catch {
      return { n: Number.MAX_SAFE_INTEGER, h: r.hostName, port: 0 };
    }
  };
  const x = key(a);
  const y = key(b);
  return x.n - y.n || x.h.localeCompare(y.h) || x.port - y.port || a.id.localeCompare(b.id);
}

// ---------------------------------------------------------------------------------------------------------------
// Gateway mode

class GatewayError extends Error {}

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

/** The message a Redfish error carries: the first ExtendedInfo Message, else `error.message`. */
function redfishMessage(body: unknown): string | undefined {
  if (!isObj(body) || !isObj(body.error)) return undefined;
  const info = body.error['@Message.ExtendedInfo'];
  const first = Array.isArray(info) ? info[0] : undefined;
  if (isObj(first) && typeof first.Message === 'string') return first.Message;
  return typeof body.error.message === 'string' ? body.error.message : undefined;
}

/** Why a request did not reach the gateway, with a hint for certificate trouble. */
function networkMessage(base: URL, e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const text = cause?.message ?? (e as Error).message;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME/i.test(code)) {
    return `the gateway at ${base.origin} has a certificate this command does not trust (${text}); give its CA with --ca <pem file>, or --insecure to skip verification`;
  }
  return `cannot reach the gateway at ${base.origin}: ${text}`;
}

/** Milliseconds to wait as a Retry-After header says (seconds or an HTTP date); 1 s without one. */
export function retryAfterMs(value: string | null, now = Date.now()): number {
  if (!value) return 1000;
  const v = value.trim();
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v) - now;
  if (!Number.isFinite(ms)) return 1000;
  return Math.min(60_000, Math.max(100, ms));
}

function gatewayBase(text: string): URL {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`--gateway must be a URL such as https://gateway.example:8443, not "${text}"`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new UsageError(`--gateway must be an https:// (or http://) URL, not "${text}"`);
  if (u.username || u.password) throw new UsageError('--gateway must not carry credentials: use --user and --password (or SHOAL_PASSWORD)');
  return new URL(u.origin);
}

async function runGateway(o: DiscoverOptions, io: DiscoverIO, warn: (m: string) => void): Promise<number> {
  const base = gatewayBase(o.gateway!);
  const env = io.env ?? process.env;
  if (!o.user) throw new UsageError('--gateway needs --user (and --password, or SHOAL_PASSWORD in the environment)');
  const password = o.password ?? env.SHOAL_PASSWORD;
  if (password === undefined || password === '') throw new UsageError('--gateway needs a password: give --password or set SHOAL_PASSWORD');
  if (o.insecure && o.ca) throw new UsageError('give --ca or --insecure, not both');
  let ca: string | undefined;
  if (o.ca) {
    try {
      ca = readFileSync(o.ca, 'utf8');
    } catch (e) {
      throw new UsageError(`--ca: cannot read ${o.ca}: ${(e as Error).message}`);
    }
  }
  const cidr = list(o.cidr);
  const targets = list(o.target);
  checkRangesAndTargets(cidr, targets);
  int(o.concurrency, '--concurrency', 1, 4096);
  int(o.rate, '--rate', 1, 100_000);
  int(o.timeoutMs, '--timeout-ms', 100, 120_000);
  for (const p of list(o.port)) int(p, '--port', 1, 65535);
  const gatewaySide: [string, boolean][] = [
    ['--ssdp-target (the gateway searches its discovery.sources.ssdp.unicastTargets)', list(o.ssdpTarget).length > 0],
    ['--dns-domain values (the gateway browses its discovery.sources.dns.domains)', list(o.dnsDomain).length > 0],
    ['--dns-server (the gateway uses its discovery.sources.dns.servers)', list(o.dnsServer).length > 0],
    ['--lldp-socket (the gateway uses its discovery.sources.lldp.socket)', !!o.lldpSocket],
    ['--port (the gateway probes its discovery.redfishPorts)', list(o.port).length > 0],
    ['--concurrency, --rate and --timeout-ms (gateway discovery settings)', o.concurrency !== undefined || o.rate !== undefined || o.timeoutMs !== undefined],
    ['--config (the gateway uses its own configuration)', !!o.config],
  ];
  for (const [what, given] of gatewaySide) if (given) warn(`${what}: not sent with --gateway`);

  const body: Record<string, unknown> = {};
  const names = flagSources(o);
  if (names.length) body.Sources = names;
  if (cidr.length) body.CIDR = cidr;
  if (targets.length) body.Targets = targets;

  const agent = new Agent({ connect: { rejectUnauthorized: !o.insecure, ...(ca ? { ca } : {}) } });
  const authorization = `Basic ${Buffer.from(`${o.user}:${password}`).toString('base64')}`;
  const call = async (method: string, path: string, payload?: unknown): Promise<Reply> => {
    const url = new URL(path, base);
    if (url.origin !== base.origin) throw new GatewayError(`the gateway pointed to ${url.origin}, not ${base.origin}; not following it with credentials`);
    let res;
    try {
      res = await fetch(url, {
        method,
        dispatcher: agent,
        headers: { authorization, accept: 'application/json', ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
      });
    } catch (e) {
      throw new GatewayError(networkMessage(base, e));
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers as unknown as Headers, body: parsed };
  };
  const fail = (what: string, r: Reply): never => {
    throw new GatewayError(`${what}: ${redfishMessage(r.body) ?? 'no Redfish error message'} (HTTP ${r.status})`);
  };

  try {
    const post = await call('POST', DISCOVER_ACTION, body);
    if (post.status !== 202) fail('the gateway refused the Discover action', post);
    const location = post.headers.get('location');
    if (!location) throw new GatewayError('the gateway accepted the Discover action but sent no Location (task monitor)');
    let task = isObj(post.body) ? post.body : {};
    const taskUri = typeof task['@odata.id'] === 'string' ? task['@odata.id'] : undefined;
    const bar = new ProgressBar(io.stderr, { label: 'discovery task' });
    const show = (t: Record<string, unknown>) => {
      const pct = typeof t.PercentComplete === 'number' ? t.PercentComplete : 0;
      bar.update(pct / 100, `task ${typeof t.Id === 'string' ? t.Id : ''} ${typeof t.TaskState === 'string' ? t.TaskState : 'Running'}`.replace(/\s+/g, ' ').trim());
    };
    show(task);
    let wait = retryAfterMs(post.headers.get('retry-after'));
    let done: Reply;
    for (;;) {
      try {
        await sleep(wait, undefined, io.signal ? { signal: io.signal } : {});
      } catch {
        bar.finish();
        const del = await call('DELETE', location).catch(() => undefined);
        io.stderr.write(`shoal discover: interrupted; ${del && del.status < 300 ? 'asked the gateway to cancel the task' : 'the task may still run on the gateway'} (${location})\n`);
        return EXIT_INTERRUPTED;
      }
      const m = await call('GET', location);
      if (m.status !== 202) {
        done = m;
        break;
      }
      if (isObj(m.body) && typeof m.body.PercentComplete === 'number') task = m.body;
      else if (taskUri) {
        const t = await call('GET', taskUri);
        if (t.status === 200 && isObj(t.body)) task = t.body;
      }
      show(task);
      wait = retryAfterMs(m.headers.get('retry-after'));
    }
    bar.update(1, 'done');
    bar.finish();
    if (done.status >= 400) fail('the discovery task failed', done);
    const result = isObj(done.body) ? done.body : {};
    const failed = Array.isArray(result.Failed) ? (result.Failed as unknown[]).filter(isObj) : [];

    const rows = await gatewayRows(call, fail);
    const n = (k: string) => (Array.isArray(result[k]) ? (result[k] as unknown[]).length : typeof result[k] === 'number' ? (result[k] as number) : 0);
    const summary =
      `sweep: ${n('Sightings')} sightings, ${n('Created')} created, ${n('Updated')} updated, ${n('Unreachable')} unreachable, ` +
      `${n('Unmatched')} unmatched; gateway: ${n('Devices')} devices, ${n('Registered')} registered, ${n('Paired')} paired; failed sources: ` +
      (failed.length ? failed.map((f) => `${String(f.source ?? f.Source)} (${String(f.error ?? f.Error ?? '')})`).join('; ') : 'none');
    if (o.json) {
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      io.stderr.write(`${summary}\n`);
    } else {
      io.stdout.write(`${summary}\n`);
      if (rows.length) io.stdout.write(table(rows, GATEWAY_COLUMNS));
      else io.stdout.write('the gateway has no aggregation sources\n');
    }
    return 0;
  } finally {
    await agent.close();
  }
}

const lastSegment = (v: unknown): string | null => (isObj(v) && typeof v['@odata.id'] === 'string' ? (v['@odata.id'].split('/').pop() ?? null) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** The gateway's AggregationSources, each read once (a few at a time). */
async function gatewayRows(call: (m: string, p: string) => Promise<Reply>, fail: (what: string, r: Reply) => never): Promise<DeviceRow[]> {
  const c = await call('GET', SOURCES_URI);
  if (c.status !== 200) fail('cannot list the aggregation sources', c);
  const members = isObj(c.body) && Array.isArray(c.body.Members) ? c.body.Members.map((m) => (isObj(m) ? str(m['@odata.id']) : null)).filter((x): x is string => !!x) : [];
  const rows: DeviceRow[] = [];
  for (let i = 0; i < members.length; i += 8) {
    const replies = await Promise.all(members.slice(i, i + 8).map((m) => call('GET', m)));
    for (const r of replies) {
      // A source deleted between the two reads is simply gone.
      if (r.status === 404) continue;
      if (r.status !== 200 || !isObj(r.body)) fail('cannot read an aggregation source', r);
      rows.push(gatewayRow(r.body as Record<string, unknown>));
    }
  }
  return rows.sort(byAddress);
}

function gatewayRow(s: Record<string, unknown>): DeviceRow {
  const oem = isObj(s.Oem) && isObj(s.Oem.Shoal) ? s.Oem.Shoal : {};
  const ident = isObj(oem.Identity) ? oem.Identity : {};
  const status = isObj(s.Status) ? s.Status : {};
  const hostName = str(s.HostName) ?? '';
  const scheme = /^([a-z]+):/i.exec(hostName)?.[1]?.toLowerCase();
  return {
    id: str(s.Id) ?? '?',
    state: str(oem.RegistrationState) ?? '?',
    status: str(status.State),
    protocol: scheme === 'https' || scheme === 'http' ? 'redfish' : (scheme ?? '?'),
    hostName,
    driver: isObj(s.Links) ? lastSegment(s.Links.ConnectionMethod) : null,
    vendor: null,
    product: null,
    manufacturer: str(ident.Manufacturer),
    model: str(ident.Model),
    serialNumber: str(ident.SerialNumber),
    uuid: str(ident.UUID),
    sources: Array.isArray(oem.DiscoveredBy) ? oem.DiscoveredBy.filter((x): x is string => typeof x === 'string') : [],
    host: lastSegment(oem.Host),
    slot: str(oem.HostSlot),
    problem: str(oem.Problem),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The command

/** `shoal discover`, for `program.addCommand`. */
export function discoverCommand(): Command {
  return new Command('discover')
    .summary('find DPUs and BMCs, here (nothing registered) or through a gateway (--gateway)')
    .description(
      'find DPUs and BMCs: run discovery here and list what answers (nothing is logged in to or registered), ' +
        'or with --gateway ask a running gateway to discover and register, and list its aggregation sources',
    )
    .option('--cidr <range...>', 'IPv4 CIDRs (10.0.0.0/24), ranges (10.0.0.5-10.0.0.80, 10.0.0.5-80) or addresses to sweep; repeatable or comma-separated')
    .option('--ssdp', 'search for Redfish services by SSDP multicast M-SEARCH')
    .option('--ssdp-target <host:port...>', 'search these SSDP responders by unicast M-SEARCH (simulators on loopback)')
    .option('--mdns', 'browse mDNS (DNS-SD) for Redfish services')
    .option('--dns-domain <domain...>', 'browse unicast DNS-SD in these domains')
    .option('--dns-server <ip[:port]...>', 'DNS servers for --dns-domain (default: the system resolvers)')
    .option('--lldp', 'read the LLDP neighbour table (lldpcli)')
    .option('--lldp-socket <path>', 'lldpd control socket (implies --lldp)')
    .option('--target <url...>', 'probe these endpoints: https://host[:port], host[:port], ipmi://host, snmp://host')
    .option('--port <n...>', 'Redfish (HTTPS) ports to probe at swept addresses (default 443)')
    .option('--concurrency <n>', 'probes in flight at once (default 128)')
    .option('--rate <n>', 'new probes per second (default 1000)')
    .option('--timeout-ms <ms>', 'timeout of each probe (default 3000)')
    .option('--config <file>', 'config file (JSON or YAML) whose discovery section is the base; its enabled sources run when no source flag is given')
    .option('--json', 'print a JSON array of devices on stdout (the summary goes to stderr)')
    .option('--gateway <url>', 'ask this gateway to discover and register (e.g. https://127.0.0.1:8443) instead of discovering here')
    .option('--user <name>', 'gateway user name')
    .option('--password <password>', 'gateway password (prefer SHOAL_PASSWORD in the environment: arguments are visible to other users)')
    .option('--insecure', 'do not verify the gateway TLS certificate')
    .option('--ca <pem file>', 'CA certificate(s) to verify the gateway TLS certificate with')
    .action(async (o: DiscoverOptions) => {
      const ac = new AbortController();
      const onSigint = () => ac.abort();
      // Once: a second Ctrl-C kills the process as usual.
      process.once('SIGINT', onSigint);
      try {
        process.exitCode = await runDiscover(o, { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: ac.signal });
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
