import type { Device } from '../../core/device.js';
import { fail, noContent, ok, type Route } from '../../http/router.js';
import { collection, ref, status, T } from '../../services/shapes.js';
import { componentSerial } from '../../services/card-identity.js';
import { cardAdapterExtras } from './components.js';
import { enforceResetInterval, genericReset, managerResetRoute, powerAndBoot, patchSystem, resetType, systemState } from '../../services/system.js';
import { BMC, CHASSIS, hw, SYS, type HostHardware } from './hardware.js';
import { memoryMetricsUri } from './metrics.js';

// Re-exported so existing importers keep one entry point for the host's paths and hardware.
export { BMC, CHASSIS, hw, SYS, type HostHardware };

export const RESET_TYPES = ['On', 'ForceOff', 'ForceOn', 'ForceRestart', 'GracefulRestart', 'GracefulShutdown', 'PowerCycle', 'Nmi'];
const BOOT_TARGETS = ['None', 'Pxe', 'Hdd', 'Cd', 'Diags', 'BiosSetup', 'Usb'];


function system(d: Device): Record<string, unknown> {
  const dimms = hw(d).dimms.filter((m) => m.state === 'Enabled');
  return {
    '@odata.type': T.ComputerSystem,
    '@odata.id': SYS,
    Id: 'system',
    Name: 'system',
    SystemType: 'Physical',
    Manufacturer: 'OpenBMC Sim',
    Model: 'Sim Server 2U',
    SerialNumber: d.init.serial,
    PartNumber: 'SIM-2U-001',
    UUID: d.init.uuid,
    AssetTag: d.assetTag,
    HostName: d.init.hostname.replace(/\.sim\.test$/, '-host.sim.test'),
    ...powerAndBoot(d, BOOT_TARGETS),
    Status: status(d.hung ? 'Enabled' : systemState(d), d.health),
    MemorySummary: { TotalSystemMemoryGiB: dimms.length * 32, Status: status('Enabled', hw(d).dimms.some((m) => m.health !== 'OK' || m.state !== 'Enabled') ? 'Critical' : 'OK') },
    ProcessorSummary: { Count: 2, Status: status('Enabled', 'OK') },
    Memory: ref(`${SYS}/Memory`),
    Processors: ref(`${SYS}/Processors`),
    Storage: ref(`${SYS}/Storage`),
    LogServices: ref(`${SYS}/LogServices`),
    Links: { Chassis: [ref(CHASSIS)], ManagedBy: [ref(BMC)] },
    Actions: { '#ComputerSystem.Reset': { target: `${SYS}/Actions/ComputerSystem.Reset`, 'ResetType@Redfish.AllowableValues': RESET_TYPES } },
  };
}

function manager(d: Device): Record<string, unknown> {
  return {
    '@odata.type': T.Manager,
    '@odata.id': BMC,
    Id: 'bmc',
    Name: 'OpenBmc Manager',
    Description: 'Baseboard Management Controller',
    ManagerType: 'BMC',
    Model: 'OpenBmc',
    FirmwareVersion: d.firmware.get('bmc_active')!.version,
    UUID: d.init.uuid,
    ServiceEntryPointUUID: d.init.uuid,
    DateTime: d.clock.iso(),
    DateTimeLocalOffset: '+00:00',
    LastResetTime: d.clock.iso(d.bmcLastReset),
    PowerState: 'On',
    Status: status('Enabled', 'OK'),
    LogServices: ref(`${BMC}/LogServices`),
    Links: { ManagerForServers: [ref(SYS)], ManagerForChassis: [ref(CHASSIS)], ManagerInChassis: ref(CHASSIS) },
    Actions: { '#Manager.Reset': { target: `${BMC}/Actions/Manager.Reset`, 'ResetType@Redfish.AllowableValues': ['GracefulRestart', 'ForceRestart'] } },
  };
}

function chassis(d: Device): Record<string, unknown> {
  return {
    '@odata.type': T.Chassis,
    '@odata.id': CHASSIS,
    Id: 'chassis',
    Name: 'chassis',
    ChassisType: 'RackMount',
    Manufacturer: 'OpenBMC Sim',
    Model: 'Sim Server 2U',
    SerialNumber: d.init.serial,
    PowerState: d.power,
    Status: status('Enabled', hw(d).slots.some((s) => s.health !== 'OK') ? 'Critical' : 'OK'),
    PCIeDevices: ref(`${CHASSIS}/PCIeDevices`),
    NetworkAdapters: ref(`${CHASSIS}/NetworkAdapters`),
    Sensors: ref(`${CHASSIS}/Sensors`),
    EnvironmentMetrics: ref(`${CHASSIS}/EnvironmentMetrics`),
    Links: { ComputerSystems: [ref(SYS)], ManagedBy: [ref(BMC)], ManagersInChassis: [ref(BMC)] },
  };
}

function dpuSerial(slot: HostHardware['slots'][number]): string | undefined {
  return slot.dpu()?.init.serial;
}

function pcieDevice(slot: HostHardware['slots'][number]): Record<string, unknown> {
  return {
    '@odata.type': T.PCIeDevice,
    '@odata.id': `${CHASSIS}/PCIeDevices/${slot.id}`,
    Id: slot.id,
    Name: `BlueField-3 DPU in ${slot.id}`,
    Manufacturer: 'Nvidia',
    Model: 'BlueField-3 B3220',
    SerialNumber: dpuSerial(slot),
    DeviceType: 'MultiFunction',
    PCIeInterface: { PCIeType: 'Gen5', MaxPCIeType: 'Gen5', LanesInUse: 16, MaxLanes: 16 },
    Slot: { SlotType: 'FullLength', PCIeType: 'Gen5', Lanes: 16, Location: { PartLocation: { ServiceLabel: slot.id.toUpperCase(), LocationType: 'Slot' } } },
    Status: status('Enabled', slot.health),
    Links: { Chassis: [ref(CHASSIS)] },
  };
}

function adapter(slot: HostHardware['slots'][number]): Record<string, unknown> {
  // Ports, functions and capabilities live in components.ts; this keeps the identity the DPU pairing reads.
  return {
    '@odata.type': T.NetworkAdapter,
    '@odata.id': `${CHASSIS}/NetworkAdapters/${slot.id}`,
    Id: slot.id,
    Name: `BlueField-3 DPU in ${slot.id}`,
    Manufacturer: 'Nvidia',
    Model: 'BlueField-3 B3220',
    SerialNumber: dpuSerial(slot),
    Status: status('Enabled', slot.health),
    ...cardAdapterExtras(slot),
  };
}

export function hostRoutes(): Route[] {
  return [
    { path: SYS, get: ({ device }) => ok(system(device)), patch: (ctx) => patchSystem(ctx, BOOT_TARGETS) },
    {
      path: `${SYS}/Actions/ComputerSystem.Reset`,
      post: async (ctx) => {
        const type = await resetType(ctx, RESET_TYPES, 'ComputerSystem.Reset');
        if (type.includes('Restart') || type === 'PowerCycle') enforceResetInterval(ctx.device);
        genericReset(ctx.device, type);
        return noContent();
      },
    },
    { path: `${SYS}/Memory`, get: ({ device }) => ok(collection(`${SYS}/Memory`, 'MemoryCollection', 'Memory Module Collection', hw(device).dimms.map((m) => `${SYS}/Memory/${m.id}`))) },
    {
      path: `${SYS}/Memory/{id}`,
      get: ({ device, params, path }) => {
        const m = hw(device).dimms.find((x) => x.id === params.id);
        if (!m) return fail(404, 'Base.1.22.ResourceMissingAtURI', [path]);
        const b: Record<string, unknown> = { '@odata.type': T.Memory, '@odata.id': path, Id: m.id, Name: `DIMM ${m.id}`, Status: status(m.state, m.health) };
        if (m.state === 'Enabled') Object.assign(b, { MemoryDeviceType: 'DDR5', CapacityMiB: 32768, OperatingSpeedMhz: 4800, Manufacturer: 'Sim Memory', PartNumber: 'SIM-DDR5-32G', SerialNumber: componentSerial(device.init.serial, `dimm/${m.id}`), BaseModuleType: 'RDIMM', MemoryType: 'DRAM', Metrics: ref(memoryMetricsUri(m.id)) });
        return ok(b);
      },
    },
    { path: BMC, get: ({ device }) => ok(manager(device)) },
    managerResetRoute(`${BMC}/Actions/Manager.Reset`),
    { path: CHASSIS, get: ({ device }) => ok(chassis(device)) },
    { path: `${CHASSIS}/PCIeDevices`, get: ({ device }) => ok(collection(`${CHASSIS}/PCIeDevices`, 'PCIeDeviceCollection', 'PCIe Device Collection', hw(device).slots.map((s) => `${CHASSIS}/PCIeDevices/${s.id}`))) },
    {
      path: `${CHASSIS}/PCIeDevices/{id}`,
      get: ({ device, params, path }) => {
        const s = hw(device).slots.find((x) => x.id === params.id);
        return s ? ok(pcieDevice(s)) : fail(404, 'Base.1.22.ResourceMissingAtURI', [path]);
      },
    },
    { path: `${CHASSIS}/NetworkAdapters`, get: ({ device }) => ok(collection(`${CHASSIS}/NetworkAdapters`, 'NetworkAdapterCollection', 'Network Adapter Collection', hw(device).slots.map((s) => `${CHASSIS}/NetworkAdapters/${s.id}`))) },
    {
      path: `${CHASSIS}/NetworkAdapters/{id}`,
      get: ({ device, params, path }) => {
        const s = hw(device).slots.find((x) => x.id === params.id);
        return s ? ok(adapter(s)) : fail(404, 'Base.1.22.ResourceMissingAtURI', [path]);
      },
    },
  ];
}
