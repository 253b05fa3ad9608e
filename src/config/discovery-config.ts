/**
 * The discovery policy: which sources run and how, which credentials to try per driver, and whether what is found
 * is registered at once or waits for an operator.
 */
export interface DiscoveryConfig {
  /** Run the enabled sources in the background while serving. Sweeps on request work either way. */
  enabled: boolean;
  /** `auto` registers what it finds; `approval` lists it as pending until an operator approves it. */
  registration: 'auto' | 'approval';
  /** Seconds between background scans of each source. */
  intervalSeconds: number;
  /** A device that has neither been seen nor answered for this long goes UnavailableOffline. */
  offlineAfterSeconds: number;
  /** An offline device becomes a tombstone (no longer served, id kept) after this long. */
  tombstoneAfterSeconds: number;
  /** Probes (service-root reads, pings) in flight at once, across all sources. */
  concurrency: number;
  /** New probes started per second, across all sources. */
  ratePerSecond: number;
  probeTimeoutMs: number;
  /** Ports to try for Redfish when a source gives an address without one (LLDP, CIDR). */
  redfishPorts: number[];
  /** Inventory reads (identify, pairing) in flight at once. */
  identifyConcurrency: number;
  /** How the gateway trusts discovered devices' certificates: pin on first use, or a CA bundle file. */
  tls: { mode: 'pin' } | { mode: 'insecure' } | { mode: 'ca'; caFile: string };
  sources: {
    ssdp: { enabled: boolean; interfaces: string[]; unicastTargets: string[]; mx: number; windowMs: number; listen: boolean; listenPort: number };
    mdns: { enabled: boolean; interfaces: string[]; windowMs: number };
    dns: { enabled: boolean; domains: string[]; servers: string[] };
    lldp: { enabled: boolean; lldpcli: string; socket?: string };
    cidr: { enabled: boolean; ranges: string[]; exclude: string[]; ipmi: boolean; snmp: boolean };
    static: { enabled: boolean; targets: string[] };
    bmc: { enabled: boolean };
  };
  /** Credentials to try, first match wins: by driver id, by protocol, or for any device (neither given). */
  credentials: CredentialRule[];
  /** Try each driver manifest's `defaultCredentials` when no rule matches (factory defaults; off by default). */
  useDriverDefaults: boolean;
}

export interface CredentialRule {
  driver?: string;
  protocol?: 'redfish' | 'ipmi' | 'snmp';
  username?: string;
  password?: string;
  /** SNMP v2c. */
  community?: string;
}

export const DISCOVERY_DEFAULTS: DiscoveryConfig = {
  enabled: false,
  registration: 'auto',
  intervalSeconds: 300,
  offlineAfterSeconds: 900,
  tombstoneAfterSeconds: 7 * 24 * 3600,
  concurrency: 128,
  ratePerSecond: 1000,
  probeTimeoutMs: 3000,
  redfishPorts: [443],
  identifyConcurrency: 32,
  tls: { mode: 'pin' },
  sources: {
    ssdp: { enabled: true, interfaces: [], unicastTargets: [], mx: 2, windowMs: 3000, listen: false, listenPort: 1900 },
    mdns: { enabled: false, interfaces: [], windowMs: 3000 },
    dns: { enabled: false, domains: [], servers: [] },
    lldp: { enabled: false, lldpcli: 'lldpcli' },
    cidr: { enabled: false, ranges: [], exclude: [], ipmi: false, snmp: false },
    static: { enabled: true, targets: [] },
    bmc: { enabled: true },
  },
  credentials: [],
  useDriverDefaults: false,
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function only(o: Obj, keys: readonly string[], where: string): void {
  for (const key of Object.keys(o)) if (!keys.includes(key)) throw new Error(`unknown config key "${where}.${key}"`);
}

function num(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new Error(`${where} must be a number from ${min} to ${max}`);
  return v;
}

function strings(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.trim() !== '')) throw new Error(`${where} must be a list of non-empty strings`);
  return [...(v as string[])];
}

function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`${where} must be true or false`);
  return v;
}

/** Merges one source's section over its defaults, checking every value's type against the default's. */
function section<T extends Obj>(def: T, input: unknown, where: string): T {
  if (input === undefined) return { ...def };
  if (!isObj(input)) throw new Error(`${where} must be an object`);
  const allowed = Object.keys(def).concat(where.endsWith('lldp') ? ['socket'] : []);
  only(input, allowed, where);
  const out: Obj = { ...def };
  for (const [key, v] of Object.entries(input)) {
    const d = (def as Obj)[key];
    const w = `${where}.${key}`;
    if (typeof d === 'boolean') out[key] = bool(v, w);
    else if (typeof d === 'number') out[key] = num(v, w, 0, 1e9);
    else if (Array.isArray(d)) out[key] = strings(v, w);
    else if (typeof v !== 'string' || !v) throw new Error(`${w} must be a non-empty string`);
    else out[key] = v;
  }
  return out as T;
}

/** Validates the `discovery` section. Unknown keys are errors, so a typo is not a silent no-op. */
export function resolveDiscovery(input: unknown): DiscoveryConfig {
  const D = DISCOVERY_DEFAULTS;
  if (input === undefined || input === null) return structuredClone(D);
  if (!isObj(input)) throw new Error('discovery must be an object');
  only(input, Object.keys(D), 'discovery');
  const c: DiscoveryConfig = structuredClone(D);
  if (input.enabled !== undefined) c.enabled = bool(input.enabled, 'discovery.enabled');
  if (input.registration !== undefined) {
    if (input.registration !== 'auto' && input.registration !== 'approval') throw new Error('discovery.registration must be "auto" or "approval"');
    c.registration = input.registration;
  }
  for (const [key, min, max] of [
    ['intervalSeconds', 5, 86400 * 7],
    ['offlineAfterSeconds', 10, 86400 * 30],
    ['tombstoneAfterSeconds', 60, 86400 * 365],
    ['concurrency', 1, 4096],
    ['ratePerSecond', 1, 100000],
    ['probeTimeoutMs', 100, 120000],
    ['identifyConcurrency', 1, 1024],
  ] as const) {
    if (input[key] !== undefined) c[key] = num(input[key], `discovery.${key}`, min, max);
  }
  if (input.redfishPorts !== undefined) {
    const ports = input.redfishPorts;
    if (!Array.isArray(ports) || ports.length === 0 || !ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536)) {
      throw new Error('discovery.redfishPorts must be a non-empty list of TCP ports');
    }
    c.redfishPorts = [...(ports as number[])];
  }
  if (input.useDriverDefaults !== undefined) c.useDriverDefaults = bool(input.useDriverDefaults, 'discovery.useDriverDefaults');
  if (input.tls !== undefined) {
    const t = input.tls;
    if (!isObj(t) || !['pin', 'insecure', 'ca'].includes(t.mode as string)) throw new Error('discovery.tls.mode must be "pin", "insecure" or "ca"');
    if (t.mode === 'ca') {
      if (typeof t.caFile !== 'string' || !t.caFile) throw new Error('discovery.tls.caFile is required with mode "ca"');
      c.tls = { mode: 'ca', caFile: t.caFile };
    } else c.tls = { mode: t.mode as 'pin' | 'insecure' };
  }
  if (input.sources !== undefined) {
    if (!isObj(input.sources)) throw new Error('discovery.sources must be an object');
    only(input.sources, Object.keys(D.sources), 'discovery.sources');
    const s = input.sources;
    c.sources = {
      ssdp: section(D.sources.ssdp, s.ssdp, 'discovery.sources.ssdp'),
      mdns: section(D.sources.mdns, s.mdns, 'discovery.sources.mdns'),
      dns: section(D.sources.dns, s.dns, 'discovery.sources.dns'),
      lldp: section(D.sources.lldp, s.lldp, 'discovery.sources.lldp'),
      cidr: section(D.sources.cidr, s.cidr, 'discovery.sources.cidr'),
      static: section(D.sources.static, s.static, 'discovery.sources.static'),
      bmc: section(D.sources.bmc, s.bmc, 'discovery.sources.bmc'),
    };
  }
  if (input.credentials !== undefined) {
    if (!Array.isArray(input.credentials)) throw new Error('discovery.credentials must be a list');
    c.credentials = input.credentials.map((r, i) => {
      const w = `discovery.credentials[${i}]`;
      if (!isObj(r)) throw new Error(`${w} must be an object`);
      only(r, ['driver', 'protocol', 'username', 'password', 'community'], w);
      for (const [key, v] of Object.entries(r)) if (typeof v !== 'string' || !v) throw new Error(`${w}.${key} must be a non-empty string`);
      if (r.protocol !== undefined && !['redfish', 'ipmi', 'snmp'].includes(r.protocol as string)) throw new Error(`${w}.protocol must be redfish, ipmi or snmp`);
      if (!r.community && !(r.username && r.password)) throw new Error(`${w} needs username and password, or community`);
      return r as CredentialRule;
    });
  }
  return c;
}
