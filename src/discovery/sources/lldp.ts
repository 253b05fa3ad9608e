/**
 * LLDP discovery through lldpd: reads the neighbour table with `lldpcli -f json0 show neighbors details` and turns
 * every neighbour that advertises a management address into a Redfish sighting. lldpd does the listening (raw
 * sockets, timers, aging); Shoal only reads its table, so the gateway needs no packet capture rights.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { LldpOrgTlv, Sighting } from '../../model/discovery.js';
import { normaliseMac } from '../lldp/format.js';
import { decodeOrgTlv } from '../lldp/tlv.js';
import type { DiscoverySource, SourceContext } from './source.js';

/** Runs a program without a shell and returns its stdout; rejects like `child_process.execFile` does. */
export type LldpExec = (
  file: string,
  args: string[],
  opts: { timeout: number; signal: AbortSignal },
) => Promise<{ stdout: string; stderr?: string }>;

/** Options for {@link createLldpSource}. */
export interface LldpSourceOptions {
  /** lldpcli to run. Default `lldpcli` (found on PATH). */
  lldpcli?: string;
  /** lldpd's control socket (`lldpd -u`), passed to lldpcli as `-u`. Default: lldpcli's own (`/run/lldpd.socket`). */
  socket?: string;
  /** Seconds between reads of the neighbour table in `watch`. Default 30 (lldpd's default transmit interval). */
  intervalSeconds?: number;
  /** How long one lldpcli run may take. Default 10 s. */
  timeoutMs?: number;
  /** Replaces `execFile`, for tests. */
  exec?: LldpExec;
}

const runFile = promisify(execFile);

const defaultExec: LldpExec = async (file, args, opts) => {
  const { stdout, stderr } = await runFile(file, args, {
    timeout: opts.timeout,
    signal: opts.signal,
    maxBuffer: 32 * 1024 * 1024,
    encoding: 'utf8',
  });
  return { stdout, stderr };
};

/** Creates the `lldp` discovery source. */
export function createLldpSource(opts: LldpSourceOptions = {}): DiscoverySource {
  const lldpcli = opts.lldpcli ?? 'lldpcli';
  const exec = opts.exec ?? defaultExec;
  const timeout = opts.timeoutMs ?? 10_000;
  // A floor, so a zero or negative setting cannot turn watch into a busy loop around lldpcli.
  const seconds = Number.isFinite(opts.intervalSeconds) ? opts.intervalSeconds! : 30;
  const intervalMs = Math.max(0.01, seconds) * 1000;

  async function readTable(ctx: SourceContext): Promise<string | undefined> {
    if (opts.socket) await checkSocket(opts.socket);
    const args = [...(opts.socket ? ['-u', opts.socket] : []), '-f', 'json0', 'show', 'neighbors', 'details'];
    try {
      return (await exec(lldpcli, args, { timeout, signal: ctx.signal })).stdout;
    } catch (err) {
      if (ctx.signal.aborted) return undefined;
      throw explain(err, lldpcli, opts.socket, timeout);
    }
  }

  async function scan(ctx: SourceContext): Promise<void> {
    if (ctx.signal.aborted) return;
    const stdout = await readTable(ctx);
    if (stdout === undefined || ctx.signal.aborted) return;
    const sightings = parseLldpNeighbors(stdout, {
      onSkip: (neighbour, reason) => ctx.log.debug({ source: 'lldp', ...neighbour }, `lldp: neighbour skipped: ${reason}`),
    });
    for (const s of sightings) {
      if (ctx.signal.aborted) return;
      ctx.emit(s);
    }
  }

  async function watch(ctx: SourceContext): Promise<void> {
    // The first read proves lldpcli and lldpd work, so its failure is the caller's to see; later failures (lldpd
    // restarting) are passing, and the next poll tries again.
    await scan(ctx);
    while (!ctx.signal.aborted) {
      try {
        await sleep(intervalMs, undefined, { signal: ctx.signal });
      } catch {
        return;
      }
      try {
        await scan(ctx);
      } catch (err) {
        ctx.log.warn({ source: 'lldp', err: String(err) }, 'lldp: reading the neighbour table failed; will retry');
      }
    }
  }

  return { name: 'lldp', scan, watch };
}

const SOCKET_OPTION = 'set the socket option (discovery.sources.lldp.socket)';

async function checkSocket(path: string): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `lldp discovery: lldpd control socket ${path} does not exist. Start lldpd with "-u ${path}" ` +
          '(Debian: apt-get install lldpd; the packaged service uses /run/lldpd.socket), ' +
          `or ${SOCKET_OPTION} to the path lldpd uses`,
      );
    }
    throw new Error(`lldp discovery: cannot read lldpd control socket ${path}: ${(err as Error).message}`);
  }
  if (!st.isSocket()) throw new Error(`lldp discovery: ${path} is not a socket; ${SOCKET_OPTION} to lldpd's "-u" path`);
}

function explain(err: unknown, lldpcli: string, socket: string | undefined, timeout: number): Error {
  const e = err as NodeJS.ErrnoException & { stderr?: string; killed?: boolean; signal?: string };
  if (e.code === 'ENOENT') {
    return new Error(
      `lldp discovery: ${lldpcli} not found. Install lldpd (Debian/Ubuntu: apt-get install lldpd), ` +
        'or set the lldpcli option (discovery.sources.lldp.lldpcli) to its path',
    );
  }
  if (e.code === 'EACCES') return new Error(`lldp discovery: ${lldpcli} is not executable`);
  if (e.killed && e.signal) return new Error(`lldp discovery: ${lldpcli} did not answer within ${timeout} ms`);
  const detail = (e.stderr ?? '').trim() || e.message;
  if (/unable to connect/i.test(detail)) {
    return new Error(
      `lldp discovery: ${lldpcli} cannot reach lldpd at ${socket ?? 'its default socket'} (${lastLine(detail)}). ` +
        `Start lldpd (systemctl enable --now lldpd) or ${SOCKET_OPTION} to lldpd's "-u" path; ` +
        'a gateway that does not run as root must be in the _lldpd group',
    );
  }
  return new Error(`lldp discovery: ${lldpcli} failed: ${lastLine(detail)}`);
}

function lastLine(text: string): string {
  return text.split('\n').filter(Boolean).pop() ?? text;
}

// ---- json0 --------------------------------------------------------------------------------------------------------

/** lldpcli's names for id subtypes, by LLDP subtype number. `unhandled` (several numbers) has no entry. */
const CHASSIS_SUBTYPES: Record<string, number> = { ifalias: 2, mac: 4, ip: 5, ifname: 6, local: 7 };
const PORT_SUBTYPES: Record<string, number> = { ifalias: 1, mac: 3, ip: 4, ifname: 5, local: 7 };

/** Who a skipped neighbour was, for the debug log. */
export interface SkippedNeighbour {
  interface?: string;
  chassisId?: string;
  systemName?: string;
}

/** Options for {@link parseLldpNeighbors}. */
export interface ParseLldpOptions {
  /** Sighting time, epoch ms. Default `Date.now()`. */
  at?: number;
  /** Called for each neighbour that yields no sighting, with the reason. */
  onSkip?(neighbour: SkippedNeighbour, reason: string): void;
}

type Json = Record<string, unknown>;

/** json0 wraps every value in an array; tolerate a bare value or a missing key as well. */
function list(v: unknown): Json[] {
  if (Array.isArray(v)) return v.filter((x): x is Json => typeof x === 'object' && x !== null);
  return typeof v === 'object' && v !== null ? [v as Json] : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `value` of the first `{value}` entry of a json0 field. */
function firstValue(v: unknown): string | undefined {
  return str(list(v)[0]?.value);
}

/** `41,42,43` (as lldpd prints custom TLV bytes, upper or lower case) to bytes; undefined if it is not that. */
function commaHex(text: string): Buffer | undefined {
  if (text === '') return Buffer.alloc(0);
  const parts = text.split(',').map((p) => p.trim());
  if (!parts.every((p) => /^[0-9a-f]{1,2}$/i.test(p))) return undefined;
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

function orgTlvs(itf: Json): LldpOrgTlv[] {
  const out: LldpOrgTlv[] = [];
  for (const group of list(itf['unknown-tlvs'])) {
    for (const t of list(group['unknown-tlv'])) {
      const oui = commaHex(String(t.oui ?? ''));
      const subtype = Number(t.subtype);
      const info = commaHex(String(t.value ?? ''));
      if (!oui || oui.length !== 3 || !Number.isInteger(subtype) || subtype < 0 || subtype > 255 || !info) continue;
      const { oui: o, subtype: s, info: i } = decodeOrgTlv(oui, subtype, info);
      out.push({ oui: o, subtype: s, info: i });
    }
  }
  return out;
}

/** Prefers a routable IPv4 address, then a global IPv6 one, then whatever is left. */
function pickAddress(addresses: string[]): string | undefined {
  const v4 = addresses.filter((a) => isIPv4(a));
  const v6 = addresses.filter((a) => isIPv6(a));
  return v4[0] ?? v6.find((a) => !/^fe[89ab]/i.test(a)) ?? v6[0];
}

/**
 * Turns `lldpcli -f json0 show neighbors details` output (text or parsed) into sightings: one per neighbour that
 * advertises a management IP address, as a Redfish candidate at that address (no port: discovery probes its
 * configured Redfish ports). Neighbours without one are reported through `onSkip`. Throws only if the text is not
 * JSON.
 */
export function parseLldpNeighbors(json: string | object, opts: ParseLldpOptions = {}): Sighting[] {
  let doc: unknown = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (err) {
      throw new Error(`lldp discovery: lldpcli output is not JSON: ${(err as Error).message}`);
    }
  }
  const at = opts.at ?? Date.now();
  const sightings: Sighting[] = [];
  const root: Json = typeof doc === 'object' && doc !== null ? (doc as Json) : {};
  for (const lldp of list(root.lldp)) {
    for (const itf of list(lldp.interface)) {
      const chassis = list(itf.chassis)[0] ?? {};
      const port = list(itf.port)[0] ?? {};
      const id = list(chassis.id)[0] ?? {};
      const idType = str(id.type);
      const idValue = str(id.value);
      const chassisMac = idType === 'mac' && idValue ? normaliseMac(idValue) : undefined;
      const chassisId = chassisMac ?? idValue;
      const systemName = firstValue(chassis.name);
      const who: SkippedNeighbour = {};
      if (str(itf.name)) who.interface = str(itf.name);
      if (chassisId) who.chassisId = chassisId;
      if (systemName) who.systemName = systemName;

      const addresses = list(chassis['mgmt-ip']).map((m) => str(m.value)).filter((a): a is string => a !== undefined);
      const host = pickAddress(addresses);
      if (!host) {
        opts.onSkip?.(who, addresses.length ? `no usable management address in ${addresses.join(', ')}` : 'no management address');
        continue;
      }

      const sighting: Sighting = { source: 'lldp', at, protocol: 'redfish', host, keys: {}, hints: {} };
      if (systemName) sighting.hostName = systemName;
      if (chassisMac) sighting.keys.macs = [chassisMac];
      else if (idValue && idType) sighting.keys.lldpChassisId = `${CHASSIS_SUBTYPES[idType] ?? idType}:${idValue}`;

      const portIdEntry = list(port.id)[0] ?? {};
      const portValue = str(portIdEntry.value);
      const portId = portValue && str(portIdEntry.type) === 'mac' ? (normaliseMac(portValue) ?? portValue) : portValue;
      const hint: NonNullable<Sighting['hints']['lldp']> = {};
      if (chassisId) hint.chassisId = chassisId;
      if (portId) hint.portId = portId;
      if (systemName) hint.systemName = systemName;
      const descr = firstValue(chassis.descr);
      if (descr) hint.systemDescription = descr;
      const tlvs = orgTlvs(itf);
      if (tlvs.length) hint.orgTlvs = tlvs;
      sighting.hints.lldp = hint;
      sightings.push(sighting);
    }
  }
  return sightings;
}

/** lldpcli's name for a port id subtype, as an LLDP subtype number (undefined for `unhandled` and unknown names). */
export function lldpcliPortSubtype(type: string): number | undefined {
  return PORT_SUBTYPES[type];
}

/** lldpcli's name for a chassis id subtype, as an LLDP subtype number (undefined for `unhandled` and unknown names). */
export function lldpcliChassisSubtype(type: string): number | undefined {
  return CHASSIS_SUBTYPES[type];
}
