/**
 * Unicast DNS for a fleet: a BIND-style zone (A records, SRV `_redfish._tcp.<domain>`, and RFC 6763 DNS-SD
 * PTR/SRV/TXT per device), the same data as dnsmasq options or a hosts file, and a helper that serves it with
 * Debian's dnsmasq. This is how sites without multicast point a gateway at their BMCs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { AdvertisedDevice, DiscoveryAdvertiser } from '../discovery-hooks.js';
import { supervise, untilReady } from './supervised.js';

/** Options shared by the zone and dnsmasq writers. */
export interface DnsZoneOptions {
  /** Zone / search domain, e.g. `sim.test`. No trailing dot. */
  domain: string;
  /** Record TTL in seconds. Default 300. */
  ttl?: number;
  /** SOA serial. Default 1 (reproducible output; bump it yourself when you rewrite a served zone). */
  serial?: number;
  /** Address of the zone's name server (for the NS glue record). Default 127.0.0.1. */
  nameServerAddress?: string;
}

/** What the zone says about one device. */
export interface DnsDeviceRecord {
  /** Fully qualified host name without the trailing dot. */
  host: string;
  /** DNS-SD instance label. */
  instance: string;
  address: string;
  port: number;
  path: string;
}

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function assertDomain(domain: string): void {
  if (!domain.split('.').every((l) => LABEL.test(l))) throw new Error(`dns: invalid domain "${domain}"`);
}

/** Host name of a device inside the domain: its own host name if it is in the domain, else `<label>.<domain>`. */
export function deviceRecord(device: AdvertisedDevice, domain: string): DnsDeviceRecord {
  const hostname = (device.hostname || device.id).toLowerCase().replace(/\.$/, '');
  const label = (hostname.split('.')[0] ?? device.id).replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'device';
  const host = hostname.endsWith(`.${domain.toLowerCase()}`) ? hostname : `${label}.${domain.toLowerCase()}`;
  let path = '/redfish/v1';
  try {
    path = new URL(device.serviceRootUrl).pathname.replace(/\/$/, '') || path;
  } catch {
    // IPMI-only devices have no service root URL
  }
  return { host, instance: label, address: device.address, port: device.port, path };
}

/** A complete zone file for the domain. Devices without a Redfish service get only an A record. */
export function dnsZone(devices: readonly AdvertisedDevice[], opts: DnsZoneOptions): string {
  assertDomain(opts.domain);
  const origin = `${opts.domain.toLowerCase()}.`;
  const ttl = opts.ttl ?? 300;
  const lines = [
    `$ORIGIN ${origin}`,
    `$TTL ${ttl}`,
    `@ IN SOA ns1.${origin} hostmaster.${origin} ( ${opts.serial ?? 1} 3600 600 86400 ${ttl} )`,
    `@ IN NS ns1.${origin}`,
    `ns1 IN A ${opts.nameServerAddress ?? '127.0.0.1'}`,
  ];
  for (const d of devices) {
    const r = deviceRecord(d, opts.domain);
    lines.push(`${r.host}. IN A ${r.address}`);
    if (!d.serviceRootUrl) continue;
    lines.push(
      `_redfish._tcp IN SRV 0 0 ${r.port} ${r.host}.`,
      `_redfish._tcp IN PTR ${r.instance}._redfish._tcp.${origin}`,
      `${r.instance}._redfish._tcp IN SRV 0 0 ${r.port} ${r.host}.`,
      `${r.instance}._redfish._tcp IN TXT "path=${r.path}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `/etc/hosts` lines for the fleet (for resolvers without SRV support). */
export function hostsFile(devices: readonly AdvertisedDevice[], domain: string): string {
  return devices
    .map((d) => {
      const r = deviceRecord(d, domain);
      return `${r.address}\t${r.host} ${r.instance}\n`;
    })
    .join('');
}

/** Options for {@link dnsmasqConfig}. */
export interface DnsmasqOptions extends DnsZoneOptions {
  /** UDP/TCP port dnsmasq listens on. */
  port: number;
  /** Address to listen on. Default 127.0.0.1. */
  listenAddress?: string;
  /** pid file path (dnsmasq otherwise writes to /run). */
  pidFile?: string;
}

/**
 * dnsmasq configuration serving the same records as {@link dnsZone}. It never forwards (`no-resolv`, `local=`), so
 * a test resolver cannot leak queries to the outside.
 */
export function dnsmasqConfig(devices: readonly AdvertisedDevice[], opts: DnsmasqOptions): string {
  assertDomain(opts.domain);
  const domain = opts.domain.toLowerCase();
  const lines = [
    `port=${opts.port}`,
    `listen-address=${opts.listenAddress ?? '127.0.0.1'}`,
    'bind-interfaces',
    'no-resolv',
    'no-hosts',
    'no-poll',
    `local=/${domain}/`,
    `local-ttl=${opts.ttl ?? 300}`,
  ];
  if (opts.pidFile) lines.push(`pid-file=${opts.pidFile}`);
  for (const d of devices) {
    const r = deviceRecord(d, domain);
    lines.push(`host-record=${r.host},${r.address}`);
    if (!d.serviceRootUrl) continue;
    lines.push(
      `srv-host=_redfish._tcp.${domain},${r.host},${r.port},0,0`,
      `ptr-record=_redfish._tcp.${domain},${r.instance}._redfish._tcp.${domain}`,
      `srv-host=${r.instance}._redfish._tcp.${domain},${r.host},${r.port},0,0`,
      `txt-record=${r.instance}._redfish._tcp.${domain},"path=${r.path}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A running dnsmasq. */
export interface DnsmasqProcess {
  readonly pid: number;
  log(): string;
  stop(): Promise<void>;
}

/** Runs dnsmasq in the foreground with the given config and resolves once it accepts TCP on its port. */
export async function startDnsmasq(opts: {
  configPath: string;
  port: number;
  listenAddress?: string;
  readyTimeoutMs?: number;
}): Promise<DnsmasqProcess> {
  // -k keeps dnsmasq in the foreground, so this process owns it and can stop it by pid.
  const child: ChildProcess = spawn('dnsmasq', ['-k', `--conf-file=${opts.configPath}`, '--log-facility=-'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p = supervise(child);
  const host = opts.listenAddress ?? '127.0.0.1';
  const listening = () =>
    new Promise<boolean>((resolve) => {
      const s = connect({ host, port: opts.port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
  await untilReady(p, listening, { what: 'dns: dnsmasq', timeoutMs: opts.readyTimeoutMs, intervalMs: 50 });
  return { pid: p.pid, log: p.log, stop: p.stop };
}

/** Options for {@link DnsZoneAdvertiser}. */
export interface DnsZoneAdvertiserOptions extends DnsZoneOptions {
  /** Directory for `<domain>.zone`, `dnsmasq.conf` and `hosts`. */
  dir: string;
  /** Serve the records with dnsmasq on this address and port (restarted after each batch of changes). */
  serve?: { port: number; listenAddress?: string };
  /** Batch window for rewriting files after `start` calls. Default 100 ms. */
  debounceMs?: number;
}

/** Collects the fleet's devices and keeps a zone file, a dnsmasq config and a hosts file up to date. */
export class DnsZoneAdvertiser implements DiscoveryAdvertiser {
  readonly name = 'dns';
  private readonly opts: DnsZoneAdvertiserOptions;
  private readonly devices = new Map<string, AdvertisedDevice>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dnsmasq: DnsmasqProcess | undefined;
  private serial: number;

  constructor(opts: DnsZoneAdvertiserOptions) {
    assertDomain(opts.domain);
    this.opts = opts;
    this.serial = opts.serial ?? 1;
  }

  /** Paths of the files this advertiser writes. */
  get paths(): { zone: string; dnsmasq: string; hosts: string } {
    const d = this.opts.dir;
    return { zone: join(d, `${this.opts.domain}.zone`), dnsmasq: join(d, 'dnsmasq.conf'), hosts: join(d, 'hosts') };
  }

  async start(device: AdvertisedDevice): Promise<void> {
    this.devices.set(device.id, device);
    this.schedule();
  }

  async stopDevice(deviceId: string): Promise<void> {
    if (this.devices.delete(deviceId)) this.schedule();
  }

  /** Writes the files now (and restarts dnsmasq when serving). Resolves when done. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing.catch(() => undefined);
    await this.dnsmasq?.stop();
    this.dnsmasq = undefined;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.opts.debounceMs ?? 100);
  }

  private async write(): Promise<void> {
    const devices = [...this.devices.values()];
    const p = this.paths;
    mkdirSync(this.opts.dir, { recursive: true });
    const zoneOpts = { ...this.opts, serial: this.serial++ };
    writeFileSync(p.zone, dnsZone(devices, zoneOpts));
    writeFileSync(p.hosts, hostsFile(devices, this.opts.domain));
    const serve = this.opts.serve;
    writeFileSync(
      p.dnsmasq,
      dnsmasqConfig(devices, {
        ...zoneOpts,
        port: serve?.port ?? 53,
        pidFile: join(this.opts.dir, 'dnsmasq.pid'),
        ...(serve?.listenAddress ? { listenAddress: serve.listenAddress } : {}),
      }),
    );
    if (!serve) return;
    // dnsmasq rereads hosts files on SIGHUP but not srv-host/txt-record options, so restart it.
    await this.dnsmasq?.stop();
    this.dnsmasq = await startDnsmasq({ configPath: p.dnsmasq, port: serve.port, ...(serve.listenAddress ? { listenAddress: serve.listenAddress } : {}) });
  }
}
