import type { DiscoveryConfig } from '../config/discovery-config.js';
import type { Credentials, TlsTrust } from '../drivers/api.js';
import type { Journal } from '../events/journal.js';
import { addressKey, type DiscoveredDevice, type DiscoverySourceName, type Sighting, type SightingProtocol } from '../model/discovery.js';
import { DeviceDirectory, type DirectoryStore } from './directory.js';
import { Ingest, type DriverMatcher, type IngestDeps, type IngestOutcome, type RedfishProber } from './service.js';
import type { EndpointsPort } from './registrar.js';
import type { DiscoverySource, SourceLogger } from './sources/source.js';

/** What one sweep should cover. Unset fields fall back to the configured sources. */
export interface SweepRequest {
  /** Which configured sources to run; default every enabled one. */
  sources?: DiscoverySourceName[];
  /** Extra CIDR ranges to sweep now (adds the cidr source). */
  cidr?: string[];
  /** Extra static targets to probe now. */
  targets?: string[];
}

export interface SweepHooks {
  signal?: AbortSignal;
  progress?(source: DiscoverySourceName, done: number, total: number): void;
  outcome?(s: Sighting, o: IngestOutcome): void;
}

export interface SweepReport {
  sightings: number;
  created: string[];
  updated: string[];
  unreachable: number;
  unmatched: number;
  /** Sources that could not run, with why. */
  failed: { source: DiscoverySourceName; error: string }[];
  /** Devices known after the sweep (not removed or tombstoned), and how many of them are registered. */
  devices: number;
  registered: number;
  paired: number;
}

/** Builds the sources for a sweep from the config and the request. */
export type SourceFactory = (cfg: DiscoveryConfig, req: SweepRequest) => DiscoverySource[];

export interface DiscoveryOptions {
  config: DiscoveryConfig;
  store: DirectoryStore;
  journal: Journal;
  drivers: DriverMatcher;
  endpoints: EndpointsPort;
  probe: RedfishProber;
  tls: TlsTrust;
  sources: SourceFactory;
  log: SourceLogger;
  now?: () => number;
  /** Hears each identify read of a registered device (see {@link IngestDeps.onIdentified}). */
  onIdentified?: IngestDeps['onIdentified'];
}

/** A hand-made AggregationSource (POST). */
export interface ManualSource {
  protocol: SightingProtocol;
  host: string;
  port?: number;
  serviceRootUrl?: string;
  /** Driver named by the ConnectionMethod, when the client gave one. */
  driver?: string;
  credentials?: Credentials;
}

/** What adding a device by hand gave: the device, or why not (`conflict` names the device that already has it). */
export type ManualAddResult = { ok: true; device: DiscoveredDevice } | { ok: false; conflict?: string; reason: string };

/** Visible means served as an AggregationSource. */
export const visible = (d: DiscoveredDevice) => d.state !== 'Removed' && d.state !== 'Tombstoned';

/**
 * The discovery service: runs sources (in the background when enabled, or one sweep on request), feeds every
 * sighting through {@link Ingest}, and keeps devices' liveness: not seen and not answering for the offline time makes
 * a device UnavailableOffline; for the tombstone time, a tombstone.
 */
export class DiscoveryService {
  readonly directory: DeviceDirectory;
  readonly ingest: Ingest;
  private readonly now: () => number;
  private readonly bg = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  /** The first background sweep (undefined until `start`, or when discovery is not enabled). */
  firstSweep: Promise<SweepReport | undefined> | undefined;

  constructor(private readonly opts: DiscoveryOptions) {
    this.now = opts.now ?? Date.now;
    this.directory = new DeviceDirectory(opts.store, opts.journal, (e) => opts.log.warn({ err: e.message }, 'discovery could not write a device record'));
    this.ingest = new Ingest({ ...opts, directory: this.directory, now: this.now });
  }

  /** Starts background sweeps, watchers and the liveness check (only with `discovery.enabled`). */
  start(): void {
    if (!this.opts.config.enabled) return;
    const cfg = this.opts.config;
    const once = () =>
      this.sweep({}, { signal: this.bg.signal }).catch((e: unknown) => {
        this.opts.log.warn({ err: (e as Error).message }, 'discovery sweep failed');
        return undefined;
      });
    const loop = () => this.track(once());
    this.firstSweep = once();
    this.track(this.firstSweep);
    this.timers.push(setInterval(loop, cfg.intervalSeconds * 1000));
    for (const src of this.opts.sources(cfg, {})) {
      if (!src.watch) continue;
      this.track(src.watch({ signal: this.bg.signal, emit: (s) => void this.ingest.ingest(s), log: this.opts.log }).catch((e: unknown) => this.opts.log.warn({ source: src.name, err: (e as Error).message }, 'discovery watch stopped')));
    }
    const reapEvery = Math.max(5, Math.min(60, cfg.offlineAfterSeconds / 3)) * 1000;
    this.timers.push(setInterval(() => this.track(this.reap().catch(() => {})), reapEvery));
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.bg.abort();
    this.ingest.close();
    await Promise.allSettled([...this.running]);
    await this.ingest.settled();
    this.directory.flush();
  }

  private track(p: Promise<unknown>): void {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  /** Runs the requested sources once, ingests everything they report, and waits for identify and pairing. */
  async sweep(req: SweepRequest, hooks: SweepHooks = {}): Promise<SweepReport> {
    const report: SweepReport = { sightings: 0, created: [], updated: [], unreachable: 0, unmatched: 0, failed: [], devices: 0, registered: 0, paired: 0 };
    const signal = hooks.signal ?? this.bg.signal;
    const work: Promise<unknown>[] = [];
    const sources = this.opts.sources(this.opts.config, req);
    const resume = this.ingest.holdIdentify();
    try {
      await this.scan(sources, signal, report, hooks, work);
      await Promise.allSettled(work);
    } finally {
      resume();
    }
    if (!req.sources || req.sources.includes('bmc')) await this.refreshHosts(signal);
    await this.ingest.settled();
    const devices = this.directory.list().filter(visible);
    report.devices = devices.length;
    report.registered = devices.filter((d) => d.state === 'Registered').length;
    report.paired = devices.filter((d) => d.parentId).length;
    report.created = [...new Set(report.created)];
    report.updated = [...new Set(report.updated)].filter((id) => !report.created.includes(id));
    this.directory.flush();
    return report;
  }

  /** Runs each source's scan, feeding what it reports to ingest; `work` collects the ingests. */
  private async scan(sources: DiscoverySource[], signal: AbortSignal, report: SweepReport, hooks: SweepHooks, work: Promise<unknown>[]): Promise<void> {
    await Promise.all(
      sources.map(async (src) => {
        try {
          await src.scan({
            signal,
            log: this.opts.log,
            progress: hooks.progress ? (d, t) => hooks.progress!(src.name, d, t) : undefined,
            emit: (s) => {
              report.sightings++;
              work.push(
                this.ingest.ingest(s).then((o) => {
                  if (o.kind === 'created') report.created.push(o.id);
                  else if (o.kind === 'updated') report.updated.push(o.id);
                  else if (o.kind === 'unreachable') report.unreachable++;
                  else if (o.kind === 'unmatched') report.unmatched++;
                  hooks.outcome?.(s, o);
                }),
              );
            },
          });
        } catch (e) {
          if (!signal.aborted) report.failed.push({ source: src.name, error: (e as Error).message });
        }
      }),
    );
  }

  /** The `bmc` source: reads each registered host again, so DPUs added to a host since its last read are paired. */
  private async refreshHosts(signal: AbortSignal): Promise<void> {
    if (!this.opts.config.sources.bmc.enabled || signal.aborted) return;
    for (const d of this.directory.list()) {
      if (d.state === 'Registered' && d.carried.length > 0) this.ingest.afterChange(d.id);
    }
  }

  /**
   * Liveness: a device not seen for the offline time is asked once (its driver's state, or its service root); if it
   * does not answer it goes UnavailableOffline, and after the tombstone time it is tombstoned.
   */
  async reap(): Promise<void> {
    const cfg = this.opts.config;
    const now = this.now();
    for (const d of this.directory.list()) {
      if (!visible(d)) continue;
      const quiet = now - d.lastSeen;
      if (quiet < cfg.offlineAfterSeconds * 1000 && d.reachable) continue;
      if (await this.alive(d)) {
        const cur = this.directory.get(d.id)!;
        const events = cur.reachable ? [] : [{ id: 'ResourceStateChanged' as const, args: [`/redfish/v1/AggregationService/AggregationSources/${d.id}`, 'Enabled'] }];
        const next = { ...cur, lastSeen: this.now(), reachable: true, revision: cur.revision + (events.length ? 1 : 0) };
        delete next.offlineSince;
        this.directory.commit(next, events);
        continue;
      }
      const cur = this.directory.get(d.id)!;
      if (quiet >= cfg.tombstoneAfterSeconds * 1000) {
        await this.opts.endpoints.unload(d.id);
        this.directory.commit({ ...cur, state: 'Tombstoned', revision: cur.revision + 1, updatedAt: now }, [{ id: 'ResourceRemoved', detail: { tombstoned: true } }]);
      } else if (cur.reachable) {
        this.directory.commit({ ...cur, reachable: false, offlineSince: now, revision: cur.revision + 1, updatedAt: now }, [
          { id: 'ResourceStateChanged', args: [`/redfish/v1/AggregationService/AggregationSources/${d.id}`, 'UnavailableOffline'] },
        ]);
      }
    }
    this.directory.flush();
  }

  /**
   * Adds a device by hand. Without a driver the device must answer now, so its driver can be chosen; with one (from
   * the ConnectionMethod) it is registered even while down. An address that a served device already has is a conflict.
   */
  async add(m: ManualSource): Promise<ManualAddResult> {
    const existing = this.directory.owner({ kind: 'addr', value: addressKey(m.protocol, m.host, m.port) });
    const ex = existing ? this.directory.get(existing) : undefined;
    if (ex && visible(ex)) return { ok: false, conflict: ex.id, reason: `${m.host} is already aggregation source ${ex.id}` };
    const s: Sighting = { source: 'manual', at: this.now(), protocol: m.protocol, host: m.host, keys: {}, hints: {} };
    if (m.port !== undefined) s.port = m.port;
    if (m.serviceRootUrl) s.serviceRootUrl = m.serviceRootUrl;
    const driver = m.driver ? this.opts.drivers.get(m.driver)?.manifest : undefined;
    // A device already served under another address (the same UUID) is a conflict too, found only after probing.
    const served = new Set(this.directory.list().filter(visible).map((d) => d.id));
    const o = await this.ingest.ingest(s, { ...(driver ? { driver } : {}), ...(m.credentials ? { credentials: m.credentials } : {}) });
    this.directory.flush();
    if (!('id' in o)) return { ok: false, reason: o.reason };
    if (served.has(o.id)) return { ok: false, conflict: o.id, reason: `that device is already aggregation source ${o.id}` };
    const d = this.directory.get(o.id)!;
    return { ok: true, device: d };
  }

  /** Operator changes: new credentials (registers again and re-reads), approval of a pending device. */
  update(id: string, change: { credentials?: Credentials; approve?: boolean }): DiscoveredDevice | undefined {
    const d = this.directory.get(id);
    if (!d || !visible(d)) return undefined;
    if (change.approve && d.state === 'PendingApproval') this.ingest.setState(d, 'CredentialsRequired', undefined);
    if (change.credentials || change.approve) this.ingest.afterChange(id, change.credentials);
    this.directory.flush();
    return this.directory.get(id);
  }

  /** Removes a device from management. Its identity is kept (same id if it is added again) and it is not re-registered by itself. */
  async remove(id: string): Promise<boolean> {
    const d = this.directory.get(id);
    if (!d || !visible(d)) return false;
    this.directory.flush(); // a queued endpoint row must not be written after its removal
    await this.opts.endpoints.remove(id);
    const next = { ...d, state: 'Removed' as const, revision: d.revision + 1, updatedAt: this.now() };
    delete next.parentId;
    this.directory.commit(next, [{ id: 'ResourceRemoved' }]);
    this.directory.flush();
    return true;
  }

  private async alive(d: DiscoveredDevice): Promise<boolean> {
    const dev = d.state === 'Registered' ? this.opts.endpoints.get(d.id) : undefined;
    const timeoutMs = this.opts.config.probeTimeoutMs;
    if (dev) return dev.call('state', [], { timeoutMs }).then(() => true, () => false);
    if (d.protocol !== 'redfish') return false;
    const r = await this.opts.probe({ host: d.host, port: d.port ?? 443, ...(d.serviceRootUrl ? { url: d.serviceRootUrl } : {}) }, AbortSignal.timeout(timeoutMs));
    return r.ok;
  }
}
