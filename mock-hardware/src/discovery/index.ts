/**
 * Discovery traffic for the simulator: one {@link DiscoveryAdvertiser} that fans each device out to the configured
 * kinds of discovery (SSDP, mDNS, LLDP, unicast DNS). The fleet builds it from the `discovery:` part of a fleet file.
 */
import type { AdvertisedDevice, DiscoveryAdvertiser, DiscoveryStateListener } from '../discovery-hooks.js';
import { DnsZoneAdvertiser, type DnsZoneAdvertiserOptions } from './dns-zone.js';
import { LldpAdvertiser, type LldpAdvertiserOptions } from './lldp.js';
import { MdnsAdvertiser, type MdnsOptions } from './mdns.js';
import { SsdpResponder, type SsdpResponderOptions } from './ssdp.js';

export * from './ssdp.js';
export * from './mdns.js';
export * from './lldp.js';
export * from './dns-zone.js';
export * from './netns.js';
export * from './ports.js';

/** Which discovery kinds to run, each with its own options. Omitted kinds are off. */
export interface DiscoveryConfig {
  ssdp?: SsdpResponderOptions;
  mdns?: MdnsOptions;
  lldp?: LldpAdvertiserOptions;
  dns?: DnsZoneAdvertiserOptions;
  /** Called when one kind fails for one device; the others carry on. Default: rethrow from `start`. */
  onError?: (kind: string, deviceId: string, err: unknown) => void;
}

/** The combined advertiser, with typed access to the parts (e.g. to read the SSDP port or flush the DNS zone). */
export class CombinedDiscovery implements DiscoveryAdvertiser, DiscoveryStateListener {
  readonly name = 'discovery';
  readonly ssdp: SsdpResponder | undefined;
  readonly mdns: MdnsAdvertiser | undefined;
  readonly lldp: LldpAdvertiser | undefined;
  readonly dns: DnsZoneAdvertiser | undefined;
  private readonly parts: DiscoveryAdvertiser[];
  private readonly onError: DiscoveryConfig['onError'];

  constructor(config: DiscoveryConfig) {
    this.ssdp = config.ssdp ? new SsdpResponder(config.ssdp) : undefined;
    this.mdns = config.mdns ? new MdnsAdvertiser(config.mdns) : undefined;
    this.lldp = config.lldp ? new LldpAdvertiser(config.lldp) : undefined;
    this.dns = config.dns ? new DnsZoneAdvertiser(config.dns) : undefined;
    this.parts = [this.ssdp, this.mdns, this.lldp, this.dns].filter((p): p is NonNullable<typeof p> => Boolean(p));
    this.onError = config.onError;
  }

  /** Starts the device on every configured kind; with `onError` set, one kind's failure does not stop the rest. */
  async start(device: AdvertisedDevice): Promise<void> {
    const results = await Promise.allSettled(this.parts.map((p) => p.start(device)));
    const failures: unknown[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      if (this.onError) this.onError(this.parts[i]?.name ?? 'unknown', device.id, r.reason);
      else failures.push(r.reason);
    });
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `discovery: ${failures.length} kinds failed for ${device.id}`);
  }

  async stopDevice(deviceId: string): Promise<void> {
    await Promise.allSettled(this.parts.map((p) => p.stopDevice?.(deviceId)));
  }

  /** Forwards BMC reachability to the kinds that care (SSDP goes silent while a BMC is down). */
  onReachability(deviceId: string, reachable: boolean): void {
    this.ssdp?.onReachability(deviceId, reachable);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.parts.map((p) => p.stop()));
  }
}

/** Builds the combined advertiser for a discovery config. */
export function createDiscovery(config: DiscoveryConfig): CombinedDiscovery {
  return new CombinedDiscovery(config);
}
