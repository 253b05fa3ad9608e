/**
 * mDNS / DNS-SD discovery of Redfish services: browses `_redfish._tcp` (DSP0266) and `_obmc_redfish._tcp` (what
 * OpenBMC's bmcweb registers through Avahi) with bonjour-service, one multicast socket per configured interface.
 */
import BonjourPkg from 'bonjour-service';
import { isIPv4, isIPv6 } from 'node:net';
import { normaliseUuid, type Sighting } from '../../model/discovery.js';
import type { DiscoverySource, SourceContext } from './source.js';
import { httpsUrl, untilAborted, waitOrAbort } from './wait.js';

type Bonjour = InstanceType<typeof BonjourPkg.Bonjour>;
type Service = BonjourPkg.Service;
type Browser = BonjourPkg.Browser;

/** Options for {@link createMdnsSource}. */
export interface MdnsSourceOptions {
  /** IPv4 addresses of the interfaces to browse on (one mDNS socket each). Default: every IPv4 interface. */
  interfaces?: string[];
  /** DNS-SD service types, without the leading underscore and protocol. Default `redfish` and `obmc_redfish`. */
  serviceTypes?: string[];
  /** How long `scan` browses. Default 3000 ms. */
  windowMs?: number;
  /** Longest gap between repeated queries while watching (they start 1 s apart and double). Default 60 s. */
  maxRequeryMs?: number;
  /** How long a service whose record came without an address waits for its A record. Default 1000 ms. */
  addressWaitMs?: number;
}

/** The fields of a browsed DNS-SD service that a sighting reads (a bonjour-service `Service` has them). */
export interface MdnsServiceRecord {
  name?: string;
  /** Service type without underscore, e.g. `redfish`. */
  type?: string;
  protocol?: string;
  /** Target host of the SRV record, e.g. `bmc-1.local`. */
  host?: string;
  port?: number;
  fqdn?: string;
  txt?: Record<string, unknown>;
  addresses?: string[];
  /** Where the answer came from. */
  referer?: { address?: string };
}

const DEFAULT_PATH = '/redfish/v1';

/** The address to reach a service at: IPv4 first, then a global IPv6 (link-local ones need a zone id). */
function pickAddress(addresses: readonly string[] | undefined): string | undefined {
  const all = (addresses ?? []).filter((a) => typeof a === 'string');
  const v4 = all.filter((a) => isIPv4(a) && a !== '0.0.0.0');
  return v4.find((a) => !a.startsWith('169.254.')) ?? v4[0] ?? all.find((a) => isIPv6(a) && !/^fe[89ab]/i.test(a));
}

function txtString(txt: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = txt?.[key];
  if (typeof v === 'string') return v.trim() || undefined;
  if (Buffer.isBuffer(v)) return v.toString('utf8').trim() || undefined;
  return undefined;
}

/**
 * The sighting a browsed service describes, or undefined when it has no usable port or address. The address comes
 * from the service's A/AAAA records, else from the packet's source address. Never throws.
 */
export function sightingFromMdns(service: MdnsServiceRecord, at: number): Sighting | undefined {
  const port = service.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  const referer = service.referer?.address;
  const host = pickAddress(service.addresses) ?? (referer && (isIPv4(referer) || isIPv6(referer)) ? referer : undefined);
  if (!host) return undefined;
  const rawPath = txtString(service.txt, 'path');
  const path = rawPath?.startsWith('/') ? rawPath : DEFAULT_PATH;
  const uuid = normaliseUuid(txtString(service.txt, 'uuid'));
  const hostName = service.host?.replace(/\.$/, '');
  return {
    source: 'mdns',
    at,
    protocol: 'redfish',
    host,
    port,
    serviceRootUrl: httpsUrl(host, port, path),
    ...(hostName ? { hostName } : {}),
    keys: uuid ? { uuid } : {},
    hints: { dnsSdType: `_${service.type ?? 'redfish'}._${service.protocol ?? 'tcp'}` },
  };
}

/** One resource record of a multicast-dns packet (only the fields read here). */
interface DnsAnswer {
  name?: string;
  type?: string;
  data?: unknown;
}
interface DnsPacket {
  answers?: DnsAnswer[];
  additionals?: DnsAnswer[];
}

/** The multicast-dns instance inside bonjour-service. Not part of its typings; used for readiness and A queries. */
interface MdnsHandle {
  on(event: 'response', fn: (packet: DnsPacket) => void): unknown;
  on(event: 'warning' | 'error', fn: (err: NodeJS.ErrnoException) => void): unknown;
  once(event: 'ready', fn: () => void): unknown;
  once(event: 'error', fn: (err: NodeJS.ErrnoException) => void): unknown;
  removeListener(event: 'response', fn: (packet: DnsPacket) => void): unknown;
  query(name: string, type: string): void;
}

function handleOf(bonjour: Bonjour): MdnsHandle | undefined {
  const m = (bonjour as unknown as { server?: { mdns?: Partial<MdnsHandle> } }).server?.mdns;
  return m && typeof m.on === 'function' && typeof m.query === 'function' ? (m as MdnsHandle) : undefined;
}

/** Opens one bonjour instance and waits until its socket is bound and has joined the group. */
async function open(iface: string | undefined, ctx: SourceContext): Promise<{ bonjour: Bonjour; mdns: MdnsHandle | undefined }> {
  // bonjour-service passes these through to multicast-dns; its typings only describe service fields.
  const socketOpts = (iface ? { interface: iface, bind: '0.0.0.0' } : { bind: '0.0.0.0' }) as unknown as ConstructorParameters<
    typeof BonjourPkg.Bonjour
  >[0];
  const bonjour = new BonjourPkg.Bonjour(socketOpts, (err: Error) => ctx.log.debug({ err: err.message }, 'mdns: send failed'));
  const mdns = handleOf(bonjour);
  if (!mdns) return { bonjour, mdns };
  const problems: string[] = [];
  const onWarning = (err: NodeJS.ErrnoException): void => {
    if (err.syscall === 'addMembership') problems.push(err.code ?? err.message);
    else ctx.log.debug({ err: err.message }, 'mdns: skipped a malformed packet or socket warning');
  };
  mdns.on('warning', onWarning);
  try {
    await new Promise<void>((resolve, reject) => {
      mdns.once('ready', resolve);
      mdns.once('error', reject);
    });
  } catch (err) {
    bonjour.destroy();
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`mdns: cannot bind UDP 5353 (${code}); run as a user that may bind it, or stop the stack that holds it exclusively`);
  }
  // Errors after start-up must not crash the gateway (an EventEmitter 'error' without a listener throws).
  mdns.on('error', (err) => ctx.log.warn({ err: err.message }, 'mdns: socket error'));
  if (iface && problems.length) {
    bonjour.destroy();
    throw new Error(`mdns: cannot join 224.0.0.251 on ${iface} (${problems.join(', ')}); give an IPv4 address of an interface that is up`);
  }
  return { bonjour, mdns };
}

/** Creates the mDNS discovery source. Throws at once for an interface that is not an IPv4 address. */
export function createMdnsSource(opts: MdnsSourceOptions = {}): DiscoverySource {
  for (const ip of opts.interfaces ?? []) {
    if (!isIPv4(ip)) throw new Error(`mdns: interface "${ip}" must be an IPv4 address of this host`);
  }
  const types = opts.serviceTypes?.length ? opts.serviceTypes : ['redfish', 'obmc_redfish'];
  const addressWaitMs = opts.addressWaitMs ?? 1000;

  async function browse(ctx: SourceContext, windowMs: number | undefined): Promise<void> {
    if (ctx.signal.aborted) return;
    const instances: Array<{ bonjour: Bonjour; mdns: MdnsHandle | undefined }> = [];
    const browsers: Browser[] = [];
    const timers = new Set<NodeJS.Timeout>();
    /** Services that came without an address, by lower-case host name, waiting for an A/AAAA answer. */
    const waiting = new Map<string, { service: Service; timer: NodeJS.Timeout }>();
    const emitted = new Map<string, string>();
    const cleanups: Array<() => void> = [];

    const emitFor = (service: Service, extra: string[] = []): void => {
      const record: MdnsServiceRecord = extra.length ? { ...service, addresses: [...(service.addresses ?? []), ...extra] } : service;
      const s = sightingFromMdns(record, Date.now());
      if (!s) {
        ctx.log.debug({ fqdn: service.fqdn, port: service.port }, 'mdns: skipped a service without a usable port or address');
        return;
      }
      // Browsers on several interfaces, and repeated answers, report the same service; emit what changed only.
      const key = `${(service.fqdn ?? service.name ?? '').toLowerCase()}|${s.host}`;
      const signature = `${s.port}|${s.serviceRootUrl}|${s.keys.uuid ?? ''}`;
      if (emitted.get(key) === signature) return;
      emitted.set(key, signature);
      ctx.emit(s);
    };
    const onService = (service: Service, mdns: MdnsHandle | undefined): void => {
      const host = service.host?.toLowerCase();
      if (pickAddress(service.addresses) || !host || !mdns) return emitFor(service);
      // bonjour-service fills addresses only from the packet that carried the SRV; ask for the A record ourselves.
      if (waiting.has(host)) return;
      const timer = setTimeout(() => {
        waiting.delete(host);
        emitFor(service);
      }, addressWaitMs);
      waiting.set(host, { service, timer });
      mdns.query(service.host, 'A');
    };
    const onResponse = (packet: DnsPacket): void => {
      if (waiting.size === 0) return;
      for (const rr of [...(packet.answers ?? []), ...(packet.additionals ?? [])]) {
        if ((rr.type !== 'A' && rr.type !== 'AAAA') || typeof rr.data !== 'string' || typeof rr.name !== 'string') continue;
        const w = waiting.get(rr.name.toLowerCase());
        if (!w) continue;
        clearTimeout(w.timer);
        waiting.delete(rr.name.toLowerCase());
        emitFor(w.service, [rr.data]);
      }
    };

    try {
      for (const iface of opts.interfaces?.length ? opts.interfaces : [undefined]) instances.push(await open(iface, ctx));
      for (const { bonjour, mdns } of instances) {
        if (mdns) {
          mdns.on('response', onResponse);
          cleanups.push(() => mdns.removeListener('response', onResponse));
        }
        for (const type of types) {
          const browser = bonjour.find({ type, protocol: 'tcp' });
          browser.on('up', (s) => onService(s, mdns));
          browser.on('srv-update', (s) => onService(s, mdns));
          browser.on('txt-update', (s) => onService(s, mdns));
          browser.on('down', (s) => {
            // Forget it, so that the device is sighted again when it comes back (after a reboot, say).
            const prefix = `${(s.fqdn ?? s.name ?? '').toLowerCase()}|`;
            for (const key of [...emitted.keys()]) if (key.startsWith(prefix)) emitted.delete(key);
            ctx.log.debug({ fqdn: s.fqdn }, 'mdns: service said goodbye');
          });
          browsers.push(browser);
        }
      }
      ctx.log.debug({ interfaces: opts.interfaces ?? [], types }, 'mdns: browsing');
      // RFC 6762 §5.2: a browser repeats its query, starting 1 s apart and doubling, since multicast may be lost.
      const requery = (delay: number): void => {
        const t = setTimeout(() => {
          timers.delete(t);
          for (const b of browsers) b.update();
          requery(Math.min(delay * 2, opts.maxRequeryMs ?? 60_000));
        }, delay);
        timers.add(t);
      };
      requery(1000);
      await (windowMs === undefined ? untilAborted(ctx.signal) : waitOrAbort(windowMs, ctx.signal));
      // A scan that ends still reports what it heard, with the packet's source address standing in for the A record.
      for (const [, w] of waiting) {
        clearTimeout(w.timer);
        if (!ctx.signal.aborted) emitFor(w.service);
      }
      waiting.clear();
    } finally {
      for (const t of timers) clearTimeout(t);
      for (const w of waiting.values()) clearTimeout(w.timer);
      for (const c of cleanups) c();
      for (const b of browsers) b.stop();
      await Promise.all(instances.map(({ bonjour }) => new Promise<void>((resolve) => bonjour.destroy(() => resolve()))));
    }
  }

  return {
    name: 'mdns',
    scan: (ctx) => browse(ctx, opts.windowMs ?? 3000),
    watch: (ctx) => browse(ctx, undefined),
  };
}
