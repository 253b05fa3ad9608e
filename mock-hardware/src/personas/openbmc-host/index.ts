import { applyCommonFault } from '../../core/apply-fault.js';
import type { BootStage, Device, DeviceProfile } from '../../core/device.js';
import type { Fault } from '../../core/faults.js';
import { Router } from '../../http/router.js';
import { commonRoutes } from '../../services/common.js';
import { logRoutes } from '../../services/logs.js';
import { COMMON_NAMESPACES, metadataXml } from '../../services/metadata.js';
import { updateRoutes } from '../../services/update.js';
import type { Persona, SetupContext } from '../persona.js';
import { namespaceOf, T } from '../../services/shapes.js';
import { hostComponentRoutes } from './components.js';
import { hostMetricsRoutes } from './metrics.js';
import { BMC, CHASSIS, hostRoutes, hw, SYS, type HostHardware } from './resources.js';

function profile(options: Record<string, unknown>): DeviceProfile {
  const d = (options.bootDurations ?? {}) as Record<string, number>;
  const st = (lastState: BootStage['lastState'], ms: number, postCode: number): BootStage => ({ name: lastState, lastState, durationMs: d[lastState] ?? ms, postCode });
  return {
    bootStages: [
      st('PrimaryProcessorInitializationStarted', 5_000, 0x01),
      st('MemoryInitializationStarted', 30_000, 0x0b),
      st('SecondaryProcessorInitializationStarted', 5_000, 0x32),
      st('PCIResourceConfigStarted', 15_000, 0x92),
      st('SystemHardwareInitializationComplete', 10_000, 0xa0),
      st('OSBootStarted', 40_000, 0xad),
      st('OSRunning', 0, 0xaf),
    ],
    powerOnMs: 2_000,
    gracefulShutdownMs: 30_000,
    powerCycleOffMs: 10_000,
    bmcBootMs: Number(options.bmcBootMs ?? 120_000),
    sessionCap: Number(options.sessionCap ?? 64),
    sessionTimeoutS: 3600,
    subscriptionCap: 20,
    minResetIntervalMs: Number(options.minResetIntervalMs ?? 0),
    requireSignature: options.requireSignature === true,
    crashDumpMs: Number(options.crashDumpMs ?? 120_000),
    bmcRebootAfterUpdate: true,
  };
}

/** One POST code as bmcweb shows it: `OpenBMC.0.2.BIOSPOSTCode` with the boot count, seconds into the boot and the code. */
function recordPostCode(d: Device, s: BootStage, at: number): void {
  if (s.postCode === undefined) return;
  const code = `0x${s.postCode.toString(16).padStart(2, '0')}`;
  d.log('PostCodes', 1000).add({ created: at, severity: 'OK', entryType: 'Event', messageId: 'OpenBMC.0.2.BIOSPOSTCode', messageArgs: [String(d.bootCount), '0.0000', code], message: `Boot Count: ${d.bootCount}; POST Code: ${code}` });
}

/**
 * A hard host crash is a checkstop: the BMC collects a system dump (bmcweb's `System` dump type) while the host stays
 * hung. A reset before the dump is complete abandons it, as the host memory it reads is gone.
 */
function systemDumpAfterCheckstop(d: Device): void {
  d.clock.setTimeout(() => {
    if (!d.hung) return;
    d.log('Dump').add({
      created: d.clock.now(),
      severity: 'Critical',
      message: 'System dump collected after a host checkstop',
      entryType: 'Event',
      diagnostic: { type: 'OEM', oemType: 'System', sizeBytes: 8 * 1024 * 1024 + d.rng.int(0, 1024 * 1024) },
      origin: SYS,
    });
    d.publish('LogService.1.1.DiagnosticDataCollected', ['System'], 'OK', SYS, true);
  }, d.profile.crashDumpMs);
}

const routes = [
  ...hostRoutes(),
  ...hostComponentRoutes(),
  ...hostMetricsRoutes(),
  ...logRoutes(`${SYS}/LogServices`, [
    { id: 'EventLog', name: 'Event Log', log: 'EventLog', entryType: 'Event' },
    { id: 'PostCodes', name: 'POST Code Log', log: 'PostCodes', entryType: 'Event' },
    { id: 'Dump', name: 'System Dump', log: 'Dump', entryType: 'Multiple', diagnostics: ['OS'] },
  ], (d) => d.profile.crashDumpMs),
  ...logRoutes(`${BMC}/LogServices`, [{ id: 'Dump', name: 'BMC Dump', log: 'BmcDump', entryType: 'Multiple', diagnostics: ['Manager'] }], () => 60_000),
  ...updateRoutes({
    multipartPath: '/redfish/v1/UpdateService/update',
    transferProtocols: ['HTTP', 'HTTPS', 'TFTP'],
    pendingEntries: false,
    expandTarget: (d, uri) => {
      if (uri === BMC) return ['bmc_active'];
      if (uri === SYS) return ['bios_active'];
      const m = /^\/redfish\/v1\/UpdateService\/FirmwareInventory\/(\w+)$/.exec(uri);
      return m && d.firmware.get(m[1]!) ? [m[1]!] : undefined;
    },
    defaultTargets: () => ['bmc_active'],
  }),
  ...commonRoutes({ product: 'OpenBMC', vendor: 'OpenBMC', systems: [SYS], chassis: [CHASSIS], managers: [BMC] }),
];

const metadata = metadataXml([...COMMON_NAMESPACES, 'MemoryCollection', 'Memory.v1_23_0', 'PCIeDeviceCollection', 'PCIeDevice.v1_21_0', 'NetworkAdapterCollection', 'NetworkAdapter.v1_14_0',
  ...['Processor', 'Storage', 'Drive', 'Port', 'NetworkDeviceFunction', 'Sensor'].map((c) => `${c}Collection`),
  ...[T.Processor, T.ProcessorMetrics, T.MemoryMetrics, T.Storage, T.Drive, T.Port, T.NetworkDeviceFunction, T.Sensor, T.EnvironmentMetrics].map(namespaceOf),
]);

/** An OpenBMC (bmcweb-style) server BMC with DPUs in its PCIe slots. See README.md. */
export const openbmcHost: Persona = {
  name: 'openbmc-host',
  router: new Router().add(routes),
  defaultUser: 'root',
  defaultPassword: '0penBmc',
  paths: () => ({ system: SYS, manager: BMC }),
  profile,
  setup(d: Device, ctx: SetupContext) {
    const fw = (ctx.options.firmware ?? {}) as Record<string, string>;
    d.firmware.add({ id: 'bmc_active', name: 'BMC firmware', version: fw.bmc_active ?? '2.18.0-dev-1022-g5c1a2b3', activation: 'bmc-reboot', updateable: true, related: [BMC], manufacturer: 'OpenBMC', flashMs: 300_000 });
    d.firmware.add({ id: 'bios_active', name: 'Host firmware', version: fw.bios_active ?? '1.9.2', activation: 'system-reset', updateable: true, related: [SYS], manufacturer: 'OpenBMC', flashMs: 180_000 });
    const dimmCount = Number(ctx.options.dimms ?? 8);
    const children = ctx.children?.() ?? [];
    const slots = Number(ctx.options.slots ?? Math.max(children.length, 0));
    const h: HostHardware = {
      dimms: Array.from({ length: dimmCount }, (_, i) => ({ id: `dimm${i}`, state: 'Enabled' as const, health: 'OK' as const })),
      slots: Array.from({ length: slots }, (_, i) => ({ id: `slot${i + 1}`, dpu: () => ctx.children?.()[i], health: 'OK' as const })),
    };
    d.extra.hw = h;
    d.on('stage', (s: BootStage) => recordPostCode(d, s, d.clock.now()));
    d.on('prior-boot', (stages: BootStage[]) => {
      // bmcweb keeps the codes of past boots, so a host found running shows the boot that got it there.
      let at = d.clock.now() - stages.reduce((ms, s) => ms + s.durationMs, 0);
      for (const s of stages) {
        recordPostCode(d, s, at);
        at += s.durationMs;
      }
    });
  },
  applyFault(d: Device, f: Fault): boolean {
    switch (f.kind) {
      case 'host-crash':
        d.publish('Platform.1.3.OperatingSystemCrash', [SYS], 'Critical', SYS, true);
        if (f.mode === 'soft') {
          // The OS panics and the watchdog resets the host: BootProgress runs through the stages again.
          d.clock.setTimeout(() => d.power === 'On' && d.restart(), 5_000);
        } else {
          d.hung = true;
          d.health = 'Critical';
          systemDumpAfterCheckstop(d);
        }
        return true;
      case 'pcie-uncorrectable': {
        const slot = f.slot ? hw(d).slots.find((s) => s.id === f.slot) : hw(d).slots[0];
        if (!slot) throw new Error(`pcie-uncorrectable: no slot ${f.slot ?? '(host has no slots)'}`);
        slot.health = 'Critical';
        d.publish('Platform.1.3.PCIeUncorrectableError', [`${CHASSIS}/PCIeDevices/${slot.id}`], 'Critical', `${CHASSIS}/PCIeDevices/${slot.id}`, true);
        return true;
      }
      case 'dimm-failure': {
        const dimm = f.dimm ? hw(d).dimms.find((m) => m.id === f.dimm) : hw(d).dimms[0];
        if (!dimm) throw new Error(`dimm-failure: no DIMM ${f.dimm}`);
        if (f.mode === 'missing') dimm.state = 'Absent';
        dimm.health = 'Critical';
        d.health = 'Critical';
        d.addHold({ stage: 'MemoryInitializationStarted', reason: 'dimm-failure' });
        const path = `${SYS}/Memory/${dimm.id}`;
        d.publish(f.mode === 'missing' ? 'Platform.1.3.DeviceMissing' : 'Platform.1.3.MemoryUncorrectableError', [path], 'Critical', path, true);
        if (d.power === 'On') d.restart();
        return true;
      }
      case 'dpu-kernel-panic':
      case 'dpu-firmware-crash':
      case 'corrupted-flash':
      // Accelerators belong to the DPU's own BMC; the host only sees the card's PCIe and network functions.
      case 'accelerator-change':
        return false;
      default:
        return applyCommonFault(d, f);
    }
  },
  metadata: () => metadata,
};
