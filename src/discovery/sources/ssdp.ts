/**
 * SSDP discovery of Redfish services (DSP0266 "Discovery"): M-SEARCH for `urn:dmtf-org:service:redfish-rest:1`,
 * and NOTIFY `ssdp:alive` / `ssdp:byebye` listening. Written over node:dgram rather than node-ssdp because a
 * gateway must also search a responder by unicast (`M-SEARCH` to `127.0.0.1:<port>`, which is how loopback
 * simulators are searched), and node-ssdp's client only searches the multicast group.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import { normaliseUuid, type Sighting } from '../../model/discovery.js';
import { VERSION } from '../../version.js';
import type { DiscoverySource, SourceContext, SourceLogger } from './source.js';
import { untilAborted, waitOrAbort } from './wait.js';

/** The Redfish search target / notification type (major version 1); services may append `:<minor>`. */
export const REDFISH_SSDP_ST = 'urn:dmtf-org:service:redfish-rest:1';
/** IPv4 SSDP multicast group and port. */
export const SSDP_GROUP = '239.255.255.250';
export const SSDP_PORT = 1900;

const REDFISH_URN = /^urn:dmtf-org:service:redfish-rest:1(?::\d+)?$/i;
/** SSDP datagrams are a few hundred bytes; anything much larger is not SSDP and is not worth parsing. */
const MAX_MESSAGE = 8192;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Options for {@link createSsdpSource}. */
export interface SsdpSourceOptions {
  /** Search targets to M-SEARCH for. Default: the Redfish URN (services with any minor version answer it). */
  searchTargets?: string[];
  /** IPv4 addresses of the interfaces to multicast M-SEARCH from. Default: the OS's default multicast interface. */
  interfaces?: string[];
  /** Multicast M-SEARCH at all. Default: true, unless `unicastTargets` are given and `interfaces` are not. */
  multicast?: boolean;
  /** Responders to search by unicast, as `host:port` (port 1900 when omitted); for simulators on loopback. */
  unicastTargets?: string[];
  /** MX (seconds, 1 to 5) in multicast M-SEARCH: responders spread their replies over it. Default 2. */
  mx?: number;
  /** How many times each M-SEARCH is sent, since UDP may drop it or its replies (UPnP recommends more than once). Default 2. */
  repeats?: number;
  /** Gap between repeats. Default MX seconds, so that one burst of replies ends before the next is asked for. */
  repeatIntervalMs?: number;
  /** How long `scan` collects replies. Default: until MX + 1 s after the last repeat. */
  windowMs?: number;
  /** Multicast TTL. Default 2, as UPnP recommends. */
  multicastTtl?: number;
  /** Where `watch` listens for NOTIFY. */
  listen?: {
    /** UDP port. Default 1900. */
    port?: number;
    /** Address to bind. Default `0.0.0.0`, which receiving multicast needs. */
    address?: string;
    /** IPv4 addresses of the interfaces on which to join 239.255.255.250. Default: the OS's default interface. */
    interfaces?: string[];
    /** Join the multicast group at all. Default true; false for unicast NOTIFY only (loopback tests). */
    multicast?: boolean;
  };
  /** Receive buffer to ask the kernel for, in bytes. Default 16 MiB (the kernel caps it; see below). */
  recvBufferSize?: number;
  /** `watch` drops a repeated `ssdp:alive` from the same USN within this many ms. Default 2000. */
  duplicateWindowMs?: number;
}

/** A parsed SSDP datagram. Header names are upper-case; the first of repeated headers wins. */
export interface SsdpMessage {
  /** `response` for an M-SEARCH reply (`HTTP/1.1 200 OK`), else the request kind. */
  kind: 'response' | 'notify' | 'search';
  /** Status code of a response. */
  status?: number;
  headers: Record<string, string>;
}

/**
 * Parses one SSDP datagram (HTTP over UDP). Returns undefined for anything that is not an SSDP response, NOTIFY or
 * M-SEARCH; never throws. Malformed header lines are skipped, not fatal.
 */
export function parseSsdpMessage(text: string): SsdpMessage | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_MESSAGE) return undefined;
  const lines = text.split(/\r?\n/);
  const start = (lines.shift() ?? '').trim();
  let kind: SsdpMessage['kind'];
  let status: number | undefined;
  const resp = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(start);
  if (resp?.[1]) {
    kind = 'response';
    status = Number(resp[1]);
  } else {
    const req = /^(NOTIFY|M-SEARCH) \* HTTP\/1\.[01]$/i.exec(start);
    if (!req?.[1]) return undefined;
    kind = req[1].toUpperCase() === 'NOTIFY' ? 'notify' : 'search';
  }
  const headers: Record<string, string> = {};
  for (const line of lines) {
    if (line === '') break; // end of headers; SSDP has no body worth reading
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toUpperCase();
    if (!HEADER_NAME.test(name) || name in headers) continue;
    headers[name] = line.slice(i + 1).trim();
  }
  return status === undefined ? { kind, headers } : { kind, status, headers };
}

/** Case-insensitive header read, so that headers from other parsers (node-ssdp, lower-case maps) work too. */
function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const direct = headers[name];
  if (typeof direct === 'string') return direct.trim() || undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toUpperCase() === name && typeof v === 'string') return v.trim() || undefined;
  return undefined;
}

function httpUrl(text: string | undefined): URL | undefined {
  if (!text) return undefined;
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The sighting an M-SEARCH reply or NOTIFY `ssdp:alive` describes, or undefined when it is not a Redfish service
 * (neither ST/NT nor USN names the Redfish URN) or names no usable URL (AL, else LOCATION). Never throws.
 */
export function sightingFromSsdp(headers: Record<string, string | undefined>, at: number): Sighting | undefined {
  const st = header(headers, 'ST') ?? header(headers, 'NT');
  const usn = header(headers, 'USN');
  const usnType = usn?.split('::')[1];
  if (!(st && REDFISH_URN.test(st)) && !(usnType && REDFISH_URN.test(usnType))) return undefined;
  const alText = header(headers, 'AL');
  const al = httpUrl(alText);
  const url = al ?? httpUrl(header(headers, 'LOCATION'));
  if (!url) return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // An http URL without a port means 80, which is not the Redfish default (443), so say it.
  const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : undefined;
  const uuid = normaliseUuid(/^uuid:([^:]+)(?:::|$)/i.exec(usn ?? '')?.[1]);
  const ssdp: NonNullable<Sighting['hints']['ssdp']> = {};
  if (st) ssdp.st = st;
  if (usn) ssdp.usn = usn;
  if (alText) ssdp.al = alText;
  return {
    source: 'ssdp',
    at,
    protocol: 'redfish',
    host,
    ...(port !== undefined ? { port } : {}),
    ...(al && alText ? { serviceRootUrl: alText } : {}),
    keys: uuid ? { uuid } : {},
    hints: { ssdp },
  };
}

/** The M-SEARCH request text. Unicast searches carry the target as HOST and no MX, as UPnP 1.1 asks. */
function mSearch(st: string, host: string, mx: number | undefined): string {
  const lines = ['M-SEARCH * HTTP/1.1', `HOST: ${host}`, 'MAN: "ssdp:discover"'];
  if (mx !== undefined) lines.push(`MX: ${mx}`);
  lines.push(`ST: ${st}`, `USER-AGENT: ${process.platform} UPnP/1.1 Shoal/${VERSION}`, '', '');
  return lines.join('\r\n');
}

function parseTarget(target: string): { host: string; port: number } {
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(target.trim());
  const host = m?.[1] ?? '';
  const port = m?.[2] ? Number(m[2]) : SSDP_PORT;
  if (!host || host.startsWith('[') || isIPv6(host) || port < 1 || port > 65535) {
    throw new Error(`ssdp: unicast target "${target}" must be <IPv4 address or name>:<port>`);
  }
  return { host, port };
}

/**
 * Replies to one search arrive as a burst: a 10,000-device fleet (or one simulator on loopback) answers within MX
 * seconds, and libuv reads only a few dozen datagrams per event-loop turn. Linux's default receive buffer (208 KiB)
 * holds a few hundred small datagrams, since each costs a whole skb, and the kernel drops the rest without a word.
 * So ask for a large buffer. Linux silently caps it at net.core.rmem_max (root cannot exceed that from Node, which
 * has no SO_RCVBUFFORCE), so report what was granted and how to get more.
 */
function enlargeReceiveBuffer(sock: Socket, wanted: number, log: SourceLogger, state: { told: boolean }): void {
  try {
    sock.setRecvBufferSize(wanted);
    // Linux reports double the capped request (half is bookkeeping), so less than asked means it was capped.
    const granted = sock.getRecvBufferSize();
    if (granted < wanted && !state.told) {
      state.told = true;
      log.info({ wanted, granted }, 'ssdp: receive buffer capped by the kernel; raise net.core.rmem_max so replies from large fleets are not dropped');
    }
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'ssdp: could not set the receive buffer size');
  }
}

function bindSocket(sock: Socket, port: number, address: string | undefined, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      sock.close();
      reject(new Error(`ssdp: cannot bind ${what} on ${address ?? '0.0.0.0'}:${port} (${err.code ?? err.message}); ${
        err.code === 'EADDRNOTAVAIL' ? 'give an IPv4 address this host has' : 'free the port or configure another one'
      }`));
    };
    sock.once('error', onError);
    sock.bind(port, address, () => {
      sock.removeListener('error', onError);
      resolve();
    });
  });
}

interface Resolved {
  searchTargets: string[];
  interfaces: Array<string | undefined>;
  unicast: Array<{ host: string; port: number }>;
  mx: number;
  repeats: number;
  repeatIntervalMs: number;
  windowMs: number;
}

function resolveOptions(opts: SsdpSourceOptions): Resolved {
  const unicast = (opts.unicastTargets ?? []).map(parseTarget);
  for (const ip of [...(opts.interfaces ?? []), ...(opts.listen?.interfaces ?? [])]) {
    if (!isIPv4(ip)) throw new Error(`ssdp: interface "${ip}" must be an IPv4 address of this host`);
  }
  const multicast = opts.multicast ?? (unicast.length === 0 || (opts.interfaces?.length ?? 0) > 0);
  const interfaces = multicast ? (opts.interfaces?.length ? opts.interfaces : [undefined]) : [];
  const mx = Math.min(5, Math.max(1, Math.round(opts.mx ?? 2)));
  const repeats = Math.max(1, Math.round(opts.repeats ?? 2));
  const repeatIntervalMs = opts.repeatIntervalMs ?? mx * 1000;
  const windowMs = opts.windowMs ?? (repeats - 1) * repeatIntervalMs + mx * 1000 + 1000;
  return { searchTargets: opts.searchTargets?.length ? opts.searchTargets : [REDFISH_SSDP_ST], interfaces, unicast, mx, repeats, repeatIntervalMs, windowMs };
}

/** Creates the SSDP discovery source. Throws at once for malformed options (a bad target or interface). */
export function createSsdpSource(opts: SsdpSourceOptions = {}): DiscoverySource {
  const o = resolveOptions(opts);
  const recvBufferSize = opts.recvBufferSize ?? 16 * 1024 * 1024;
  // Said once per source, not on every scan.
  const bufferNote = { told: false };

  async function scan(ctx: SourceContext): Promise<void> {
    if (ctx.signal.aborted) return;
    const seen = new Set<string>();
    const onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
      const m = parseSsdpMessage(msg.toString('utf8'));
      if (m?.kind !== 'response' || m.status !== 200) {
        if (m?.kind !== 'search') ctx.log.debug({ from: rinfo.address, bytes: msg.length }, 'ssdp: skipped a packet that is not a search reply');
        return;
      }
      const s = sightingFromSsdp(m.headers, Date.now());
      if (!s) {
        ctx.log.debug({ from: rinfo.address, st: m.headers.ST, usn: m.headers.USN }, 'ssdp: skipped a reply that is not a usable Redfish service');
        return;
      }
      const key = (s.hints.ssdp?.usn ?? s.serviceRootUrl ?? `${s.host}:${s.port ?? ''}`).toLowerCase();
      if (seen.has(key)) return;
      seen.add(key);
      ctx.emit(s);
    };

    // One socket per multicast interface (setMulticastInterface is per socket) plus one for unicast targets.
    const plans: Array<{ sock: Socket; multicast: boolean }> = [];
    try {
      for (const iface of o.interfaces) {
        const sock = createSocket({ type: 'udp4' });
        await bindSocket(sock, 0, iface, 'the search socket');
        sock.setMulticastTTL(opts.multicastTtl ?? 2);
        if (iface) sock.setMulticastInterface(iface);
        plans.push({ sock, multicast: true });
      }
      if (o.unicast.length) {
        const sock = createSocket({ type: 'udp4' });
        await bindSocket(sock, 0, undefined, 'the unicast search socket');
        plans.push({ sock, multicast: false });
      }
    } catch (err) {
      for (const p of plans) p.sock.close();
      throw err;
    }

    const warned = new Set<string>();
    const send = (sock: Socket, text: string, port: number, host: string): void => {
      sock.send(text, port, host, (err) => {
        if (!err || warned.has(host)) return;
        warned.add(host);
        ctx.log.warn({ to: `${host}:${port}`, err: err.message }, 'ssdp: M-SEARCH could not be sent');
      });
    };
    for (const p of plans) {
      enlargeReceiveBuffer(p.sock, recvBufferSize, ctx.log, bufferNote);
      p.sock.on('message', onMessage);
      // Stray ICMP errors and the like must not end the scan.
      p.sock.on('error', (err) => ctx.log.debug({ err: err.message }, 'ssdp: socket error'));
    }
    const searchOnce = (): void => {
      for (const p of plans) {
        for (const st of o.searchTargets) {
          if (p.multicast) send(p.sock, mSearch(st, `${SSDP_GROUP}:${SSDP_PORT}`, o.mx), SSDP_PORT, SSDP_GROUP);
          else for (const t of o.unicast) send(p.sock, mSearch(st, `${t.host}:${t.port}`, undefined), t.port, t.host);
        }
      }
    };

    ctx.log.debug({ interfaces: o.interfaces, unicast: o.unicast, st: o.searchTargets, windowMs: o.windowMs }, 'ssdp: searching');
    const timers: NodeJS.Timeout[] = [];
    searchOnce();
    for (let r = 1; r < o.repeats; r += 1) timers.push(setTimeout(searchOnce, r * o.repeatIntervalMs));
    await waitOrAbort(o.windowMs, ctx.signal);
    for (const t of timers) clearTimeout(t);
    await Promise.all(plans.map((p) => new Promise<void>((resolve) => p.sock.close(() => resolve()))));
    ctx.log.debug({ found: seen.size }, 'ssdp: search window over');
  }

  async function watch(ctx: SourceContext): Promise<void> {
    if (ctx.signal.aborted) return;
    const listen = opts.listen ?? {};
    const port = listen.port ?? SSDP_PORT;
    // Other SSDP stacks on the host (minissdpd, a local simulator) hold 1900 too; sharing it is how SSDP works.
    const sock = createSocket({ type: 'udp4', reuseAddr: true });
    await bindSocket(sock, port, listen.address ?? '0.0.0.0', 'the NOTIFY listener');
    if (listen.multicast ?? true) {
      for (const iface of listen.interfaces?.length ? listen.interfaces : [undefined]) {
        try {
          sock.addMembership(SSDP_GROUP, iface);
        } catch (err) {
          sock.close();
          throw new Error(`ssdp: cannot join ${SSDP_GROUP} on ${iface ?? 'the default interface'} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give an IPv4 address of an interface that is up and has a multicast route`);
        }
      }
    }
    enlargeReceiveBuffer(sock, recvBufferSize, ctx.log, bufferNote);
    const holdoff = opts.duplicateWindowMs ?? 2000;
    const lastAlive = new Map<string, { at: number; al: string | undefined }>();
    sock.on('error', (err) => ctx.log.debug({ err: err.message }, 'ssdp: socket error'));
    sock.on('message', (msg, rinfo) => {
      const m = parseSsdpMessage(msg.toString('utf8'));
      if (m?.kind !== 'notify') {
        if (!m) ctx.log.debug({ from: rinfo.address, bytes: msg.length }, 'ssdp: skipped a packet that is not SSDP');
        return;
      }
      const nts = m.headers.NTS?.toLowerCase();
      if (nts === 'ssdp:byebye') {
        ctx.log.debug({ usn: m.headers.USN, nt: m.headers.NT, from: rinfo.address }, 'ssdp: byebye');
        return;
      }
      if (nts !== 'ssdp:alive') return;
      const now = Date.now();
      const s = sightingFromSsdp(m.headers, now);
      if (!s) {
        ctx.log.debug({ from: rinfo.address, nt: m.headers.NT, usn: m.headers.USN }, 'ssdp: skipped a NOTIFY that is not a usable Redfish service');
        return;
      }
      // Devices send each NOTIFY more than once for reliability; one sighting per burst is enough.
      const key = (s.hints.ssdp?.usn ?? s.host).toLowerCase();
      const prev = lastAlive.get(key);
      if (prev && now - prev.at < holdoff && prev.al === s.serviceRootUrl) return;
      lastAlive.set(key, { at: now, al: s.serviceRootUrl });
      ctx.emit(s);
    });
    ctx.log.debug({ port: sock.address().port, interfaces: listen.interfaces ?? [] }, 'ssdp: listening for NOTIFY');
    await untilAborted(ctx.signal);
    await new Promise<void>((resolve) => sock.close(() => resolve()));
  }

  return { name: 'ssdp', scan, watch };
}
