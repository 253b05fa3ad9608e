import { RESET_TYPES } from '../../model/inventory.js';
import {
  type BootOverride,
  type BootProgress,
  type ChassisInfo,
  type ComponentInfo,
  type ComponentKind,
  type FirmwareComponent,
  type Identity,
  type LogRecord,
  type ManagerInfo,
  type PowerStateValue,
  type ResetType,
  type ResourceStatus,
  type SystemInfo,
  type SystemState,
} from '../api.js';
import { at, f, idOf, links, num, oneOf, str, strList, bool, type FieldMap, type Mapping } from './fields.js';

// The field maps: one per model shape, from the DMTF property names.

const IDENTITY: FieldMap<Identity> = {
  manufacturer: f('Manufacturer', str),
  model: f('Model', str),
  serialNumber: f('SerialNumber', str),
  partNumber: f('PartNumber', str),
  sku: f('SKU', str),
  uuid: f('UUID', str),
  firmwareVersion: f('FirmwareVersion', str),
};

const STATE_VALUES = ['Enabled', 'Disabled', 'Absent', 'Starting', 'StandbyOffline', 'StandbySpare', 'InTest', 'Updating', 'UnavailableOffline', 'Deferring', 'Quiesced', 'Qualified', 'Degraded'] as const;
const HEALTH = ['OK', 'Warning', 'Critical'] as const;
const STATUS: FieldMap<ResourceStatus> = {
  state: f('Status.State', oneOf(STATE_VALUES)),
  health: f('Status.Health', oneOf(HEALTH)),
  healthRollup: f('Status.HealthRollup', oneOf(HEALTH)),
};
const POWER = oneOf<PowerStateValue>(['On', 'Off', 'PoweringOn', 'PoweringOff', 'Paused']);

const BOOT_PROGRESS: FieldMap<BootProgress> = {
  lastState: f('BootProgress.LastState', str),
  lastStateTime: f('BootProgress.LastStateTime', str),
  oemLastState: f('BootProgress.OemLastState', str),
};

const BOOT: FieldMap<BootOverride> = {
  target: f('Boot.BootSourceOverrideTarget', str),
  enabled: f('Boot.BootSourceOverrideEnabled', oneOf(['Disabled', 'Once', 'Continuous'] as const)),
  mode: f('Boot.BootSourceOverrideMode', oneOf(['Legacy', 'UEFI'] as const)),
  allowableTargets: f('Boot.BootSourceOverrideTarget@Redfish.AllowableValues', strList),
};

const SYSTEM_STATE: FieldMap<{ powerState: PowerStateValue; lastResetCause: string }> = {
  powerState: f('PowerState', POWER),
  lastResetCause: f('LastResetCause', str),
};

const SYSTEM_INFO: FieldMap<{ systemType: string; hostName: string; biosVersion: string; name: string }> = {
  systemType: f('SystemType', str),
  hostName: f('HostName', str),
  biosVersion: f('BiosVersion', str),
  name: f('Name', str),
};

const SUMMARY: FieldMap<{ count: number; coreCount: number; model: string; totalSystemMemoryGiB: number }> = {
  count: f('ProcessorSummary.Count', num),
  coreCount: f('ProcessorSummary.CoreCount', num),
  model: f('ProcessorSummary.Model', str),
  totalSystemMemoryGiB: f('MemorySummary.TotalSystemMemoryGiB', num),
};

const nonEmpty = <T extends object>(o: T): T | undefined => (Object.keys(o).length ? o : undefined);

/** Reset types the device allows for an action, from AllowableValues (or its ActionInfo, fetched by the caller). */
export function resetTypesOf(payload: unknown, action: string, actionInfoValues?: string[]): ResetType[] {
  const a = at(payload, 'Actions') as Record<string, Record<string, unknown>> | undefined;
  const act = a?.[`#${action}`];
  if (!act || typeof act !== 'object') return [];
  const allowed = actionInfoValues ?? act['ResetType@Redfish.AllowableValues'];
  // A device that lists nothing accepts the DSP0268 defaults; stay with the common, safe set.
  if (!Array.isArray(allowed)) return ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart'];
  return allowed.filter((v): v is ResetType => (RESET_TYPES as readonly unknown[]).includes(v));
}

export function mapSystemState(m: Mapping, uri: string, p: unknown): SystemState {
  const x = m.apply(uri, p, SYSTEM_STATE);
  return {
    id: idOf(p, uri),
    powerState: x.powerState,
    bootProgress: nonEmpty(m.apply(uri, p, BOOT_PROGRESS)),
    lastResetCause: x.lastResetCause,
    status: nonEmpty(m.apply(uri, p, STATUS)),
  };
}

export function mapSystem(m: Mapping, uri: string, p: unknown, resetInfo?: string[]): SystemInfo {
  const x = m.apply(uri, p, SYSTEM_INFO);
  const s = m.apply(uri, p, SUMMARY);
  return {
    ...mapSystemState(m, uri, p),
    systemType: x.systemType,
    isDpu: x.systemType === 'DPU' ? true : undefined,
    name: x.name,
    hostName: x.hostName,
    identity: m.apply(uri, p, IDENTITY),
    boot: nonEmpty(m.apply(uri, p, BOOT)),
    biosVersion: x.biosVersion,
    resetTypes: resetTypesOf(p, 'ComputerSystem.Reset', resetInfo),
    processorSummary: nonEmpty({ ...(s.count !== undefined && { count: s.count }), ...(s.coreCount !== undefined && { coreCount: s.coreCount }), ...(s.model && { model: s.model }) }),
    memorySummary: s.totalSystemMemoryGiB !== undefined ? { totalSystemMemoryGiB: s.totalSystemMemoryGiB } : undefined,
    chassisIds: links(p, 'Links.Chassis').map(lastSegment),
    managerIds: links(p, 'Links.ManagedBy').map(lastSegment),
    source: uri,
  };
}

export function mapChassis(m: Mapping, uri: string, p: unknown, resetInfo?: string[]): ChassisInfo {
  const x = m.apply(uri, p, { chassisType: f('ChassisType', str), name: f('Name', str), powerState: f('PowerState', POWER) });
  const containedBy = links({ l: [at(p, 'Links.ContainedBy')] }, 'l')[0];
  return {
    id: idOf(p, uri),
    name: x.name,
    chassisType: x.chassisType,
    identity: m.apply(uri, p, IDENTITY),
    status: nonEmpty(m.apply(uri, p, STATUS)),
    powerState: x.powerState,
    containedBy: containedBy ? lastSegment(containedBy) : undefined,
    systemIds: links(p, 'Links.ComputerSystems').map(lastSegment),
    managerIds: links(p, 'Links.ManagedBy').map(lastSegment),
    resetTypes: resetTypesOf(p, 'Chassis.Reset', resetInfo),
    source: uri,
  };
}

export function mapManager(m: Mapping, uri: string, p: unknown, resetInfo?: string[]): ManagerInfo {
  const x = m.apply(uri, p, { managerType: f('ManagerType', str), name: f('Name', str), lastResetTime: f('LastResetTime', str) });
  return {
    id: idOf(p, uri),
    name: x.name,
    managerType: x.managerType,
    identity: m.apply(uri, p, IDENTITY),
    status: nonEmpty(m.apply(uri, p, STATUS)),
    resetTypes: resetTypesOf(p, 'Manager.Reset', resetInfo),
    lastResetTime: x.lastResetTime,
    source: uri,
  };
}

/** The Redfish properties carried through per component kind (served as they are by the inventory layer). */
const COMPONENT_PROPERTIES: Record<ComponentKind, readonly string[]> = {
  Processor: ['ProcessorType', 'ProcessorArchitecture', 'InstructionSet', 'TotalCores', 'TotalEnabledCores', 'TotalThreads', 'MaxSpeedMHz', 'OperatingSpeedMHz', 'Socket', 'FPGA', 'ProcessorId', 'Version'],
  Memory: ['CapacityMiB', 'MemoryDeviceType', 'MemoryType', 'OperatingSpeedMhz', 'DeviceLocator', 'DataWidthBits', 'ErrorCorrection', 'RankCount'],
  Storage: ['StorageControllers', 'Controllers'],
  Drive: ['CapacityBytes', 'MediaType', 'Protocol', 'BlockSizeBytes', 'RotationSpeedRPM', 'Revision', 'CapableSpeedGbs', 'NegotiatedSpeedGbs', 'PredictedMediaLifeLeftPercent'],
  NetworkAdapter: ['Controllers', 'Ports'],
  NetworkDeviceFunction: ['NetDevFuncType', 'NetDevFuncCapabilities', 'DeviceEnabled', 'Ethernet', 'MaxVirtualFunctions', 'VirtualFunctionsEnabled'],
  PCIeDevice: ['DeviceType', 'PCIeInterface', 'Slot', 'FirmwareVersion'],
  AccelerationFunction: ['AccelerationFunctionType', 'FpgaReconfigurationSlots', 'Version', 'UUID', 'PowerWatts'],
  Sensor: ['Reading', 'ReadingUnits', 'ReadingType', 'ReadingRangeMax', 'ReadingRangeMin', 'Thresholds', 'PhysicalContext'],
};

export function mapComponent(m: Mapping, kind: ComponentKind, uri: string, p: unknown, parent: ComponentInfo['parent']): ComponentInfo {
  return {
    kind,
    id: idOf(p, uri),
    parent,
    name: m.apply(uri, p, { name: f('Name', str) }).name,
    identity: m.apply(uri, p, IDENTITY),
    status: nonEmpty(m.apply(uri, p, STATUS)),
    properties: m.pick(uri, p, COMPONENT_PROPERTIES[kind]),
    source: uri,
  };
}

export function mapFirmware(m: Mapping, uri: string, p: unknown): FirmwareComponent {
  const x = m.apply(uri, p, {
    name: f('Name', str),
    version: f('Version', str),
    manufacturer: f('Manufacturer', str),
    updateable: f('Updateable', bool),
    releaseDate: f('ReleaseDate', str),
  });
  const id = idOf(p, uri);
  return { id, ...x, status: nonEmpty(m.apply(uri, p, STATUS)), source: uri };
}

export function mapLogEntry(m: Mapping, uri: string, p: unknown, log: string): LogRecord {
  const x = m.apply(uri, p, {
    created: f('Created', str),
    severity: f('Severity', oneOf(HEALTH)),
    message: f('Message', str),
    messageId: f('MessageId', str),
    messageArgs: f('MessageArgs', strList),
    entryType: f('EntryType', str),
    oemRecordFormat: f('OemRecordFormat', str),
    diagnosticDataType: f('DiagnosticDataType', str),
    oemDiagnosticDataType: f('OEMDiagnosticDataType', str),
    additionalDataUri: f('AdditionalDataURI', str),
  });
  return { id: idOf(p, uri), log, ...x, message: x.message ?? '', source: uri };
}

export function lastSegment(uri: string): string {
  return decodeURIComponent(uri.replace(/\/+$/, '').split('/').pop() ?? uri);
}
