/**
 * LLDP for simulated BMCs through Debian's lldpd: a config file per device (system name, a description naming the
 * persona, management address, optional chassis id) and a helper that runs lldpd for it inside a network namespace.
 * The frames on the wire are lldpd's own, so the gateway's LLDP decoding is tested against a real implementation.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { AdvertisedDevice, DiscoveryAdvertiser } from '../discovery-hooks.js';
import { supervise, untilReady } from './supervised.js';

const runFile = promisify(execFile);

/** System descriptions by persona, worded like the real devices' own LLDP system descriptions. */
const DESCRIPTIONS: Record<string, string> = {
  bluefield3: 'NVIDIA BlueField-3 BMC',
  'openbmc-host': 'OpenBMC host BMC',
  'dmtf-mockup': 'DMTF Redfish mockup BMC',
  'ipmi-legacy': 'Legacy IPMI BMC',
};

/** LLDP system description for a persona; unknown personas get a generic one that still names them. */
export function personaDescription(persona: string): string {
  return DESCRIPTIONS[persona] ?? `Redfish BMC (${persona})`;
}

/** Options for {@link lldpdConfig}. */
export interface LldpConfigOptions {
  /** Seconds between LLDPDUs. Default 30 (lldpd's default); tests use 1. */
  txInterval?: number;
  /** Override the description (default: {@link personaDescription}). */
  description?: string;
  /**
   * Force the chassis id to the device MAC through `configure system chassisid`. lldpd then sends it as a locally
   * assigned id; leave this off and give the interface the device MAC (see {@link startLldpd}) to get a real
   * MAC-subtype chassis id.
   */
  chassisIdOverride?: boolean;
  /** Interface pattern lldpd may use. */
  interfacePattern?: string;
}

/** lldpcli's parser takes double-quoted strings without escapes; keep values inside one token. */
function quoted(value: string): string {
  return `"${value.replace(/["\\\r\n]/g, ' ')}"`;
}

/** The lldpcli commands lldpd applies at start (`lldpd -O FILE`). */
export function lldpdConfig(device: AdvertisedDevice, opts: LldpConfigOptions = {}): string {
  const lines = [
    `configure system hostname ${quoted(device.hostname || device.id)}`,
    `configure system description ${quoted(opts.description ?? personaDescription(device.persona))}`,
    `configure system platform ${quoted(device.persona)}`,
    `configure system ip management pattern ${device.address}`,
    `configure lldp tx-interval ${Math.max(1, Math.floor(opts.txInterval ?? 30))}`,
  ];
  if (opts.interfacePattern) lines.push(`configure system interface pattern ${opts.interfacePattern}`);
  if (opts.chassisIdOverride && device.mac) lines.push(`configure system chassisid ${quoted(device.mac)}`);
  return `${lines.join('\n')}\n`;
}

/** Writes `<dir>/<device id>.conf` and returns its path. */
export function writeLldpdConfig(dir: string, device: AdvertisedDevice, opts: LldpConfigOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${device.id.replace(/[^A-Za-z0-9._-]/g, '_')}.conf`);
  writeFileSync(path, lldpdConfig(device, opts));
  return path;
}

/** Options for {@link startLldpd}. */
export interface LldpdRunOptions {
  /** Network namespace to run in (via `ip netns exec`). Omit to run in the current one. */
  netns?: string;
  /** Interface lldpd sends and listens on. */
  iface: string;
  /** Config written by {@link writeLldpdConfig}. */
  configPath: string;
  /** Control socket; lldpcli talks to lldpd through it (`lldpcli -u SOCK`). */
  socketPath: string;
  /** Management address (also passed as `-m`, which takes precedence over the config's pattern). */
  managementAddress?: string;
  /** Start-up timeout. Default 10 s. */
  readyTimeoutMs?: number;
}

/** A running lldpd. */
export interface LldpdProcess {
  readonly pid: number;
  readonly socketPath: string;
  /** Output lldpd printed so far (it runs in the foreground with `-d`). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * lldpcli is setuid `_lldpd` on Debian (keeping the caller's group), and lldpd runs it to apply `-O FILE`; so the
 * directories holding the socket and the config must be traversable by group and others (mkdtemp makes 0700
 * ones). Adds g+x and o+x only: no listing.
 */
function allowLldpdTraverse(dir: string): void {
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o011) !== 0o011) chmodSync(dir, mode | 0o011);
}

/** Spawns lldpd in the foreground and resolves once lldpcli can talk to it. */
export async function startLldpd(opts: LldpdRunOptions): Promise<LldpdProcess> {
  allowLldpdTraverse(dirname(opts.socketPath));
  allowLldpdTraverse(dirname(opts.configPath));
  chmodSync(opts.configPath, statSync(opts.configPath).mode | 0o004);
  const args = ['-d', '-I', opts.iface, '-u', opts.socketPath, '-O', opts.configPath];
  if (opts.managementAddress) args.push('-m', opts.managementAddress);
  const child: ChildProcess = opts.netns
    ? spawn('ip', ['netns', 'exec', opts.netns, 'lldpd', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('lldpd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const p = supervise(child);
  // The socket appears before lldpd hands it to _lldpd, so "exists" is not "ready": ask lldpcli until it answers.
  const answers = async () =>
    existsSync(opts.socketPath) &&
    lldpcli(opts.socketPath, ['show', 'configuration'], opts.netns).then(
      () => true,
      () => false,
    );
  await untilReady(p, answers, { what: 'lldp: lldpd', timeoutMs: opts.readyTimeoutMs, intervalMs: 100 });
  return { pid: p.pid, socketPath: opts.socketPath, log: p.log, stop: p.stop };
}

/** Runs `lldpcli -u SOCK ARGS...` (inside `netns` when given) and returns stdout. */
export async function lldpcli(socketPath: string, args: string[], netns?: string): Promise<string> {
  const argv = ['-u', socketPath, ...args];
  const { stdout } = netns
    ? await runFile('ip', ['netns', 'exec', netns, 'lldpcli', ...argv], { timeout: 10_000 })
    : await runFile('lldpcli', argv, { timeout: 10_000 });
  return stdout;
}

/** Neighbours an lldpd has learnt, via `lldpcli -f json0 show neighbors details`. */
export async function lldpNeighbors(socketPath: string, netns?: string): Promise<LldpNeighbor[]> {
  return parseLldpNeighbors(await lldpcli(socketPath, ['-f', 'json0', 'show', 'neighbors', 'details'], netns));
}

/** A neighbour as `lldpcli -f json0 show neighbors details` reports it. */
export interface LldpNeighbor {
  iface: string;
  chassisId?: string;
  chassisIdType?: string;
  sysName?: string;
  sysDescr?: string;
  mgmtIps: string[];
  portId?: string;
}

type Json0Value = { value?: string; type?: string };

/** Parses `lldpcli -f json0 show neighbors details` (json0 always uses arrays, which keeps this simple). */
export function parseLldpNeighbors(json: string): LldpNeighbor[] {
  const doc = JSON.parse(json) as {
    lldp?: Array<{
      interface?: Array<{
        name?: string;
        chassis?: Array<{
          id?: Json0Value[];
          name?: Json0Value[];
          descr?: Json0Value[];
          'mgmt-ip'?: Json0Value[];
        }>;
        port?: Array<{ id?: Json0Value[] }>;
      }>;
    }>;
  };
  const result: LldpNeighbor[] = [];
  for (const lldp of doc.lldp ?? []) {
    for (const itf of lldp.interface ?? []) {
      const ch = itf.chassis?.[0];
      const n: LldpNeighbor = { iface: itf.name ?? '', mgmtIps: (ch?.['mgmt-ip'] ?? []).map((m) => m.value ?? '') };
      const id = ch?.id?.[0];
      if (id?.value) n.chassisId = id.value;
      if (id?.type) n.chassisIdType = id.type;
      if (ch?.name?.[0]?.value) n.sysName = ch.name[0].value;
      if (ch?.descr?.[0]?.value) n.sysDescr = ch.descr[0].value;
      const port = itf.port?.[0]?.id?.[0]?.value;
      if (port) n.portId = port;
      result.push(n);
    }
  }
  return result;
}

/** Options for {@link LldpAdvertiser}. */
export interface LldpAdvertiserOptions extends LldpConfigOptions {
  /** Directory for configs, sockets and logs. */
  dir: string;
  /**
   * Run lldpd for devices that have `netns`, on this interface inside their namespace. Without it the advertiser
   * only writes configs (for a test harness or an operator to run).
   */
  runInterface?: string;
}

/** Writes an lldpd config per device and, when asked, runs lldpd in the device's namespace. */
export class LldpAdvertiser implements DiscoveryAdvertiser {
  readonly name = 'lldp';
  private readonly opts: LldpAdvertiserOptions;
  private readonly running = new Map<string, LldpdProcess>();
  /** Config path per device id. */
  readonly configs = new Map<string, string>();

  constructor(opts: LldpAdvertiserOptions) {
    this.opts = opts;
  }

  async start(device: AdvertisedDevice): Promise<void> {
    const configPath = writeLldpdConfig(this.opts.dir, device, this.opts);
    this.configs.set(device.id, configPath);
    if (!this.opts.runInterface || !device.netns) return;
    await this.stopDevice(device.id);
    const proc = await startLldpd({
      netns: device.netns,
      iface: this.opts.runInterface,
      configPath,
      socketPath: configPath.replace(/\.conf$/, '.sock'),
      managementAddress: device.address,
    });
    this.running.set(device.id, proc);
  }

  /** The lldpd process serving a device, if this advertiser runs one. */
  process(deviceId: string): LldpdProcess | undefined {
    return this.running.get(deviceId);
  }

  async stopDevice(deviceId: string): Promise<void> {
    const proc = this.running.get(deviceId);
    this.running.delete(deviceId);
    await proc?.stop();
  }

  async stop(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((p) => p.stop()));
  }
}
