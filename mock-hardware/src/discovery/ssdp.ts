/**
 * SSDP responder for Redfish services (DSP0266 "Discovery"): answers M-SEARCH for
 * `urn:dmtf-org:service:redfish-rest:1` and `ssdp:all`, and sends NOTIFY `ssdp:alive` / `ssdp:byebye`.
 *
 * One responder serves a whole fleet (or one interface of it) from a single UDP socket: 10,000 devices on 127.x
 * addresses cannot each own port 1900, and a real client cannot tell the difference because every reply names its
 * device through USN and AL, not through the source address.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { AdvertisedDevice, DiscoveryAdvertiser, DiscoveryStateListener } from '../discovery-hooks.js';

/** Search target / notification type of a Redfish service (major version 1). */
export const REDFISH_SSDP_URN = 'urn:dmtf-org:service:redfish-rest:1';
/** IPv4 SSDP multicast group and port. */
export const SSDP_MULTICAST_ADDRESS = '239.255.255.250';
export const SSDP_PORT = 1900;

/** Protocol version advertised when neither the device nor the options name one. */
export const DEFAULT_REDFISH_VERSION = '1.17.0';

/** A device as the SSDP responder sees it. `redfishVersion` (e.g. `1.17.0`) sets the minor version in ST. */
export type SsdpDevice = AdvertisedDevice & { redfishVersion?: string };

/** A unicast destination for NOTIFY messages (useful on loopback, where multicast is awkward). */
export interface SsdpEndpoint {
  address: string;
  port: number;
}

/** Options for {@link SsdpResponder}. */
export interface SsdpResponderOptions {
  /** UDP port to listen on. Default 1900; use 0 for an ephemeral port on loopback. */
  port?: number;
  /** Address to bind. Default `0.0.0.0` (needed to receive multicast). */
  bindAddress?: string;
  /**
   * IPv4 address of the interface on which to join 239.255.255.250 and send multicast NOTIFYs. Without it the
   * responder answers unicast M-SEARCH only and never sends multicast, so no traffic can leak to other networks.
   */
  multicastInterface?: string;
  /** Multicast TTL. Default 2, as UPnP recommends. */
  multicastTtl?: number;
  /** Send NOTIFY messages at all. Default: true when `multicastInterface` or `notifyTargets` is set. */
  notify?: boolean;
  /** Extra unicast NOTIFY destinations. */
  notifyTargets?: SsdpEndpoint[];
  /** CACHE-CONTROL max-age in seconds. Default 1800 (DSP0266's recommended value; the DMTF validator wants ≥ 1800). */
  maxAge?: number;
  /** Interval for repeating `ssdp:alive`. Default max-age / 2. */
  reannounceMs?: number;
  /** Upper bound for spreading multicast replies over the MX window. Default 1000 ms. */
  maxSpreadMs?: number;
  /** Minimum gap between batches of 64 replies. Default 5 ms. */
  batchIntervalMs?: number;
  /**
   * Redfish protocol version for devices that do not give one. Default `1.17.0`, the `RedfishVersion` the
   * simulator's personas serve: DSP0266 puts a non-zero minor version in ST (`...redfish-rest:1:17`), and the DMTF
   * Protocol Validator fails a service whose ST minor differs from its service root's.
   */
  redfishVersion?: string;
  /** SERVER header product token. Default `mock-hardware-<persona>/1.0`. */
  product?: string;
  /** Also send a LOCATION header equal to AL. Off by default: UPnP tools would fetch it expecting device XML. */
  locationHeader?: boolean;
}

interface Entry {
  device: SsdpDevice;
  st: string;
  minor: number;
  reachable: boolean;
  enabled: boolean;
}

/** Parsed SSDP request: method line plus upper-cased header names. */
export interface SsdpMessage {
  method: string;
  headers: Record<string, string>;
}

/** Parses an SSDP datagram (HTTP-over-UDP). Returns undefined for anything that is not a request line. */
export function parseSsdp(text: string): SsdpMessage | undefined {
  const lines = text.split(/\r?\n/);
  const first = lines.shift() ?? '';
  const m = /^([A-Z-]+) \* HTTP\/1\.[01]$/.exec(first.trim());
  if (!m?.[1]) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    headers[line.slice(0, i).trim().toUpperCase()] = line.slice(i + 1).trim();
  }
  return { method: m[1], headers };
}

/** Minor protocol version from `1.17.0` → 17. DSP0266: the ST carries it when it is not zero. */
function minorOf(version: string): number {
  const minor = Number.parseInt(version.split('.')[1] ?? '0', 10);
  return Number.isFinite(minor) && minor > 0 ? minor : 0;
}

/** The ST / NT value a device with this minor version advertises. */
export function redfishSearchTarget(minor: number): string {
  return minor > 0 ? `${REDFISH_SSDP_URN}:${minor}` : REDFISH_SSDP_URN;
}

/**
 * Replies handed to the socket per timer tick. 64 replies (~25 KB, ~80 KB of kernel buffer) fit the default
 * 208 KiB receive buffer of a Linux searcher; bigger bursts get dropped there when a whole fleet answers.
 */
const REPLY_BATCH = 64;

/**
 * A fleet-wide SSDP responder. Implements the fleet's {@link DiscoveryAdvertiser} contract and listens for
 * reachability changes so that a crashed or rebooting BMC goes silent, as real ones do.
 */
export class SsdpResponder implements DiscoveryAdvertiser, DiscoveryStateListener {
  readonly name = 'ssdp';
  private readonly opts: SsdpResponderOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly byUuid = new Map<string, Entry>();
  private socket: Socket | undefined;
  private opening: Promise<void> | undefined;
  private reannounceTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;
  /** Datagrams handed to the socket but not yet sent; `stop` waits for them so byebyes are not lost. */
  private inflight = 0;
  private drained: (() => void) | undefined;
  private readonly aliveQueue: Entry[] = [];
  private aliveTimer: NodeJS.Timeout | undefined;

  constructor(opts: SsdpResponderOptions = {}) {
    this.opts = opts;
  }

  /** Binds the socket (idempotent). `start` calls it; call it yourself to learn an ephemeral port first. */
  open(): Promise<void> {
    this.opening ??= new Promise<void>((resolve, reject) => {
      const sock = createSocket({ type: 'udp4', reuseAddr: true });
      sock.once('error', reject);
      sock.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
      sock.bind(this.opts.port ?? SSDP_PORT, this.opts.bindAddress ?? '0.0.0.0', () => {
        sock.removeListener('error', reject);
        // A stray ICMP error must not crash the fleet.
        sock.on('error', () => undefined);
        const iface = this.opts.multicastInterface;
        if (iface) {
          sock.addMembership(SSDP_MULTICAST_ADDRESS, iface);
          sock.setMulticastInterface(iface);
          sock.setMulticastTTL(this.opts.multicastTtl ?? 2);
          sock.setMulticastLoopback(true);
        }
        this.socket = sock;
        const every = this.opts.reannounceMs ?? ((this.opts.maxAge ?? 1800) * 1000) / 2;
        if (this.notifying()) {
          this.reannounceTimer = setInterval(() => this.announceAll('ssdp:alive'), every);
          this.reannounceTimer.unref();
        }
        resolve();
      });
    });
    return this.opening;
  }

  /** The bound address and port. Throws before {@link open}. */
  address(): SsdpEndpoint {
    if (!this.socket) throw new Error('ssdp: responder is not open');
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  /** Number of devices this responder answers for. */
  get size(): number {
    return this.entries.size;
  }

  async start(device: SsdpDevice): Promise<void> {
    if (this.closed) throw new Error('ssdp: responder is stopped');
    if (!device.serviceRootUrl) return; // IPMI-only devices have no Redfish service to advertise
    await this.open();
    const minor = minorOf(device.redfishVersion ?? this.opts.redfishVersion ?? DEFAULT_REDFISH_VERSION);
    const entry: Entry = { device, minor, st: redfishSearchTarget(minor), reachable: true, enabled: true };
    const old = this.entries.get(device.id);
    if (old) this.byUuid.delete(old.device.uuid.toLowerCase());
    this.entries.set(device.id, entry);
    this.byUuid.set(device.uuid.toLowerCase(), entry);
    this.queueAlive(entry);
  }

  /**
   * A fleet starts thousands of devices in a tight loop; collect their first `ssdp:alive` and send them paced like
   * replies, so listeners on the link do not drop most of the burst.
   */
  private queueAlive(entry: Entry): void {
    this.aliveQueue.push(entry);
    if (this.aliveTimer) return;
    this.aliveTimer = setTimeout(() => {
      this.pending.delete(this.aliveTimer!);
      this.aliveTimer = undefined;
      const batch = this.aliveQueue.splice(0);
      this.inBatches(batch, this.paced(batch.length), (e) => this.sendNotify(e, 'ssdp:alive'));
    }, 0);
    this.pending.add(this.aliveTimer);
  }

  /** Time over which `count` datagrams are spread so that a searcher can keep up. */
  private paced(count: number): number {
    return Math.ceil(count / REPLY_BATCH) * (this.opts.batchIntervalMs ?? 5);
  }

  async stopDevice(deviceId: string): Promise<void> {
    const entry = this.entries.get(deviceId);
    if (!entry) return;
    this.sendNotify(entry, 'ssdp:byebye');
    const queued = this.aliveQueue.indexOf(entry);
    if (queued >= 0) this.aliveQueue.splice(queued, 1);
    this.entries.delete(deviceId);
    this.byUuid.delete(entry.device.uuid.toLowerCase());
  }

  /** A crashed or rebooting BMC stops answering without a byebye; when it is back it announces itself. */
  onReachability(deviceId: string, reachable: boolean): void {
    const entry = this.entries.get(deviceId);
    if (!entry || entry.reachable === reachable) return;
    entry.reachable = reachable;
    if (reachable) this.sendNotify(entry, 'ssdp:alive');
  }

  /**
   * Mirrors `ManagerNetworkProtocol.SSDP.ProtocolEnabled`: a disabled device says byebye and stops answering
   * (the DMTF Protocol Validator checks exactly this).
   */
  setProtocolEnabled(deviceId: string, enabled: boolean): void {
    const entry = this.entries.get(deviceId);
    if (!entry || entry.enabled === enabled) return;
    if (!enabled) this.sendNotify(entry, 'ssdp:byebye');
    entry.enabled = enabled;
    if (enabled) this.sendNotify(entry, 'ssdp:alive');
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reannounceTimer) clearInterval(this.reannounceTimer);
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    this.aliveTimer = undefined;
    this.aliveQueue.length = 0;
    if (this.opening) await this.opening.catch(() => undefined);
    const sock = this.socket;
    if (!sock) return;
    const live = this.notifying() ? [...this.entries.values()].filter((e) => e.reachable && e.enabled) : [];
    // Paced like everything else; stopping a 10,000-device fleet takes under a second.
    for (let i = 0; i < live.length; i += REPLY_BATCH) {
      if (i > 0) await new Promise((r) => setTimeout(r, this.opts.batchIntervalMs ?? 5));
      for (const e of live.slice(i, i + REPLY_BATCH)) this.sendNotify(e, 'ssdp:byebye');
    }
    this.entries.clear();
    this.byUuid.clear();
    if (this.inflight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await new Promise<void>((resolve) => sock.close(() => resolve()));
    this.socket = undefined;
  }

  private notifying(): boolean {
    return this.opts.notify ?? Boolean(this.opts.multicastInterface || this.opts.notifyTargets?.length);
  }

  private server(device: SsdpDevice): string {
    return `Linux/5.15 UPnP/1.1 ${this.opts.product ?? `mock-hardware-${device.persona}/1.0`}`;
  }

  private send(text: string, port: number, address: string): void {
    if (!this.socket) return;
    this.inflight += 1;
    this.socket.send(text, port, address, () => {
      this.inflight -= 1;
      if (this.inflight === 0) this.drained?.();
    });
  }

  private sendNotify(entry: Entry, nts: 'ssdp:alive' | 'ssdp:byebye'): void {
    if (!this.socket || !this.notifying() || !entry.reachable || !entry.enabled) return;
    const d = entry.device;
    const lines = [
      'NOTIFY * HTTP/1.1',
      `HOST: ${SSDP_MULTICAST_ADDRESS}:${SSDP_PORT}`,
      `NT: ${entry.st}`,
      `NTS: ${nts}`,
      `USN: uuid:${d.uuid.toLowerCase()}::${entry.st}`,
    ];
    if (nts === 'ssdp:alive') {
      lines.push(`CACHE-CONTROL: max-age=${this.opts.maxAge ?? 1800}`, `AL: ${d.serviceRootUrl}`, `SERVER: ${this.server(d)}`);
      if (this.opts.locationHeader) lines.push(`LOCATION: ${d.serviceRootUrl}`);
    }
    const text = `${lines.join('\r\n')}\r\n\r\n`;
    if (this.opts.multicastInterface) this.send(text, SSDP_PORT, SSDP_MULTICAST_ADDRESS);
    for (const t of this.opts.notifyTargets ?? []) this.send(text, t.port, t.address);
  }

  private announceAll(nts: 'ssdp:alive'): void {
    const all = [...this.entries.values()];
    this.inBatches(all, this.paced(all.length), (e) => this.sendNotify(e, nts));
  }

  /** Builds the M-SEARCH response for one device. */
  private response(entry: Entry): string {
    const d = entry.device;
    const lines = [
      'HTTP/1.1 200 OK',
      `CACHE-CONTROL: max-age=${this.opts.maxAge ?? 1800}`,
      `DATE: ${new Date().toUTCString()}`,
      'EXT:',
      `SERVER: ${this.server(d)}`,
      `ST: ${entry.st}`,
      `USN: uuid:${d.uuid.toLowerCase()}::${entry.st}`,
      `AL: ${d.serviceRootUrl}`,
    ];
    if (this.opts.locationHeader) lines.push(`LOCATION: ${d.serviceRootUrl}`);
    return `${lines.join('\r\n')}\r\n\r\n`;
  }

  /** Devices that answer a search target: ssdp:all, the Redfish URN (with an optional minor), or uuid:<uuid>. */
  private matches(st: string): Entry[] {
    const live = (e: Entry | undefined): e is Entry => Boolean(e?.reachable && e.enabled);
    const target = st.trim();
    if (target === 'ssdp:all') return [...this.entries.values()].filter(live);
    if (target.toLowerCase().startsWith('uuid:')) {
      const e = this.byUuid.get(target.slice(5).toLowerCase());
      return live(e) ? [e] : [];
    }
    // URNs compare case-insensitively in practice (the DMTF validator itself sends "URN:dmtf-org:...").
    const m = /^urn:dmtf-org:service:redfish-rest:1(?::(\d+))?$/i.exec(target);
    if (!m) return [];
    const wanted = Number.parseInt(m[1] ?? '0', 10);
    return [...this.entries.values()].filter((e) => live(e) && e.minor >= wanted);
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const req = parseSsdp(msg.toString('utf8'));
    if (!req || req.method !== 'M-SEARCH') return;
    if (req.headers.MAN?.replace(/"/g, '') !== 'ssdp:discover') return;
    const st = req.headers.ST;
    if (!st) return;
    const found = this.matches(st);
    if (found.length === 0) return;
    // Multicast searches get replies spread over MX so that a fleet does not flood the searcher; unicast ones
    // (HOST is not the multicast group) start at once, as UPnP 1.1 asks. Either way batches are paced so that a
    // searcher in another process can keep up (about 13k replies/s with the defaults).
    const multicast = (req.headers.HOST ?? '').startsWith(SSDP_MULTICAST_ADDRESS);
    const mx = Math.min(5, Math.max(0, Number.parseInt(req.headers.MX ?? '1', 10) || 1));
    const paced = this.paced(found.length);
    const spread = multicast ? Math.max(Math.min(mx * 1000, this.opts.maxSpreadMs ?? 1000), paced) : paced;
    this.inBatches(found, spread, (e) => this.send(this.response(e), rinfo.port, rinfo.address));
  }

  /**
   * Runs `fn` over items in batches spread evenly over `spreadMs` (deterministic: no random back-off). Each batch
   * schedules the next one, so a stalled event loop delays the rest instead of releasing them as one burst.
   */
  private inBatches(items: Entry[], spreadMs: number, fn: (e: Entry) => void): void {
    const batches = Math.ceil(items.length / REPLY_BATCH);
    const gap = batches > 1 ? spreadMs / (batches - 1) : 0;
    const runBatch = (b: number): void => {
      if (this.closed && b > 0) return;
      for (const e of items.slice(b * REPLY_BATCH, (b + 1) * REPLY_BATCH)) fn(e);
      if (b + 1 >= batches) return;
      const t = setTimeout(() => {
        this.pending.delete(t);
        runBatch(b + 1);
      }, gap);
      this.pending.add(t);
    };
    if (batches > 0) runBatch(0);
  }
}
