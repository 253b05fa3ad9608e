/**
 * mDNS / DNS-SD announcements: `_redfish._tcp` for Redfish services, `_obmc_redfish._tcp` for OpenBMC personas
 * (what bmcweb registers through Avahi), each with TXT `path=/redfish/v1`.
 *
 * Uses bonjour-service on one multicast socket per interface. Multicast DNS only makes sense on a real link, so the
 * fleet runs this inside a network namespace (see netns.ts); on plain loopback most resolvers ignore it.
 */
import BonjourPkg from 'bonjour-service';
import type { AdvertisedDevice, DiscoveryAdvertiser } from '../discovery-hooks.js';

type Bonjour = InstanceType<typeof BonjourPkg.Bonjour>;
type Service = BonjourPkg.Service;
type ServiceRecord = ReturnType<Service['records']>[number];

/** Options for {@link MdnsAdvertiser}. */
export interface MdnsOptions {
  /** IPv4 address of the interface to announce on (multicast membership and outgoing interface). Required. */
  interface: string;
  /** Address to bind the mDNS socket to. Default `0.0.0.0`, which receiving multicast needs. */
  bind?: string;
  /** Extra TXT keys for every device. */
  txt?: Record<string, string>;
  /** Override the service type (without leading underscore and protocol), e.g. `redfish`. */
  serviceType?: (device: AdvertisedDevice) => string;
  /** Called with socket errors instead of crashing the process. */
  onError?: (err: Error) => void;
}

/** Personas that announce the OpenBMC service type. */
const OPENBMC_PERSONAS = new Set(['openbmc-host', 'openbmc']);

/** DNS-SD service type for a persona, without the leading underscore: `obmc_redfish` or `redfish`. */
export function mdnsServiceType(persona: string): string {
  return OPENBMC_PERSONAS.has(persona) ? 'obmc_redfish' : 'redfish';
}

/** First DNS label of the device host name; used as instance name and as the `.local` host. */
export function hostLabel(device: AdvertisedDevice): string {
  const label = (device.hostname || device.id).split('.')[0] ?? device.id;
  return label.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63) || device.id;
}

/** Path part of the service root URL; the TXT `path` key. */
function rootPath(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/$/, '') || '/redfish/v1';
  } catch {
    return '/redfish/v1';
  }
}

/** Announces every device it is given, over one bonjour-service instance bound to one interface. */
export class MdnsAdvertiser implements DiscoveryAdvertiser {
  readonly name = 'mdns';
  private readonly opts: MdnsOptions;
  private bonjour: Bonjour | undefined;
  private readonly services = new Map<string, { service: Service; records: ServiceRecord[]; up: Promise<void> }>();

  constructor(opts: MdnsOptions) {
    if (!opts.interface) throw new Error('mdns: an interface address is required; multicast must not go out by default');
    this.opts = opts;
  }

  private instance(): Bonjour {
    if (!this.bonjour) {
      // bonjour-service hands these options to multicast-dns; its typings only describe the service fields.
      const socketOpts = { interface: this.opts.interface, bind: this.opts.bind ?? '0.0.0.0' } as unknown as ConstructorParameters<
        typeof BonjourPkg.Bonjour
      >[0];
      this.bonjour = new BonjourPkg.Bonjour(socketOpts, (err: Error) => this.opts.onError?.(err));
    }
    return this.bonjour;
  }

  async start(device: AdvertisedDevice): Promise<void> {
    if (!device.serviceRootUrl) return;
    await this.stopDevice(device.id);
    const label = hostLabel(device);
    const host = `${label}.local`;
    const service = this.instance().publish({
      name: label,
      type: this.opts.serviceType?.(device) ?? mdnsServiceType(device.persona),
      protocol: 'tcp',
      port: device.port,
      host,
      txt: { path: rootPath(device.serviceRootUrl), uuid: device.uuid, ...this.opts.txt },
      disableIPv6: true,
    });
    // bonjour-service derives A records from every local interface; a simulated device has exactly one address.
    // Probing (on by default) defers the first records() call by >= 750 ms, so this replacement is always in time.
    const base = service.records.bind(service);
    const records = (): ServiceRecord[] => [
      ...base().filter((r) => r.type !== 'A' && r.type !== 'AAAA'),
      { name: host, type: 'A', ttl: 120, data: device.address },
    ];
    service.records = records;
    // 'up' fires after probing and the first announcement; on a name clash it never fires (see ready()).
    const up = new Promise<void>((resolve) => {
      service.once('up', () => resolve());
    });
    this.services.set(device.id, { service, records: records(), up });
  }

  /**
   * Resolves once every device started so far has finished probing and sent its first announcement (about 1 s after
   * `start`), or after `timeoutMs`.
   */
  async ready(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all([...this.services.values()].map((s) => s.up)), timeout]);
    clearTimeout(timer);
  }

  async stopDevice(deviceId: string): Promise<void> {
    const entry = this.services.get(deviceId);
    if (!entry) return;
    this.services.delete(deviceId);
    await new Promise<void>((resolve) => entry.service.stop?.(() => resolve()));
    // bonjour-service unregisters records by name, which also drops the shared `_redfish._tcp.local` PTRs of the
    // devices that remain; put theirs back so they keep answering queries.
    const server = (this.bonjour as unknown as { server?: { register?: (r: ServiceRecord[]) => void } } | undefined)
      ?.server;
    for (const other of this.services.values()) server?.register?.(other.records);
  }

  async stop(): Promise<void> {
    const bonjour = this.bonjour;
    if (!bonjour) return;
    this.bonjour = undefined;
    this.services.clear();
    // Goodbye packets (TTL 0) first, so browsers drop the devices at once instead of after the TTL.
    await new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve()));
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
  }
}
