import type { Device, DeviceProfile } from '../../core/device.js';
import { applyCommonFault, onFaultsCleared } from '../../core/apply-fault.js';
import type { Fault } from '../../core/faults.js';
import { Router } from '../../http/router.js';
import { commonRoutes } from '../../services/common.js';
import { logRoutes } from '../../services/logs.js';
import { COMMON_NAMESPACES, metadataXml } from '../../services/metadata.js';
import { namespaceOf, T } from '../../services/shapes.js';
import { updateRoutes } from '../../services/update.js';
import type { Persona, SetupContext } from '../persona.js';
import { bf3CardRoutes } from './card.js';
import { accelFunctions, bf3ComponentRoutes, defaultAccelFunctions } from './components.js';
import { bf3Routes, BMC_PATH, SYSTEM_PATH } from './resources.js';

/** Components a raw BFB bundle carries (BF-Bundle: firmware + Arm OS). */
const BFB_COMPONENTS = ['DPU_ATF', 'DPU_UEFI', 'DPU_BSP', 'DPU_OS', 'DPU_NIC'];

const defaultVersions: Record<string, string> = {
  BMC_Firmware: 'BF-25.04-7',
  Bluefield_FW_ERoT: '00.02.0195.0000_n02',
  DPU_ATF: 'v2.2(release):4.11.0-27-g2b6e8b1',
  DPU_BOARD: 'BlueField-3 DPU',
  DPU_BSP: '4.11.0.13578',
  DPU_NIC: '32.45.1020',
  DPU_NODE: 'bf3-node',
  DPU_OFED: 'MLNX_OFED_LINUX-25.04-0.6.1',
  DPU_OS: 'DOCA_3.0.0_BSP_4.11.0_Ubuntu_22.04-6.20250501',
  DPU_SYS_IMAGE: 'b83f:d203:0090:b5c4',
  DPU_UEFI: '4.11.0-35-g7a5d4d6',
  golden_image_arm: '4.10.0-29-g9e1b7c2',
  golden_image_nic: '32.44.1036',
};

export function bf3Profile(options: Record<string, unknown>): DeviceProfile {
  const d = (options.bootDurations ?? {}) as Record<string, number>;
  const st = (name: string, lastState: DeviceProfile['bootStages'][number]['lastState'], ms: number) => ({ name, lastState, oemLastState: name, durationMs: d[name] ?? ms });
  return {
    bootStages: [
      st('BootRom', 'PrimaryProcessorInitializationStarted', 2_000),
      st('BL2', 'MemoryInitializationStarted', 4_000),
      st('BL31', 'SecondaryProcessorInitializationStarted', 3_000),
      st('UEFI', 'SystemHardwareInitializationComplete', 25_000),
      st('OsStarting', 'OSBootStarted', 45_000),
      st('OsIsRunning', 'OSRunning', 0),
    ],
    powerOnMs: 1_000,
    gracefulShutdownMs: 10_000,
    powerCycleOffMs: 5_000,
    bmcBootMs: Number(options.bmcBootMs ?? 90_000),
    sessionCap: Number(options.sessionCap ?? 64),
    sessionTimeoutS: 1800,
    subscriptionCap: 20,
    minResetIntervalMs: Number(options.minResetIntervalMs ?? 30_000),
    maxPushBytes: 200 * 1024 * 1024,
    requireSignature: options.requireSignature === true,
    crashDumpMs: Number(options.crashDumpMs ?? 60_000),
    bmcRebootAfterUpdate: true,
  };
}

function expandTarget(d: Device, uri: string): string[] | undefined {
  const m = /^\/redfish\/v1\/UpdateService\/FirmwareInventory\/([\w-]+)$/.exec(uri);
  if (m) return d.firmware.get(m[1]!) ? [m[1]!] : undefined;
  if (uri === BMC_PATH) return ['BMC_Firmware'];
  if (uri === SYSTEM_PATH) return BFB_COMPONENTS;
  return undefined;
}

const routes = [
  ...bf3Routes(),
  ...bf3ComponentRoutes(),
  ...bf3CardRoutes(),
  ...logRoutes(`${SYSTEM_PATH}/LogServices`, [
    { id: 'EventLog', name: 'Event Log', log: 'EventLog', entryType: 'Event' },
    { id: 'Dump', name: 'System Dump', log: 'Dump', entryType: 'Multiple', diagnostics: ['OEM'] },
  ], (d) => d.profile.crashDumpMs / 2),
  ...logRoutes(`${BMC_PATH}/LogServices`, [
    { id: 'Dump', name: 'BMC Dump', log: 'BmcDump', entryType: 'Multiple', diagnostics: ['Manager'] },
  ], () => 30_000),
  ...updateRoutes({
    multipartPath: '/redfish/v1/UpdateService/update-multipart',
    transferProtocols: ['HTTP', 'HTTPS', 'SCP'],
    pendingEntries: true,
    expandTarget,
    defaultTargets: () => BFB_COMPONENTS,
    onImmediateSystemInstall: (d) => {
      // A BFB pushed through rshim reboots the Arm cores into the installer; NIC firmware waits for a power cycle.
      d.oemOverride = undefined;
      if (d.power === 'On') d.restart();
    },
  }),
  ...commonRoutes({ product: 'BlueField-3 DPU BMC', vendor: 'Nvidia', systems: [SYSTEM_PATH], chassis: ['/redfish/v1/Chassis/Bluefield_BMC', '/redfish/v1/Chassis/Card1'], managers: [BMC_PATH] }),
];

const metadata = metadataXml([
  ...COMMON_NAMESPACES,
  ...['Processor', 'AccelerationFunction', 'Memory', 'Storage', 'Drive', 'NetworkAdapter', 'Port', 'NetworkDeviceFunction', 'Sensor'].map((c) => `${c}Collection`),
  ...[T.Processor, T.ProcessorMetrics, T.AccelerationFunction, T.Memory, T.MemoryMetrics, T.Storage, T.Drive, T.NetworkAdapter, T.Port, T.NetworkDeviceFunction, T.Sensor, T.EnvironmentMetrics].map(namespaceOf),
]);

/** NVIDIA BlueField-3 DPU BMC. See README.md in this folder for the facts it models and their sources. */
export const bluefield3: Persona = {
  name: 'bluefield3',
  router: new Router().add(routes),
  defaultUser: 'root',
  defaultPassword: '0penBmc',
  paths: () => ({ system: SYSTEM_PATH, manager: BMC_PATH }),
  profile: bf3Profile,
  setup(d: Device, ctx: SetupContext) {
    const versions = { ...defaultVersions, ...((ctx.options.firmware ?? {}) as Record<string, string>) };
    const add = (id: string, name: string, activation: 'bmc-reboot' | 'system-reset' | 'power-cycle' | 'immediate', updateable: boolean, related: string[], flashMs = 120_000) =>
      d.firmware.add({ id, name, version: versions[id]!, activation, updateable, related, manufacturer: 'NVIDIA', flashMs });
    add('BMC_Firmware', 'BMC Firmware', 'bmc-reboot', true, [BMC_PATH], 600_000);
    add('Bluefield_FW_ERoT', 'ERoT Firmware', 'power-cycle', true, ['/redfish/v1/Chassis/Card1']);
    add('DPU_ATF', 'Arm Trusted Firmware', 'system-reset', true, [SYSTEM_PATH]);
    add('DPU_BOARD', 'Board Identity', 'immediate', false, ['/redfish/v1/Chassis/Card1']);
    add('DPU_BSP', 'BlueField BSP', 'system-reset', true, [SYSTEM_PATH]);
    add('DPU_NIC', 'NIC Firmware', 'power-cycle', true, ['/redfish/v1/Chassis/Card1'], 180_000);
    add('DPU_NODE', 'Node', 'immediate', false, [SYSTEM_PATH]);
    add('DPU_OFED', 'OFED', 'system-reset', false, [SYSTEM_PATH]);
    add('DPU_OS', 'Arm OS', 'system-reset', true, [SYSTEM_PATH], 600_000);
    add('DPU_SYS_IMAGE', 'System Image GUID', 'immediate', false, [SYSTEM_PATH]);
    add('DPU_UEFI', 'UEFI', 'system-reset', true, [SYSTEM_PATH]);
    add('golden_image_arm', 'Golden Image (Arm/UEFI)', 'immediate', true, [SYSTEM_PATH]);
    add('golden_image_nic', 'Golden Image (NIC)', 'immediate', true, ['/redfish/v1/Chassis/Card1']);
    d.extra.partNumber = `900-9D3B6-00CV-AA${ctx.rng.int(0, 9)}`;
    d.extra.socSerial = `MT${ctx.rng.int(2300, 2452)}X${ctx.rng.alnum(5)}`;
    if (ctx.parent) d.extra.parent = ctx.parent;
    d.extra.accel = defaultAccelFunctions(versions.DPU_NIC!);
  },
  applyFault(d: Device, f: Fault): boolean {
    switch (f.kind) {
      case 'dpu-kernel-panic':
        d.crashWithDump('OsCrashDumpInProgress', 'OsCrashDumpIsComplete', f.dumpMs ?? d.profile.crashDumpMs, 'ArmOsCrashDump', f.reboot ?? false);
        return true;
      case 'dpu-firmware-crash':
        d.crashWithDump('FWFaultCrashDumpInProgress', 'FWFaultCrashDumpIsComplete', f.dumpMs ?? d.profile.crashDumpMs, 'FirmwareCrashDump', false);
        return true;
      case 'corrupted-flash': {
        const stage = f.stage ?? 'BL2';
        d.addHold({ stage, reason: 'corrupted-flash' });
        d.health = 'Critical';
        d.restart();
        d.publish('Platform.1.3.DeviceBootTimeout', [SYSTEM_PATH], 'Critical', SYSTEM_PATH, true);
        if (f.recover !== false) {
          d.clock.setTimeout(() => {
            // The BMC restores the boot partition from its golden image; the DPU then boots the golden versions.
            d.publish('Platform.1.3.DeviceInRecovery', [SYSTEM_PATH], 'Warning', SYSTEM_PATH, true);
            const golden = d.firmware.get('golden_image_arm')!.version;
            d.firmware.activateNow('DPU_UEFI', golden, 'golden');
            d.firmware.activateNow('DPU_ATF', golden, 'golden');
            d.health = 'OK';
            d.releaseHold('corrupted-flash');
          }, f.recoverAfterMs ?? 300_000);
        }
        return true;
      }
      case 'accelerator-change': {
        const id = f.function ?? 'Regex';
        const fn = accelFunctions(d).find((x) => x.id === id);
        if (!fn) throw new Error(`accelerator-change: no acceleration function ${id}; known: ${accelFunctions(d).map((x) => x.id).join(', ')}`);
        const before = { ...fn };
        if ((f.mode ?? 'disable') === 'disable') fn.state = 'Disabled';
        else {
          // A reprogram loads a different engine image: new version, and possibly a different function type.
          fn.version = f.version ?? `${fn.version}-reprogrammed`;
          if (f.type) fn.type = f.type as typeof fn.type;
        }
        const path = `${SYSTEM_PATH}/Processors/${fn.processor}/AccelerationFunctions/${fn.id}`;
        d.publish('ResourceEvent.1.4.ResourceChanged', [], 'Warning', path, true);
        onFaultsCleared(d, () => Object.assign(fn, before));
        return true;
      }
      case 'host-crash':
      case 'pcie-uncorrectable':
      case 'dimm-failure':
        return false;
      default:
        return applyCommonFault(d, f);
    }
  },
  metadata: () => metadata,
};
