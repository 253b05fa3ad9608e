import type { Device } from '../../core/device.js';
import { fail, noContent, ok, RedfishError, type Route } from '../../http/router.js';
import { ref, status, T } from '../../services/shapes.js';
import { enforceResetInterval, genericReset, managerResetRoute, powerAndBoot, patchSystem, resetType, systemState } from '../../services/system.js';

export const SYSTEM_PATH = '/redfish/v1/Systems/Bluefield';
export const BMC_PATH = '/redfish/v1/Managers/Bluefield_BMC';
const CARD = '/redfish/v1/Chassis/Card1';
const BMC_CHASSIS = '/redfish/v1/Chassis/Bluefield_BMC';

const BMC_SETTLE_MS = 30_000;
const RESET_TYPES = ['On', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'PowerCycle'];
const BOOT_TARGETS = ['None', 'Pxe', 'Hdd', 'UefiShell', 'UefiHttp', 'UefiTarget'];

/** Whether the host currently lets the DPU be hard-reset (BlueField-3: host asserts All_STANDBY). */
export function hostPermitsPowerCycle(d: Device): boolean {
  const p = d.extra.hostPermitsPowerCycle;
  return typeof p === 'function' ? Boolean((p as () => boolean)()) : p === true;
}

/**
 * Called by the fleet when the host of this DPU resets or powers off: the host then asserts All_STANDBY, and a power
 * cycle the DPU BMC was asked for goes ahead.
 */
export function onHostStandby(d: Device): void {
  if (d.extra.pendingPowerCycle) {
    d.extra.pendingPowerCycle = false;
    d.powerCycle();
  }
}

function system(d: Device): Record<string, unknown> {
  return {
    '@odata.type': T.ComputerSystem,
    '@odata.id': SYSTEM_PATH,
    Id: 'Bluefield',
    Name: 'Bluefield',
    Description: 'BlueField-3 DPU Arm subsystem',
    // BlueField BMC firmware reports its Arm system as "Physical", not "DPU"; the gateway has to correct it.
    SystemType: 'Physical',
    Manufacturer: 'Nvidia',
    Model: 'BlueField-3 DPU',
    PartNumber: d.extra.partNumber,
    SerialNumber: d.extra.socSerial,
    UUID: d.init.uuid,
    AssetTag: d.assetTag,
    ...powerAndBoot(d, BOOT_TARGETS),
    Status: status(systemState(d), d.health),
    ProcessorSummary: { Count: 16, Model: 'ARM Cortex-A78AE' },
    MemorySummary: { TotalSystemMemoryGiB: 32 },
    Processors: ref(`${SYSTEM_PATH}/Processors`),
    Memory: ref(`${SYSTEM_PATH}/Memory`),
    Storage: ref(`${SYSTEM_PATH}/Storage`),
    LogServices: ref(`${SYSTEM_PATH}/LogServices`),
    Links: { Chassis: [ref(CARD)], ManagedBy: [ref(BMC_PATH)] },
    Actions: {
      '#ComputerSystem.Reset': { target: `${SYSTEM_PATH}/Actions/ComputerSystem.Reset`, 'ResetType@Redfish.AllowableValues': RESET_TYPES },
    },
  };
}

function manager(d: Device): Record<string, unknown> {
  return {
    '@odata.type': T.Manager,
    '@odata.id': BMC_PATH,
    Id: 'Bluefield_BMC',
    Name: 'OpenBmc Manager',
    Description: 'Baseboard Management Controller',
    ManagerType: 'BMC',
    Model: 'OpenBmc',
    FirmwareVersion: d.firmware.get('BMC_Firmware')!.version,
    UUID: d.init.uuid,
    DateTime: d.clock.iso(),
    DateTimeLocalOffset: '+00:00',
    LastResetTime: d.clock.iso(d.bmcLastReset),
    PowerState: 'On',
    ServiceEntryPointUUID: d.init.uuid,
    Status: status('Enabled', 'OK'),
    LogServices: ref(`${BMC_PATH}/LogServices`),
    Links: { ManagerForServers: [ref(SYSTEM_PATH)], ManagerForChassis: [ref(CARD)], ManagerInChassis: ref(BMC_CHASSIS) },
    Actions: {
      '#Manager.Reset': { target: `${BMC_PATH}/Actions/Manager.Reset`, 'ResetType@Redfish.AllowableValues': ['GracefulRestart', 'ForceRestart'] },
      '#Manager.ResetToDefaults': { target: `${BMC_PATH}/Actions/Manager.ResetToDefaults`, 'ResetType@Redfish.AllowableValues': ['ResetAll'] },
    },
  };
}

function card(d: Device): Record<string, unknown> {
  return {
    '@odata.type': T.Chassis,
    '@odata.id': CARD,
    Id: 'Card1',
    Name: 'Card1',
    ChassisType: 'Card',
    Manufacturer: 'Nvidia',
    Model: 'BlueField-3 B3220 P-Series',
    PartNumber: d.extra.partNumber,
    SerialNumber: d.init.serial,
    UUID: d.init.uuid,
    PowerState: d.power,
    Status: status(d.power === 'Off' ? 'StandbyOffline' : 'Enabled', d.health),
    NetworkAdapters: ref(`${CARD}/NetworkAdapters`),
    Sensors: ref(`${CARD}/Sensors`),
    EnvironmentMetrics: ref(`${CARD}/EnvironmentMetrics`),
    Links: { ComputerSystems: [ref(SYSTEM_PATH)], ManagedBy: [ref(BMC_PATH)] },
  };
}

function bmcChassis(d: Device): Record<string, unknown> {
  return {
    '@odata.type': T.Chassis,
    '@odata.id': BMC_CHASSIS,
    Id: 'Bluefield_BMC',
    Name: 'Bluefield_BMC',
    ChassisType: 'Module',
    Manufacturer: 'Nvidia',
    Model: 'BlueField-3 BMC',
    SerialNumber: d.init.serial,
    Status: status('Enabled', 'OK'),
    Links: { ManagedBy: [ref(BMC_PATH)], ManagersInChassis: [ref(BMC_PATH)] },
  };
}

export function bf3Routes(): Route[] {
  return [
    { path: SYSTEM_PATH, get: ({ device }) => ok(system(device)), patch: (ctx) => patchSystem(ctx, BOOT_TARGETS) },
    {
      path: `${SYSTEM_PATH}/Actions/ComputerSystem.Reset`,
      post: async (ctx) => {
        const d = ctx.device;
        const type = await resetType(ctx, RESET_TYPES, 'ComputerSystem.Reset');
        if (type !== 'On' && type !== 'GracefulShutdown') {
          enforceResetInterval(d);
          // NVIDIA: wait until the BMC's services are up (about 30 s) after a BMC reboot before resetting the DPU.
          const sinceBmc = d.clock.now() - d.bmcLastReset;
          if (sinceBmc < BMC_SETTLE_MS) throw new RedfishError(409, 'Base.1.22.ResourceInUse', [], { 'Retry-After': String(Math.ceil((BMC_SETTLE_MS - sinceBmc) / 1000)) });
        }
        if (type === 'PowerCycle') {
          // A hard reset of Arm cores and NIC needs the host to assert All_STANDBY; until then the request waits.
          d.lastSystemReset = d.clock.now();
          if (hostPermitsPowerCycle(d)) d.powerCycle();
          else d.extra.pendingPowerCycle = true;
          return noContent();
        }
        if (type === 'ForceRestart' || type === 'GracefulRestart') {
          if (d.power === 'Off') throw new RedfishError(409, 'Base.1.22.ResourceInStandby');
        }
        genericReset(d, type);
        return noContent();
      },
    },
    { path: BMC_PATH, get: ({ device }) => ok(manager(device)) },
    managerResetRoute(`${BMC_PATH}/Actions/Manager.Reset`),
    {
      path: `${BMC_PATH}/Actions/Manager.ResetToDefaults`,
      post: async (ctx) => {
        const b = await ctx.json();
        if (b.ResetType !== 'ResetAll') return fail(400, 'Base.1.22.ActionParameterValueNotInList', [String(b.ResetType), 'ResetType', 'Manager.ResetToDefaults']);
        ctx.device.clock.setTimeout(() => ctx.device.rebootBmc(ctx.device.profile.bmcBootMs, 'factory reset'), 500);
        return noContent();
      },
    },
    { path: CARD, get: ({ device }) => ok(card(device)) },
    { path: BMC_CHASSIS, get: ({ device }) => ok(bmcChassis(device)) },
  ];
}
