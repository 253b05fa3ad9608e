import { EventEmitter } from 'node:events';
import { VirtualClock } from './core/clock.js';
import { Device, type DeviceInit } from './core/device.js';
import { clearFaults } from './core/apply-fault.js';
import { parseFault, type Fault } from './core/faults.js';
import { signingKeyFromSeed } from './core/image.js';
import { Prng } from './core/prng.js';
import type { AdvertisedDevice, DiscoveryAdvertiser, DiscoveryAdvertiserFactory, DiscoveryStateListener } from './discovery-hooks.js';
import { CertAuthority } from './http/certs.js';
import { DeviceServer } from './http/server.js';
import { onHostStandby } from './personas/bluefield3/resources.js';
import type { Persona } from './personas/persona.js';
import { getPersona } from './personas/registry.js';
import { bmcMac, fleetMacPrefix, MAX_CARD_SLOTS } from './services/card-identity.js';
import { setTrustKey } from './services/update.js';
import { applyIpmiFault, startIpmiBackend, stopIpmiBackend } from './ipmi-fleet.js';
import { applySnmpFault, startSnmpBackend, stopSnmpBackend } from './snmp-fleet.js';

/** One group of identical devices in a fleet spec. */
export interface DeviceGroup {
  persona: string;
  count?: number;
  /** Id prefix; ids are `<prefix>-<NNNN>`. Default: short persona name. */
  idPrefix?: string;
  user?: string;
  password?: string;
  /** `running` (default): systems start booted. `off`: powered off. `booting`: boot starts at fleet start. */
  initialState?: 'running' | 'off' | 'booting';
  /** Persona options (e.g. `mockup` directory, `firmware` versions, `bootDurations`, `sessionCap`). */
  options?: Record<string, unknown>;
  /** Host personas: number of bluefield3 DPUs in each host's PCIe slots, each with its own BMC device. */
  dpusPerHost?: number;
  /** Options for those DPUs. */
  dpuOptions?: Record<string, unknown>;
}

/** A fault the fleet injects at a virtual time after start. */
export interface ScheduledFault {
  /** Virtual milliseconds after fleet start. */
  atMs: number;
  /** Device id, or `*` for every device, or a prefix ending in `*`. */
  device: string;
  fault: Fault;
}

export interface FleetSpec {
  seed?: string | number;
  /** Virtual ms per real ms. 0 freezes time (tests drive it with `clock.advance`). Default 1. */
  timeScale?: number;
  /** First device address; each device gets the next IPv4 address (`address` mode) or next port (`port` mode). */
  baseAddress?: string;
  port?: number;
  addressing?: 'address' | 'port';
  devices: DeviceGroup[];
  faults?: ScheduledFault[];
  /** `ca` (default): a fleet CA issues each device's certificate. `self-signed`: each device signs its own. */
  certificates?: 'ca' | 'self-signed';
  /** ipmi-legacy devices: UDP port (default 623 in address mode) and the folder for their ipmi_sim state. */
  ipmiPort?: number;
  ipmiStateDir?: string;
  /** snmp-agent devices: UDP port (default 161 in address mode) and the folder for their snmpd state. */
  snmpPort?: number;
  snmpStateDir?: string;
  /** Discovery advertisers (SSDP, mDNS, ...) called for each device once it listens. */
  discovery?: (DiscoveryAdvertiser | DiscoveryAdvertiserFactory)[];
}

/** What a fleet tells callers about one device. */
export interface FleetDevice {
  id: string;
  persona: string;
  serial: string;
  uuid: string;
  address: string;
  port: number;
  hostname: string;
  url: string;
  credentials: { user: string; password: string };
  /** Host device id for DPUs placed in a host. */
  hostId?: string;
  /** DPU device ids for hosts. */
  dpuIds?: string[];
  /** The live model, for tests that want to look inside. */
  model: Device;
}

export function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) throw new Error(`not an IPv4 address: ${ip}`);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}
export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const PREFIX: Record<string, string> = { bluefield3: 'bf3', 'openbmc-host': 'host', 'dmtf-mockup': 'mockup', 'ipmi-legacy': 'ipmi', 'snmp-agent': 'snmp' };
const IPMI = 'ipmi-legacy';
const SNMP = 'snmp-agent';

/** ipmi-legacy and snmp-agent are not Redfish personas (each device is a Debian daemon); the fleet keeps a model for identity and faults only. */
const daemonPersona = (name: string): Persona => ({
  name,
  defaultUser: 'admin',
  defaultPassword: 'password',
  paths: () => ({ system: '', manager: '' }),
  profile: () => ({ bootStages: [{ name: 'Running', lastState: 'OSRunning' as const, durationMs: 0 }], powerOnMs: 0, gracefulShutdownMs: 0, powerCycleOffMs: 0, bmcBootMs: 0, sessionCap: 0, sessionTimeoutS: 0, subscriptionCap: 0, minResetIntervalMs: 0, requireSignature: false, crashDumpMs: 0, bmcRebootAfterUpdate: false }),
}) as unknown as Persona;
const DAEMON_PERSONAS = new Map([IPMI, SNMP].map((n) => [n, daemonPersona(n)]));
const personaFor = (name: string): Persona => DAEMON_PERSONAS.get(name) ?? getPersona(name);

/** One device of a fleet as {@link planFleet} decides it: identity, address and placement, before anything is built. */
export interface DevicePlan extends Omit<DeviceInit, 'macPrefix' | 'profile' | 'systemPath' | 'managerPath'> {
  /** The fleet's MAC prefix, from its seed. */
  macPrefix: number;
  /** Persona options: the group's, or its `dpuOptions` for a DPU in a host. */
  options: Record<string, unknown>;
  /** The spec group the device comes from (its host's group for a DPU in a host). */
  group: DeviceGroup;
  hostId?: string;
  dpuIds?: string[];
}

/**
 * Every device of a fleet spec with the identity {@link Fleet.start} gives it, without creating models or listening:
 * cheap even for tens of thousands of devices. Throws on unknown personas, duplicate ids or a fleet too large to
 * address.
 */
export function planFleet(spec: FleetSpec): DevicePlan[] {
  const seed = String(spec.seed ?? 1);
  const rng = new Prng(seed);
  const macPrefix = fleetMacPrefix(seed);
  const mode = spec.addressing ?? 'address';
  const basePort = spec.port ?? 8443;
  let next = ipToInt(spec.baseAddress ?? '127.1.0.1');
  let nextPort = basePort;
  const alloc = (personaName: string) => {
    const a = mode === 'address' ? intToIp(next++) : intToIp(next);
    const p = mode === 'port' ? nextPort++ : personaName === IPMI ? (spec.ipmiPort ?? 623) : personaName === SNMP ? (spec.snmpPort ?? 161) : basePort;
    return { address: a, port: p };
  };
  const plans: DevicePlan[] = [];
  const ids = new Set<string>();
  const counters = new Map<string, number>();
  const make = (persona: Persona, group: DeviceGroup, options: Record<string, unknown>, from: DeviceGroup, idOverride?: string): DevicePlan => {
    const prefix = group.idPrefix ?? PREFIX[persona.name] ?? persona.name;
    let id = idOverride;
    if (!id) {
      const n = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, n);
      id = `${prefix}-${String(n).padStart(4, '0')}`;
    }
    if (ids.has(id)) throw new Error(`duplicate device id ${id}`);
    ids.add(id);
    const r = rng.fork(`device/${id}`);
    const { address, port } = alloc(persona.name);
    const serial = persona.name === 'bluefield3' ? `MT${r.int(2301, 2452)}X${r.alnum(5)}` : `${prefix.toUpperCase()}${r.alnum(9)}`;
    const index = plans.length;
    const plan: DevicePlan = {
      id,
      persona: persona.name,
      index,
      serial,
      uuid: r.uuid(),
      address,
      port,
      hostname: `${id}.sim.test`,
      mac: bmcMac({ index, macPrefix }),
      macPrefix,
      user: group.user ?? persona.defaultUser,
      password: group.password ?? persona.defaultPassword,
      options,
      group: from,
    };
    plans.push(plan);
    return plan;
  };
  for (const group of spec.devices) {
    const persona = personaFor(group.persona);
    const options = group.options ?? {};
    const slots = persona.name === 'openbmc-host' ? Number(options.slots ?? 0) : 0;
    if (slots > MAX_CARD_SLOTS) throw new Error(`${group.persona}: at most ${MAX_CARD_SLOTS} slots per host, not ${slots}`);
    for (let i = 0; i < (group.count ?? 1); i++) {
      const host = make(persona, group, options, group);
      const dpus: DevicePlan[] = [];
      for (let j = 0; j < (group.dpusPerHost ?? 0); j++) {
        const bf = getPersona('bluefield3');
        const dpu = make(bf, { persona: 'bluefield3', ...(group.dpuOptions ? { options: group.dpuOptions } : {}) }, group.dpuOptions ?? {}, group, `${host.id}-dpu${j + 1}`);
        dpu.hostId = host.id;
        dpus.push(dpu);
      }
      if (dpus.length) host.dpuIds = dpus.map((d) => d.id);
    }
  }
  return plans;
}

/** A running fleet. Emits `log` (string) for notable things (fault applied, advertiser failure). */
export class Fleet extends EventEmitter {
  readonly devices: FleetDevice[] = [];
  private readonly byId = new Map<string, FleetDevice>();
  private readonly advertisers: DiscoveryAdvertiser[] = [];

  private constructor(
    readonly clock: VirtualClock,
    readonly ca: CertAuthority,
    private readonly server: DeviceServer,
    readonly seed: string,
  ) {
    super();
  }

  /** PEM of the CA that issued every device certificate. */
  get caCert(): string {
    return this.ca.caCert;
  }

  /** Key that signs images the fleet's devices accept as signed (see `createImage`). */
  get signingKey() {
    return signingKeyFromSeed(this.seed).privateKey;
  }

  device(id: string): FleetDevice {
    const d = this.byId.get(id);
    if (!d) throw new Error(`no device ${id}`);
    return d;
  }

  /** Injects a fault; throws when the device's persona cannot have it. */
  inject(deviceId: string, fault: Fault | Record<string, unknown>): void {
    const f = parseFault(fault);
    const d = this.device(deviceId);
    const applied = d.persona === IPMI ? applyIpmiFault(d.model, f) : d.persona === SNMP ? applySnmpFault(d.model, f) : getPersona(d.persona).applyFault(d.model, f);
    if (!applied) throw new Error(`fault ${f.kind} does not apply to persona ${d.persona}`);
    this.emit('log', `fault ${f.kind} injected into ${deviceId}`);
  }

  /** Clears network faults, boot holds and a BMC hang on a device. */
  clearFaults(deviceId: string): void {
    clearFaults(this.device(deviceId).model);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.advertisers.map((a) => a.stop()));
    await this.server.close();
    await Promise.allSettled(this.devices.filter((d) => d.persona === IPMI).map((d) => stopIpmiBackend(d.model)));
    await Promise.allSettled(this.devices.filter((d) => d.persona === SNMP).map((d) => stopSnmpBackend(d.model)));
    this.clock.stop();
  }

  /** Starts a fleet: devices listen and answer Redfish when the promise resolves. */
  static async start(spec: FleetSpec): Promise<Fleet> {
    const seed = String(spec.seed ?? 1);
    const rng = new Prng(seed);
    const clock = new VirtualClock({ scale: spec.timeScale ?? 1, start: Date.UTC(2026, 0, 1) + rng.fork('epoch').int(0, 86400_000) });
    const ca = await CertAuthority.create();
    const server = new DeviceServer(ca, spec.certificates === 'self-signed');
    const fleet = new Fleet(clock, ca, server, seed);
    const trust = signingKeyFromSeed(seed).publicKey;
    const plans = planFleet(spec);
    for (const p of plans) {
      const persona = personaFor(p.persona);
      const paths = persona.paths(p.options);
      const { id, index, serial, uuid, address, port, hostname, mac, macPrefix, user, password, options } = p;
      const model = new Device(
        { id, persona: p.persona, index, serial, uuid, address, port, hostname, mac, macPrefix, user, password, profile: persona.profile(options), systemPath: paths.system, managerPath: paths.manager },
        clock,
        rng.fork(`device/${id}`).fork('runtime'),
      );
      setTrustKey(model, trust);
      model.extra.options = options;
      const fd: FleetDevice = {
        id: p.id,
        persona: p.persona,
        serial: p.serial,
        uuid: p.uuid,
        address: p.address,
        port: p.port,
        hostname: p.hostname,
        url: p.persona === IPMI ? `ipmi://${p.address}:${p.port}` : p.persona === SNMP ? `snmp://${p.address}:${p.port}` : `https://${p.address}:${p.port}/redfish/v1`,
        credentials: { user: p.user, password: p.password },
        ...(p.hostId ? { hostId: p.hostId } : {}),
        ...(p.dpuIds ? { dpuIds: p.dpuIds } : {}),
        model,
      };
      fleet.devices.push(fd);
      fleet.byId.set(p.id, fd);
    }
    const setups: (() => void)[] = [];
    for (const p of plans) {
      if (p.hostId || DAEMON_PERSONAS.has(p.persona)) continue;
      const persona = personaFor(p.persona);
      const { group, options } = p;
      const host = fleet.device(p.id);
      const dpus = (p.dpuIds ?? []).map((id) => fleet.device(id));
      setups.push(() => {
        persona.setup(host.model, { rng: rng.fork(`setup/${host.id}`), options, children: () => dpus.map((d) => d.model) });
        for (const dpu of dpus) {
          getPersona('bluefield3').setup(dpu.model, { rng: rng.fork(`setup/${dpu.id}`), options: group.dpuOptions ?? {}, parent: () => host.model });
          couple(host.model, dpu.model);
        }
        for (const d of [host, ...dpus]) boot(d.model, group.initialState ?? 'running');
      });
    }
    for (const s of setups) s();
    // Bind in batches: 10,000 parallel listen() calls work, but batches keep the event loop responsive for progress.
    for (let i = 0; i < fleet.devices.length; i += 1000) {
      await Promise.all(fleet.devices.slice(i, i + 1000).map((d) => (DAEMON_PERSONAS.has(d.persona) ? Promise.resolve() : server.attach(d.model, getPersona(d.persona)))));
    }
    for (const d of fleet.devices.filter((x) => x.persona === IPMI)) {
      await startIpmiBackend(d.model, d.model.extra.options as Record<string, unknown>, spec.ipmiStateDir);
    }
    for (const d of fleet.devices.filter((x) => x.persona === SNMP)) {
      await startSnmpBackend(d.model, d.model.extra.options as Record<string, unknown>, spec.snmpStateDir);
    }
    for (const a of spec.discovery ?? []) {
      const adv = typeof a === 'function' ? await a() : a;
      fleet.advertisers.push(adv);
      for (const d of fleet.devices) {
        const ad: AdvertisedDevice = { id: d.id, persona: d.persona, serviceRootUrl: DAEMON_PERSONAS.has(d.persona) ? '' : d.url, uuid: d.uuid, address: d.address, port: d.port, serial: d.serial, hostname: d.hostname, mac: d.model.init.mac };
        await adv.start(ad).catch((e: unknown) => fleet.emit('log', `discovery ${adv.name ?? 'advertiser'} failed for ${d.id}: ${String(e)}`));
        const listener = adv as DiscoveryAdvertiser & DiscoveryStateListener;
        // A BMC that is down or hung goes silent on the discovery protocols too.
        if (listener.onReachability) d.model.on('bmc', (state: string) => listener.onReachability!(d.id, state === 'up'));
      }
    }
    for (const s of spec.faults ?? []) {
      const f = parseFault(s.fault);
      const targets = s.device === '*' ? fleet.devices : s.device.endsWith('*') ? fleet.devices.filter((d) => d.id.startsWith(s.device.slice(0, -1))) : [fleet.device(s.device)];
      clock.setTimeout(() => {
        for (const t of targets) {
          try {
            fleet.inject(t.id, f);
          } catch (e) {
            fleet.emit('log', `scheduled fault ${f.kind} on ${t.id}: ${(e as Error).message}`);
          }
        }
      }, s.atMs);
    }
    return fleet;
  }
}

function boot(d: Device, state: 'running' | 'off' | 'booting'): void {
  if (state === 'running') d.powerOnImmediately(true);
  else if (state === 'booting') d.powerOnImmediately(false);
}

/** A DPU follows its host: host power off cuts the DPU; host resets assert All_STANDBY, releasing a pending power cycle. */
function couple(host: Device, dpu: Device): void {
  dpu.extra.hostPermitsPowerCycle = () => host.power === 'Off';
  host.on('power', (p: string) => {
    if (p === 'Off') {
      onHostStandby(dpu);
      dpu.powerOff(false);
    } else if (p === 'On' && dpu.power === 'Off') dpu.powerOn();
  });
  host.on('reset', () => onHostStandby(dpu));
}

/** Starts a fleet. See {@link FleetSpec}. */
export function startFleet(spec: FleetSpec): Promise<Fleet> {
  return Fleet.start(spec);
}
