import { setMaxListeners } from 'node:events';
import type { DiscoveryConfig } from '../config/discovery-config.js';
import type { Credentials, DriverManifest, ProbeCandidate, TlsTrust } from '../drivers/api.js';
import { Limiter } from '../drivers/runtime/limiter.js';
import type { InventorySnapshot } from '../model/inventory.js';
import { addressKey, CONNECTION_METHOD_TYPES, hostNameOf, type DiscoveredDevice, type DiscoverySourceName, type Sighting } from '../model/discovery.js';
import { newDeviceId, normaliseKeys, PROTOCOL_RANK, resolveSighting, strongKeys, unionKeys } from './correlate.js';
import type { DeviceDirectory, DirectoryEvent } from './directory.js';
import { identityFromSnapshot } from './identify.js';
import { pairDevices } from './pairing.js';
import { endpointFor, policyCredentials, type EndpointsPort } from './registrar.js';
import type { SourceLogger } from './sources/source.js';

/**
 * Reads an unauthenticated service root. Never throws for network trouble, and bounds its own time: the deadline
 * starts once a connection slot is free, so a probe queued behind a busy sweep does not time out while waiting.
 */
export type RedfishProber = (
  target: { host: string; port: number; url?: string },
  signal: AbortSignal,
) => Promise<{ ok: true; url: string; serviceRoot: Record<string, unknown> } | { ok: false; reason: string }>;

/** The driver registry as discovery uses it. */
export interface DriverMatcher {
  match(c: ProbeCandidate): Promise<{ driver: { manifest: DriverManifest } }[]>;
  get(id: string): { manifest: DriverManifest } | undefined;
}

export interface IngestDeps {
  config: DiscoveryConfig;
  directory: DeviceDirectory;
  drivers: DriverMatcher;
  endpoints: EndpointsPort;
  probe: RedfishProber;
  tls: TlsTrust;
  log: SourceLogger;
  now: () => number;
  /**
   * Hears each identify read once the device is registered and paired: the inventory service takes it as the device's
   * first inventory rather than crawl the device again. A throw is logged and changes nothing here.
   */
  onIdentified?: (id: string, snapshot: InventorySnapshot, at: number) => void;
}

/** What happened to one sighting. */
export type IngestOutcome =
  | { kind: 'created' | 'updated' | 'seen'; id: string }
  | { kind: 'unreachable' | 'unmatched' | 'ignored'; reason: string };

const SOURCES_URI = '/redfish/v1/AggregationService/AggregationSources';

/**
 * The pipeline every sighting goes through: probe where needed, pick a driver, resolve to one identity, register by
 * policy, then read the device once (identify) to learn its serials and the DPUs it carries, and pair.
 */
export class Ingest {
  private readonly identifies: Limiter;
  private holds = 0;
  private wake: (() => void)[] = [];
  private readonly inflight = new Map<string, Promise<IngestOutcome>>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly stop = new AbortController();
  /** Bumped on every (re)registration, so a read made with older credentials cannot overwrite a newer outcome. */
  private readonly generation = new Map<string, number>();

  constructor(private readonly deps: IngestDeps) {
    // Every queued identify and every device call listens to this one signal; thousands at once is expected.
    setMaxListeners(0, this.stop.signal);
    this.identifies = new Limiter(deps.config.identifyConcurrency);
  }

  /** One sighting, end to end except identify, which is queued (see {@link settled}). Concurrent sightings of one address share the work. */
  ingest(s: Sighting, manual?: { driver?: DriverManifest; credentials?: Credentials }): Promise<IngestOutcome> {
    if (manual) return this.run(s, manual);
    const key = addressKey(s.protocol, s.host, s.port);
    const running = this.inflight.get(key);
    if (running) {
      return running.then((o) => {
        if (o.kind === 'created' || o.kind === 'updated' || o.kind === 'seen') return this.record(s, o.id);
        // The other sighting's probe failed, but this one brings the service root with it (a sweep read it): it
        // must not inherit the failure.
        return s.hints.serviceRoot ? this.run(s) : o;
      });
    }
    const p = this.run(s).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /**
   * Holds identifies back until the returned function is called (calls nest). A sweep holds them while its sources
   * probe: reading thousands of inventories costs far more than finding the devices, and finding the whole fleet
   * first is what an operator waits for.
   */
  holdIdentify(): () => void {
    this.holds++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.holds === 0) {
        const wake = this.wake;
        this.wake = [];
        for (const w of wake) w();
      }
    };
  }

  /** Resolves once every queued identify has finished and what it changed is written to the store. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    this.deps.directory.flush();
  }

  close(): void {
    this.stop.abort();
    this.holds = 0;
    for (const w of this.wake.splice(0)) w();
  }

  private async run(s: Sighting, manual?: { driver?: DriverManifest; credentials?: Credentials }): Promise<IngestOutcome> {
    const { directory: dir } = this.deps;
    if (manual?.driver) return this.record(s, undefined, manual.driver, manual.credentials);
    // Fast path: a strong key already names a device at this address, so there is nothing to probe.
    const known = strongKeys(s.keys).map((k) => dir.owner(k)).find((id) => id !== undefined);
    const kd = known ? dir.get(known) : undefined;
    if (kd && addressKey(kd.protocol, kd.host, kd.port) === addressKey(s.protocol, s.host, s.port)) {
      return this.record(s, kd.id);
    }
    let sighting = s;
    if (s.protocol === 'redfish' && !s.hints.serviceRoot) {
      const probed = await this.probeRedfish(s);
      if (!probed) return { kind: 'unreachable', reason: `no Redfish service answered at ${s.host}` };
      sighting = probed;
    }
    const candidate: ProbeCandidate = { host: sighting.host, protocol: sighting.protocol, ...pickHints(sighting) };
    if (sighting.port !== undefined) candidate.port = sighting.port;
    const matches = await this.deps.drivers.match(candidate);
    const driver = matches[0]?.driver.manifest;
    if (!driver) return { kind: 'unmatched', reason: `no driver recognises ${sighting.protocol}://${sighting.host}` };
    return this.record(sighting, undefined, driver, manual?.credentials);
  }

  /** Tries the sighting's service root URL, else each configured Redfish port. */
  private async probeRedfish(s: Sighting): Promise<Sighting | undefined> {
    const targets = s.serviceRootUrl
      ? [{ host: s.host, port: s.port ?? 443, url: s.serviceRootUrl }]
      : (s.port ? [s.port] : this.deps.config.redfishPorts).map((port) => ({ host: s.host, port }));
    for (const t of targets) {
      let r = await this.deps.probe(t, this.stop.signal);
      // A device that announced itself is there: one timeout is more likely our own load than its absence.
      if (!r.ok && r.reason === 'timeout' && !this.stop.signal.aborted) r = await this.deps.probe(t, this.stop.signal);
      if (!r.ok) {
        this.deps.log.debug({ host: t.host, port: t.port, reason: r.reason }, 'probe found no Redfish service');
        continue;
      }
      const root = r.serviceRoot;
      const uuid = typeof root.UUID === 'string' ? root.UUID : undefined;
      return { ...s, port: t.port, serviceRootUrl: r.url, keys: { ...s.keys, ...(uuid ? { uuid } : {}) }, hints: { ...s.hints, serviceRoot: root } };
    }
    return undefined;
  }

  /** Resolves the sighting to one device and writes what changed. */
  private record(s: Sighting, knownId: string | undefined, driver?: DriverManifest, credentials?: Credentials): IngestOutcome {
    const { directory: dir, now } = this.deps;
    const at = now();
    const keys = normaliseKeys(s.keys);
    // Resolve even when the caller knows the device: the sighting may carry keys of another record too (a merge).
    const resolved = resolveSighting({ ...s, keys }, dir);
    const res = knownId && resolved.kind === 'new' ? ({ kind: 'existing', id: knownId } as const) : resolved;
    if (res.kind === 'new') {
      const seed = keys.uuid ?? keys.serials?.[0] ?? keys.macs?.[0] ?? addressKey(s.protocol, s.host, s.port);
      const d: DiscoveredDevice = {
        id: newDeviceId(seed, (id) => dir.has(id)),
        state: this.deps.config.registration === 'auto' || s.source === 'manual' ? 'CredentialsRequired' : 'PendingApproval',
        protocol: s.protocol,
        host: s.host,
        identity: { ...keys, ...rootIdentity(s.hints.serviceRoot) },
        sources: { [s.source]: at },
        alternates: [],
        carried: [],
        reachable: true,
        revision: 1,
        firstSeen: at,
        lastSeen: at,
        updatedAt: at,
      };
      if (driver) d.driver = driver.id;
      if (s.port !== undefined) d.port = s.port;
      if (s.serviceRootUrl) d.serviceRootUrl = s.serviceRootUrl;
      if (s.hostName) d.hostName = s.hostName;
      const events: DirectoryEvent[] = [
        { id: 'ResourceCreated', detail: { sources: [s.source] } },
        { id: 'AggregationSourceDiscovered', args: [CONNECTION_METHOD_TYPES[s.protocol], hostNameOf(d)] },
      ];
      dir.commit(d, events, { take: [{ kind: 'addr', value: addressKey(s.protocol, s.host, s.port) }] });
      this.afterChange(d.id, credentials);
      return { kind: 'created', id: d.id };
    }
    const id = res.kind === 'existing' ? res.id : res.keep;
    const old = dir.get(id)!;
    const next = mergeSighting(old, s, keys, at, driver);
    if (res.kind === 'merge') {
      for (const other of res.absorb.map((x) => dir.get(x)!)) absorb(next, other);
    }
    const meaningful = changedFields(old, next);
    const events: DirectoryEvent[] = [];
    if (!old.reachable) events.push({ id: 'ResourceStateChanged', args: [`${SOURCES_URI}/${id}`, 'Enabled'] });
    if (s.source === 'manual' && (old.state === 'Removed' || old.state === 'Tombstoned' || old.state === 'PendingApproval')) {
      next.state = 'CredentialsRequired';
      if (driver) next.driver = driver.id;
      events.push({ id: 'ResourceCreated', detail: { sources: ['manual'] } });
    } else if (old.state === 'Tombstoned') {
      next.state = old.driver && this.deps.endpoints.load(old.id) ? 'Registered' : 'CredentialsRequired';
      events.push({ id: 'ResourceCreated', detail: { returned: true } });
    }
    if (meaningful.length || res.kind === 'merge') events.push({ id: 'ResourceChanged', detail: { changed: meaningful, ...(res.kind === 'merge' ? { merged: res.absorb } : {}) } });
    if (events.length) next.revision = old.revision + 1;
    dir.commit(next, events, {
      take: [{ kind: 'addr', value: addressKey(s.protocol, s.host, s.port) }],
      ...(res.kind === 'merge' ? { remove: res.absorb } : {}),
    });
    if (res.kind === 'merge') {
      // A queued endpoint row of an absorbed record must be written before the removal, or it would outlive it.
      dir.flush();
      for (const x of res.absorb) void this.deps.endpoints.remove(x);
    }
    // Register again only when how to reach the device changed, or its state did: a new source or key seen for a
    // device already registered is no reason to read it again.
    const reach = meaningful.includes('HostName') || meaningful.includes('ConnectionMethod') || res.kind === 'merge';
    if (credentials || reach || next.state !== old.state || (next.state === 'CredentialsRequired' && next.driver && !old.problem && !this.generation.has(id))) {
      this.afterChange(id, credentials);
    }
    return { kind: events.length ? 'updated' : 'seen', id };
  }

  /** Registers by policy (auto) and queues an identify for a device that has a driver and credentials. */
  afterChange(id: string, credentials?: Credentials): void {
    const d = this.deps.directory.get(id);
    if (!d?.driver || d.state === 'PendingApproval' || d.state === 'Removed' || d.state === 'Tombstoned') return;
    const manifest = this.deps.drivers.get(d.driver)?.manifest;
    if (!manifest) return;
    const creds = credentials ?? this.deps.endpoints.credentialsOf(d.id) ?? policyCredentials(this.deps.config, manifest);
    if (!creds) {
      if (d.state !== 'CredentialsRequired' || d.problem !== NO_CREDENTIALS) this.setState(d, 'CredentialsRequired', NO_CREDENTIALS);
      return;
    }
    this.deps.endpoints.add(endpointFor(d, creds, this.deps.tls), { write: (op) => this.deps.directory.defer(op) });
    const gen = (this.generation.get(d.id) ?? 0) + 1;
    this.generation.set(d.id, gen);
    const p = this.identify(d.id, gen).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Reads the device once through its driver: serials, MACs and carried DPUs; then pairs. */
  private async identify(id: string, gen: number): Promise<void> {
    if (this.holds > 0) await new Promise<void>((r) => this.wake.push(r));
    if (this.generation.get(id) !== gen) return;
    const release = await this.identifies.acquire(this.stop.signal).catch(() => undefined);
    if (!release) return;
    try {
      const dev = this.deps.endpoints.get(id);
      if (!dev) return;
      let snap: InventorySnapshot;
      try {
        snap = (await dev.call('inventory', [], { signal: this.stop.signal })) as InventorySnapshot;
      } catch (e) {
        const err = e as { code?: string; message?: string };
        const d = this.deps.directory.get(id);
        if (!d || this.generation.get(id) !== gen) return;
        if (err.code === 'AuthenticationFailed') this.setState(d, 'CredentialsRequired', `the device refused the credentials: ${err.message ?? ''}`);
        else if (d.problem !== err.message) this.setState(d, d.state, `inventory read failed (${err.code ?? 'error'}): ${err.message ?? ''}`, false);
        return;
      }
      const d = this.deps.directory.get(id);
      if (!d || this.generation.get(id) !== gen) return;
      const { identity, carried } = identityFromSnapshot(snap);
      const merged = unionKeys(d.identity, identity);
      const next: DiscoveredDevice = { ...d, state: 'Registered', identity: { ...d.identity, ...identity, ...merged }, carried, revision: d.revision + 1, updatedAt: this.deps.now() };
      delete next.problem;
      const events: DirectoryEvent[] = [{ id: 'ResourceChanged', detail: { identified: true, carried: carried.length } }];
      if (d.state !== 'Registered') events.push({ id: 'ResourceStateChanged', args: [`${SOURCES_URI}/${id}`, 'Enabled'] });
      this.deps.directory.commit(next, events);
      pairDevices(this.deps.directory, [id], this.deps.now());
      try {
        this.deps.onIdentified?.(id, snap, this.deps.now());
      } catch (e) {
        this.deps.log.warn({ id, err: e instanceof Error ? e.message : String(e) }, 'the identify read could not be handed on');
      }
    } finally {
      release();
    }
  }

  setState(d: DiscoveredDevice, state: DiscoveredDevice['state'], problem: string | undefined, journal = true): void {
    const next: DiscoveredDevice = { ...d, state, revision: d.revision + 1, updatedAt: this.deps.now() };
    if (problem) next.problem = problem;
    else delete next.problem;
    this.deps.directory.commit(next, journal && state !== d.state ? [{ id: 'ResourceStateChanged', args: [`${SOURCES_URI}/${d.id}`, state] }] : []);
  }
}

const NO_CREDENTIALS = 'no credentials: add a discovery.credentials rule for this driver, or PATCH UserName and Password';

function pickHints(s: Sighting): Partial<ProbeCandidate> {
  const h = s.hints;
  const out: Partial<ProbeCandidate> = {};
  if (h.serviceRoot) out.serviceRoot = h.serviceRoot;
  if (h.ssdp) out.ssdp = h.ssdp;
  if (h.dnsSdType) out.dnsSdType = h.dnsSdType;
  if (h.lldp) out.lldp = { ...(h.lldp.systemDescription ? { systemDescription: h.lldp.systemDescription } : {}), ...(h.lldp.chassisId ? { chassisId: h.lldp.chassisId } : {}) };
  if (h.snmp) out.snmp = { ...(h.snmp.sysDescr ? { sysDescr: h.snmp.sysDescr } : {}), ...(h.snmp.sysObjectId ? { sysObjectId: h.snmp.sysObjectId } : {}) };
  return out;
}

function rootIdentity(root: Record<string, unknown> | undefined): Partial<DiscoveredDevice['identity']> {
  if (!root) return {};
  const out: Partial<DiscoveredDevice['identity']> = {};
  if (typeof root.Vendor === 'string') out.vendor = root.Vendor;
  if (typeof root.Product === 'string') out.product = root.Product;
  if (typeof root.RedfishVersion === 'string') out.redfishVersion = root.RedfishVersion;
  return out;
}

/** A new record for `old` with what the sighting adds. Never mutates `old`. */
export function mergeSighting(old: DiscoveredDevice, s: Sighting, keys: ReturnType<typeof normaliseKeys>, at: number, driver?: DriverManifest): DiscoveredDevice {
  const next: DiscoveredDevice = { ...old, identity: { ...old.identity }, sources: { ...old.sources, [s.source as DiscoverySourceName]: at }, alternates: [...old.alternates], lastSeen: at, reachable: true };
  delete next.offlineSince;
  Object.assign(next.identity, unionKeys(old.identity, keys), rootIdentity(s.hints.serviceRoot));
  if (s.hostName && !old.hostName) next.hostName = s.hostName;
  const samePrimary = s.protocol === old.protocol;
  if (samePrimary || PROTOCOL_RANK[s.protocol] < PROTOCOL_RANK[old.protocol]) {
    if (!samePrimary) next.alternates.push({ protocol: old.protocol, host: old.host, ...(old.port !== undefined ? { port: old.port } : {}) });
    next.protocol = s.protocol;
    next.host = s.host;
    if (s.port !== undefined) next.port = s.port;
    else delete next.port;
    if (s.serviceRootUrl) next.serviceRootUrl = s.serviceRootUrl;
    if (driver && (!samePrimary || !old.driver)) next.driver = driver.id;
  } else if (!old.alternates.some((a) => a.protocol === s.protocol && a.host === s.host && a.port === s.port)) {
    next.alternates.push({ protocol: s.protocol, host: s.host, ...(s.port !== undefined ? { port: s.port } : {}) });
  }
  next.alternates = next.alternates.filter((a) => !(a.protocol === next.protocol && a.host === next.host && a.port === next.port));
  return next;
}

/** Folds a duplicate record into the one that stays: its sources, keys and ways in. */
function absorb(into: DiscoveredDevice, other: DiscoveredDevice): void {
  for (const [k, v] of Object.entries(other.sources)) {
    const src = k as DiscoverySourceName;
    into.sources[src] = Math.max(into.sources[src] ?? 0, v ?? 0);
  }
  Object.assign(into.identity, unionKeys(into.identity, other.identity));
  into.firstSeen = Math.min(into.firstSeen, other.firstSeen);
  if (other.protocol !== into.protocol || other.host !== into.host) into.alternates.push({ protocol: other.protocol, host: other.host, ...(other.port !== undefined ? { port: other.port } : {}) });
}

/** Fields whose change is worth an event (a new source or a later sighting time is not). */
function changedFields(a: DiscoveredDevice, b: DiscoveredDevice): string[] {
  const out: string[] = [];
  if (a.host !== b.host || a.port !== b.port || a.protocol !== b.protocol) out.push('HostName');
  if (a.driver !== b.driver) out.push('ConnectionMethod');
  if (JSON.stringify(a.identity) !== JSON.stringify(b.identity)) out.push('Identity');
  if (JSON.stringify(a.alternates) !== JSON.stringify(b.alternates)) out.push('Alternates');
  if (Object.keys(a.sources).length !== Object.keys(b.sources).length) out.push('Sources');
  return out;
}
