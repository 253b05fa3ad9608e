/**
 * Child-process entry for {@link startSimFleetChild} (bench/lib/sim-child.ts): a simulator fleet built from a JSON
 * spec (argv[2]) with the library rather than the CLI, for what the CLI cannot do:
 *
 * - mixed groups (openbmc-host with DPUs plus bluefield3) on consecutive addresses;
 * - a fixed `latency` fault on every device from the start (`fleet.inject`, the same fault the control API takes);
 * - an SSDP responder on 127.0.0.1 (port 0) whose port it reports;
 * - per-device request counts, split into discovery probes (User-Agent `shoal-discovery`, the gateway's service-root
 *   probe) and everything else (the drivers), each with wall-clock times, served as JSON on a stats port;
 * - optionally one certificate for every device (see `sharedCertificate`).
 *
 * It prints what the CLI prints, so the parent reads it the same way: one `<url> <user>:<password> <persona> <serial>`
 * line per device on stdout, then on stderr `mock-hardware: ssdp on <host>:<port>`, `mock-hardware: stats on <url>`
 * and last `mock-hardware: control API on <url>`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { startControlApi } from '../../mock-hardware/src/control-api.js';
import { createDiscovery, type CombinedDiscovery } from '../../mock-hardware/src/discovery/index.js';
import { startFleet, type DeviceGroup, type Fleet } from '../../mock-hardware/src/fleet.js';
import { CertAuthority } from '../../mock-hardware/src/http/certs.js';

export interface SimFleetChildSpec {
  seed: string;
  baseAddress: string;
  port: number;
  timeScale: number;
  groups: DeviceGroup[];
  controlPort: number;
  /** A fixed latency (virtual ms) on every request of every device, injected before the first device is listed. */
  latencyMs?: number;
  /** Start an SSDP responder on 127.0.0.1 (port 0), searched by unicast. */
  ssdp?: boolean;
  /** Count requests per device (see above). */
  countRequests?: boolean;
  /**
   * Every device presents one certificate, issued once. The simulator issues a device's certificate on its first TLS
   * connection, about 13 ms of CPU each (mock-hardware/src/http/certs.ts): 130 s at 10,000 devices, all inside a
   * discovery sweep's first contact, a cost real BMCs (whose certificates exist already) do not have. Only for a
   * gateway that does not verify certificates (TLS `insecure`); the TLS handshake per connection is still real.
   */
  sharedCertificate?: boolean;
}

/** Per-device request counts, in the fleet's device order. Times are epoch ms (Date.now()) when the request arrived. */
export interface SimRequestStats {
  ids: string[];
  /** Times of discovery probes (User-Agent shoal-discovery) per device. */
  probes: number[][];
  /** Other requests (drivers) per device, and the first and last time one arrived (0 when none). */
  other: number[];
  otherFirst: number[];
  otherLast: number[];
  /** Requests whose Host header named no device of the fleet. */
  unknown: number;
  /** SSDP: M-SEARCHes received, replies sent (socket callbacks, errors), and when the first and last reply went out. */
  ssdp: { searches: number[]; replies: number; errors: number; first: number; last: number };
  /** Certificates issued (with sharedCertificate: 1 after the first connection), and ms spent issuing. */
  certsIssued: number;
  certMs: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as SimFleetChildSpec;
const log = (s: string) => process.stderr.write(`mock-hardware: ${s}\n`);

// Certificate issuance: measured always; shared when asked.
let certsIssued = 0;
let certMs = 0;
const issue = CertAuthority.prototype.issue;
let shared: ReturnType<typeof issue> | undefined;
CertAuthority.prototype.issue = function (this: CertAuthority, ip: string, hostname: string, selfSigned?: boolean) {
  if (spec.sharedCertificate && shared) return shared;
  const t = performance.now();
  const p = issue.call(this, ip, hostname, selfSigned).then((c) => {
    certsIssued++;
    certMs += performance.now() - t;
    return c;
  });
  if (spec.sharedCertificate) shared = p;
  return p;
};

let ssdp: CombinedDiscovery | undefined;
if (spec.ssdp) ssdp = createDiscovery({ ssdp: { port: 0, bindAddress: '127.0.0.1' }, onError: (kind, id, e) => log(`${kind} advertiser failed for ${id}: ${String(e)}`) });

const fleet: Fleet = await startFleet({
  seed: spec.seed,
  timeScale: spec.timeScale,
  baseAddress: spec.baseAddress,
  port: spec.port,
  addressing: 'address',
  devices: spec.groups,
  ...(ssdp ? { discovery: [ssdp] } : {}),
});
// Before the log listener: one "fault latency injected" line per device says nothing.
if (spec.latencyMs && spec.latencyMs > 0) for (const d of fleet.devices) fleet.inject(d.id, { kind: 'latency', fixedMs: spec.latencyMs });
fleet.on('log', (line: string) => log(line));

const n = fleet.devices.length;
const index = new Map(fleet.devices.map((d, i) => [d.address, i]));
const stats: SimRequestStats = {
  ids: fleet.devices.map((d) => d.id),
  probes: Array.from({ length: n }, () => []),
  other: new Array<number>(n).fill(0),
  otherFirst: new Array<number>(n).fill(0),
  otherLast: new Array<number>(n).fill(0),
  unknown: 0,
  ssdp: { searches: [], replies: 0, errors: 0, first: 0, last: 0 },
  certsIssued: 0,
  certMs: 0,
};
if (spec.countRequests) {
  // The fleet's one HTTP parser for every device (DeviceServer.http, private): a listener put in front of the
  // simulator's own sees every request as it arrives, before any injected latency.
  const http = (fleet as unknown as { server?: { http?: Server } }).server?.http;
  if (!http) throw new Error('cannot count requests: the fleet has no DeviceServer.http (mock-hardware changed?)');
  http.prependListener('request', (req: IncomingMessage) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    const i = index.get(host);
    if (i === undefined) {
      stats.unknown++;
      return;
    }
    const now = Date.now();
    if (req.headers['user-agent'] === 'shoal-discovery') stats.probes[i]!.push(now);
    else {
      stats.other[i]!++;
      if (!stats.otherFirst[i]) stats.otherFirst[i] = now;
      stats.otherLast[i] = now;
    }
  });
}

if (ssdp?.ssdp && spec.countRequests) {
  // SsdpResponder's private send (replies) and onMessage (searches), wrapped on the instance.
  const r = ssdp.ssdp as unknown as { send(text: string, port: number, address: string): void; onMessage(msg: Buffer, rinfo: unknown): void; socket?: { send: (...a: unknown[]) => void } };
  const send = r.send.bind(r);
  const onMessage = r.onMessage.bind(r);
  r.onMessage = (msg, rinfo) => {
    if (msg.toString('latin1').startsWith('M-SEARCH')) stats.ssdp.searches.push(Date.now());
    onMessage(msg, rinfo);
  };
  r.send = (text, port, address) => {
    const sock = r.socket;
    if (!sock) return send(text, port, address);
    const orig = sock.send;
    // Count at the socket's callback: the datagram left (or failed).
    sock.send = (...a: unknown[]) => {
      const cb = a[a.length - 1] as (e: Error | null) => void;
      a[a.length - 1] = (e: Error | null) => {
        if (e) stats.ssdp.errors++;
        else {
          stats.ssdp.replies++;
          const now = Date.now();
          if (!stats.ssdp.first) stats.ssdp.first = now;
          stats.ssdp.last = now;
        }
        cb(e);
      };
      return orig.apply(sock, a);
    };
    try {
      send(text, port, address);
    } finally {
      sock.send = orig;
    }
  };
}

for (const d of fleet.devices) process.stdout.write(`${d.url} ${d.credentials.user}:${d.credentials.password} ${d.persona} ${d.serial}\n`);
if (ssdp?.ssdp) log(`ssdp on 127.0.0.1:${ssdp.ssdp.address().port}`);

const statsServer = createServer((req, res) => {
  if (req.url === '/stats') {
    stats.certsIssued = certsIssued;
    stats.certMs = certMs;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stats));
    return;
  }
  res.writeHead(404).end();
});
await new Promise<void>((r) => statsServer.listen(0, '127.0.0.1', () => r()));
log(`stats on http://127.0.0.1:${(statsServer.address() as { port: number }).port}`);

await startControlApi(fleet, spec.controlPort);
log(`control API on http://127.0.0.1:${spec.controlPort}`);

const stop = () => void fleet.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Virtual timers are unref'd; keep the process alive while the fleet serves.
setInterval(() => undefined, 1 << 30);
