/**
 * The normalised inventory a driver reports for one device (one management endpoint: a BMC or a DPU BMC).
 *
 * The vocabulary is DMTF's: enum values are Redfish enum values and `properties` bags use Redfish property names, so
 * the inventory layer can serve them without a second translation. What a driver read but could not place goes into
 * `unmapped`, never into an exception.
 */

/** Redfish `Status.State` values a gateway reports for devices and their parts. */
export type ResourceState =
  | 'Enabled'
  | 'Disabled'
  | 'Absent'
  | 'Starting'
  | 'StandbyOffline'
  | 'StandbySpare'
  | 'InTest'
  | 'Updating'
  | 'UnavailableOffline'
  | 'Deferring'
  | 'Quiesced'
  | 'Qualified'
  | 'Degraded';

export type HealthValue = 'OK' | 'Warning' | 'Critical';

export interface ResourceStatus {
  state?: ResourceState;
  health?: HealthValue;
  healthRollup?: HealthValue;
}

/** Redfish `PowerState`. */
export type PowerStateValue = 'On' | 'Off' | 'PoweringOn' | 'PoweringOff' | 'Paused';

/** Redfish `ResetType`. */
export type ResetType =
  | 'On'
  | 'ForceOff'
  | 'GracefulShutdown'
  | 'GracefulRestart'
  | 'ForceRestart'
  | 'Nmi'
  | 'ForceOn'
  | 'PushPowerButton'
  | 'PowerCycle'
  | 'FullPowerCycle'
  | 'Suspend'
  | 'Pause'
  | 'Resume';

export const RESET_TYPES: readonly ResetType[] = [
  'On',
  'ForceOff',
  'GracefulShutdown',
  'GracefulRestart',
  'ForceRestart',
  'Nmi',
  'ForceOn',
  'PushPowerButton',
  'PowerCycle',
  'FullPowerCycle',
  'Suspend',
  'Pause',
  'Resume',
];

/** Who a thing is. Every field is optional because devices report what they report. */
export interface Identity {
  manufacturer?: string;
  model?: string;
  serialNumber?: string;
  partNumber?: string;
  sku?: string;
  uuid?: string;
  /** Firmware of the part itself (a BMC, a NIC), where the device reports it beside the part. */
  firmwareVersion?: string;
}

/** Redfish `BootProgress`. `lastState` is a DMTF `BootProgressTypes` value; vendors' own stages go in `oemLastState`. */
export interface BootProgress {
  lastState?: string;
  lastStateTime?: string;
  oemLastState?: string;
}

/** Redfish `Boot` override settings. */
export interface BootOverride {
  target?: string;
  enabled?: 'Disabled' | 'Once' | 'Continuous';
  mode?: 'Legacy' | 'UEFI';
  /** Targets the device accepts, from `BootSourceOverrideTarget@Redfish.AllowableValues`. */
  allowableTargets?: string[];
}

/** The fast-changing state of one computer system: what a coordinator polls often. */
export interface SystemState {
  /** Id of the system in the snapshot (`SystemInfo.id`). */
  id: string;
  powerState?: PowerStateValue;
  bootProgress?: BootProgress;
  lastResetCause?: string;
  status?: ResourceStatus;
}

/** One computer system: a host, or the Arm subsystem of a DPU. */
export interface SystemInfo extends SystemState {
  /** What the device reports. The inventory layer corrects it (BlueField says Physical; the gateway says DPU). */
  systemType?: string;
  /** The driver's judgement: true for a DPU's own system, whatever `systemType` says. */
  isDpu?: boolean;
  name?: string;
  hostName?: string;
  identity: Identity;
  boot?: BootOverride;
  biosVersion?: string;
  /** Reset types the device accepts for this system. Empty when reset is not possible. */
  resetTypes: ResetType[];
  processorSummary?: { count?: number; coreCount?: number; model?: string };
  memorySummary?: { totalSystemMemoryGiB?: number };
  /** Ids of the chassis and managers in this snapshot that relate to the system. */
  chassisIds: string[];
  managerIds: string[];
  /** Key into `InventorySnapshot.raw`. */
  source?: string;
}

export interface ChassisInfo {
  id: string;
  name?: string;
  chassisType?: string;
  identity: Identity;
  status?: ResourceStatus;
  powerState?: PowerStateValue;
  containedBy?: string;
  systemIds: string[];
  managerIds: string[];
  resetTypes: ResetType[];
  source?: string;
}

export interface ManagerInfo {
  id: string;
  name?: string;
  managerType?: string;
  identity: Identity;
  status?: ResourceStatus;
  resetTypes: ResetType[];
  lastResetTime?: string;
  source?: string;
}

/** Component kinds, named after the Redfish resource each becomes. */
export type ComponentKind =
  | 'Processor'
  | 'Memory'
  | 'Storage'
  | 'Drive'
  | 'NetworkAdapter'
  | 'NetworkDeviceFunction'
  | 'PCIeDevice'
  | 'AccelerationFunction'
  | 'Sensor';

/**
 * A part of a system or chassis. `properties` holds the kind's Redfish properties by their Redfish names
 * (`TotalCores`, `CapacityMiB`, `Reading`, ...), already checked by the driver for type.
 */
export interface ComponentInfo {
  kind: ComponentKind;
  /** Unique within the snapshot for its kind and parent. */
  id: string;
  /** The system or chassis (or, for functions and drives, the adapter or storage) it belongs to. */
  parent: { kind: 'System' | 'Chassis' | ComponentKind; id: string };
  name?: string;
  identity: Identity;
  status?: ResourceStatus;
  properties: Record<string, unknown>;
  /**
   * The kind's DMTF metrics resource (ProcessorMetrics for a Processor, MemoryMetrics for a Memory) by Redfish
   * property names, when the device links one. Usage, not inventory: capability accounting reads it.
   */
  metrics?: Record<string, unknown>;
  /** A NetworkAdapter's Ports, each by Redfish property names (speeds, link state), when the device links them. */
  ports?: Record<string, unknown>[];
  /** A DPU card seen from its host (a PCIeDevice or NetworkAdapter): discovery pairs it with the DPU's BMC by serial. */
  isDpu?: boolean;
  source?: string;
}

/** One firmware or software component the device reports. */
export interface FirmwareComponent {
  id: string;
  name?: string;
  version?: string;
  manufacturer?: string;
  updateable?: boolean;
  /** True for an image staged but not active (BlueField's `<id>_pending`). */
  staged?: boolean;
  /** Which software this is, where the device says: `BMC`, `BIOS`, `NIC`, `ATF`... */
  componentRole?: string;
  status?: ResourceStatus;
  releaseDate?: string;
  source?: string;
}

/** Something the driver read but could not map. Reported, never thrown. */
export interface UnmappedNote {
  source: string;
  /** JSON pointer or property path, where known. */
  path?: string;
  reason: string;
}

/** Everything a driver knows about one endpoint at one moment. */
export interface InventorySnapshot {
  /** Epoch milliseconds when the read finished. */
  takenAt: number;
  /** Identity of the endpoint itself: its service root UUID, the product, and the serial of its main chassis. */
  endpoint: Identity & { product?: string; vendor?: string; redfishVersion?: string };
  systems: SystemInfo[];
  chassis: ChassisInfo[];
  managers: ManagerInfo[];
  components: ComponentInfo[];
  firmware: FirmwareComponent[];
  unmapped: UnmappedNote[];
  /** The payloads the snapshot was made from, by source key (a URI, or `fru`, `sysDescr`...). */
  raw: Record<string, unknown>;
}

/** Redfish `LogEntry` essentials. */
export interface LogRecord {
  id: string;
  created?: string;
  severity?: HealthValue;
  message: string;
  messageId?: string;
  messageArgs?: string[];
  entryType?: string;
  /** With `entryType: 'Oem'`: the OEM's name for the record format (`Crashdump`...). */
  oemRecordFormat?: string;
  /** For diagnostic data: `Manager`, `OS`, `OEM`... and where to fetch it. */
  diagnosticDataType?: string;
  /** With `diagnosticDataType: 'OEM'`: what kind of data (`ArmOsCrashDump`, `System`, `PECICrashdump`...). */
  oemDiagnosticDataType?: string;
  additionalDataUri?: string;
  /** The log this entry came from (`EventLog`, `SEL`, `PostCodes`, `Dump`...). */
  log: string;
  source?: string;
}
