/**
 * What discovery sees and what it concludes. A sighting is one source's evidence that a management endpoint exists;
 * a discovered device is the single identity that every sighting of one device resolves to.
 */

/** Where a sighting came from. `manual` is a hand-made AggregationSource (POST). */
export type DiscoverySourceName = 'ssdp' | 'mdns' | 'dns' | 'lldp' | 'cidr' | 'static' | 'bmc' | 'manual';

export const DISCOVERY_SOURCES: readonly DiscoverySourceName[] = ['ssdp', 'mdns', 'dns', 'lldp', 'cidr', 'static', 'bmc', 'manual'];

/** The management protocol a sighting offers (the same names as a driver manifest's `protocol`). */
export type SightingProtocol = 'redfish' | 'ipmi' | 'snmp';

/**
 * Keys that identify a device whatever address or source it is seen through. Every value is normalised before use:
 * UUIDs lower-case and dashed, MACs lower-case `aa:bb:cc:dd:ee:ff`, serials trimmed.
 */
export interface IdentityKeys {
  /** Redfish service root `UUID` (or an IPMI system GUID). */
  uuid?: string;
  /** Serial numbers of the device's own board or card (a DPU BMC: the card's serial). */
  serials?: string[];
  /** MAC addresses of the management interface (LLDP chassis ids of subtype MAC land here too). */
  macs?: string[];
  /** LLDP chassis id that is not a MAC (a local name or a network address), as `<subtype>:<value>`. */
  lldpChassisId?: string;
}

/** An LLDP organisationally specific TLV: OUI `aa:bb:cc`, subtype, and the information string as hex. */
export interface LldpOrgTlv {
  oui: string;
  subtype: number;
  info: string;
}

/** What a source heard that the driver manifests' match rules read (ProbeCandidate in the SDK). */
export interface SightingHints {
  ssdp?: { st?: string; usn?: string; al?: string };
  dnsSdType?: string;
  lldp?: {
    chassisId?: string;
    portId?: string;
    systemName?: string;
    systemDescription?: string;
    /** Organisationally specific TLVs, decoded by Shoal's own TLV decoder. */
    orgTlvs?: LldpOrgTlv[];
  };
  snmp?: { sysDescr?: string; sysObjectId?: string; sysName?: string };
  /** The unauthenticated Redfish service root, when the source read it (a CIDR probe does). */
  serviceRoot?: Record<string, unknown>;
  /** The IPMI endpoint answered an RMCP presence ping or Get Channel Authentication Capabilities. */
  ipmi?: { rmcp: boolean };
}

/** One source's evidence of one management endpoint. */
export interface Sighting {
  source: DiscoverySourceName;
  /** Epoch milliseconds. */
  at: number;
  protocol: SightingProtocol;
  /** Address to reach the endpoint: an IP address (preferred) or a DNS name. */
  host: string;
  /** TCP port (Redfish) or UDP port (IPMI, SNMP). Absent means the protocol default (443, 623, 161). */
  port?: number;
  /** Redfish: the service root URL, e.g. `https://10.0.0.5/redfish/v1` (SSDP `AL`, mDNS TXT `path`, a probe). */
  serviceRootUrl?: string;
  /** A DNS or mDNS host name, or LLDP system name, for people to read. */
  hostName?: string;
  keys: IdentityKeys;
  hints: SightingHints;
}

/**
 * What a host BMC's inventory says about a DPU it carries: the card's serial and, where shown, its MACs and the
 * address of the DPU's own BMC. Pairing matches these against DPU BMC identities.
 */
export interface CarriedDevice {
  /** Component id in the host's inventory, e.g. `slot1` (a PCIeDevice or NetworkAdapter). */
  slot: string;
  serial?: string;
  macs?: string[];
  manufacturer?: string;
  model?: string;
  /** The DPU BMC's management address, when the host shows it. */
  bmcAddress?: string;
}

/** Lifecycle of a discovered device. */
export type RegistrationState =
  /** Found; the policy waits for an operator to approve it. */
  | 'PendingApproval'
  /** Found and approved, but no credentials work (none configured, or the device refused them). */
  | 'CredentialsRequired'
  /** Managed through its driver. */
  | 'Registered'
  /** Removed by an operator (DELETE): kept only so it keeps its id and is not registered again by itself. */
  | 'Removed'
  /** Gone for longer than the tombstone time: not served; kept so a return gets the same id. */
  | 'Tombstoned';

/** What is known about who a device is. Keys (uuid, serials, macs, lldpChassisId) also live in the key index. */
export interface DeviceIdentity extends IdentityKeys {
  manufacturer?: string;
  model?: string;
  /** The serial people read first: the board or card serial. */
  serialNumber?: string;
  partNumber?: string;
  firmwareVersion?: string;
  /** From the unauthenticated service root. */
  vendor?: string;
  product?: string;
  redfishVersion?: string;
}

/** Another way to reach the same device (its IPMI or SNMP port beside Redfish). */
export interface AlternateEndpoint {
  protocol: SightingProtocol;
  host: string;
  port?: number;
}

/** The single identity every sighting of one device resolves to. */
export interface DiscoveredDevice {
  /** Short, stable, readable id (no `_`): the AggregationSource id and the `<source>` prefix of aggregated ids. */
  id: string;
  state: RegistrationState;
  /** The preferred way in (Redfish over IPMI over SNMP), and the driver chosen for it. */
  protocol: SightingProtocol;
  driver?: string;
  host: string;
  port?: number;
  serviceRootUrl?: string;
  hostName?: string;
  identity: DeviceIdentity;
  /** When each source last saw the device (epoch ms). */
  sources: Partial<Record<DiscoverySourceName, number>>;
  alternates: AlternateEndpoint[];
  /** A host BMC: the DPU cards its inventory lists. */
  carried: CarriedDevice[];
  /** A DPU BMC: the host device that carries it, and the host's slot for it. */
  parentId?: string;
  slot?: string;
  /** False once the device stopped answering (and was not seen) for the offline time. */
  reachable: boolean;
  offlineSince?: number;
  /** The last thing that went wrong (bad credentials, probe failure), for operators. */
  problem?: string;
  revision: number;
  firstSeen: number;
  lastSeen: number;
  updatedAt: number;
}

/** Kinds of identity key in the key index. `addr` values are `<protocol>|<host>|<port>`. */
export type KeyKind = 'uuid' | 'serial' | 'mac' | 'lldp' | 'addr';

export interface DeviceKey {
  kind: KeyKind;
  value: string;
}

/** Default ports per protocol, so `host` and `host:443` are one address. */
export const DEFAULT_PORTS: Readonly<Record<SightingProtocol, number>> = { redfish: 443, ipmi: 623, snmp: 161 };

/** `aa:bb:cc:dd:ee:ff`, or undefined for anything that is not a 48-bit MAC (all-zero MACs say nothing either). */
export function normaliseMac(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const hex = v.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12 || /^0+$/.test(hex) || /^f+$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

/** Lower-case dashed UUID, or undefined for anything else (and for the all-zero UUID some BMCs report). */
export function normaliseUuid(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const hex = v.toLowerCase().replace(/^uuid:/, '').replace(/[^0-9a-f]/g, '');
  if (hex.length !== 32 || /^0+$/.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Trimmed serial, or undefined for the placeholders vendors ship ("To be filled by O.E.M.", "0", "N/A"). */
export function normaliseSerial(v: string | undefined): string | undefined {
  const s = v?.trim();
  if (!s || s.length < 3 || /^(n\/?a|none|null|unknown|not specified|to be filled by o\.e\.m\.?|default string|0+|x+)$/i.test(s)) return undefined;
  return s;
}

/** The address key of an endpoint. */
export function addressKey(protocol: SightingProtocol, host: string, port?: number): string {
  return `${protocol}|${host.toLowerCase()}|${port ?? DEFAULT_PORTS[protocol]}`;
}

/** The AggregationSource `HostName` of a device: its service root origin, or `<scheme>://host:port`. */
export function hostNameOf(d: { protocol: SightingProtocol; host: string; port?: number; serviceRootUrl?: string }): string {
  if (d.serviceRootUrl) return new URL(d.serviceRootUrl).origin;
  const h = d.host.includes(':') ? `[${d.host}]` : d.host;
  return `${d.protocol === 'redfish' ? 'https' : d.protocol}://${h}:${d.port ?? DEFAULT_PORTS[d.protocol]}`;
}

/** Redfish `ConnectionMethodType` for each protocol (IPMI over LAN is IPMI 2.0 here: ipmitool `-I lanplus`). */
export const CONNECTION_METHOD_TYPES: Readonly<Record<SightingProtocol, 'Redfish' | 'IPMI20' | 'SNMP'>> = { redfish: 'Redfish', ipmi: 'IPMI20', snmp: 'SNMP' };
