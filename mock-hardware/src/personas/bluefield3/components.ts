import type { Device } from '../../core/device.js';
import { notFound, ok, type Route } from '../../http/router.js';
import { componentSerial, componentUuid } from '../../services/card-identity.js';
import { collection, ref, status, T } from '../../services/shapes.js';

/**
 * Component inventory of the BlueField-3 Arm system: the Arm complex, the hardware accelerators, on-card DDR5 and eMMC.
 * Figures follow NVIDIA's BlueField-3 B3220 product brief (16 Arm Cortex-A78AE cores, 32 GB DDR5, 16-core RISC-V DPA,
 * crypto/compression/RegEx engines, 128 GB eMMC); readings vary with power state so a gateway sees "consumed" change.
 */

const SYS = '/redfish/v1/Systems/Bluefield';
const PROCS = `${SYS}/Processors`;

/** One hardware acceleration engine; faults change these, so they live on the device. */
export interface AccelFunction {
  id: string;
  processor: 'Accelerators' | 'DPA';
  name: string;
  type: 'Encryption' | 'Compression' | 'PacketInspection' | 'PacketSwitch';
  version: string;
  powerWatts: number;
  state: 'Enabled' | 'Disabled';
}

export function defaultAccelFunctions(nicVersion: string): AccelFunction[] {
  return [
    { id: 'Crypto', processor: 'Accelerators', name: 'Inline and lookaside crypto (IPsec/TLS/MACsec)', type: 'Encryption', version: nicVersion, powerWatts: 6, state: 'Enabled' },
    { id: 'Compression', processor: 'Accelerators', name: 'Compression/decompression engine', type: 'Compression', version: nicVersion, powerWatts: 4, state: 'Enabled' },
    { id: 'Regex', processor: 'Accelerators', name: 'RegEx deep packet inspection engine', type: 'PacketInspection', version: nicVersion, powerWatts: 5, state: 'Enabled' },
    { id: 'PacketProcessing', processor: 'DPA', name: 'ASAP2 packet processing and switching', type: 'PacketSwitch', version: nicVersion, powerWatts: 12, state: 'Enabled' },
  ];
}

export const accelFunctions = (d: Device): AccelFunction[] => {
  // Devices set up before this field existed (or by tests building a bare Device) get the defaults on first read.
  d.extra.accel ??= defaultAccelFunctions(d.firmware.get('DPU_NIC')?.version ?? '32.45.1020');
  return d.extra.accel as AccelFunction[];
};

/** 0..1 load that drifts with virtual time, stable for a given device and minute: enough to show usage moving. */
function load(d: Device, salt: number): number {
  if (d.power !== 'On') return 0;
  const minute = Math.floor(d.clock.now() / 60_000);
  return 0.25 + 0.2 * (1 + Math.sin(minute / 7 + salt + d.init.index)) / 2;
}

const running = (d: Device) => d.power === 'On';
const pstate = (d: Device) => (running(d) ? 'Enabled' : 'StandbyOffline');

interface ProcDef {
  id: string;
  body: (d: Device) => Record<string, unknown>;
}

const PROCESSORS: ProcDef[] = [
  {
    id: 'CPU0',
    body: (d) => ({
      Name: 'Arm Cortex-A78AE complex',
      ProcessorType: 'CPU',
      ProcessorArchitecture: 'ARM',
      InstructionSet: 'ARM-A64',
      Manufacturer: 'ARM',
      Model: 'ARM Cortex-A78AE',
      Socket: 'SoC',
      TotalCores: 16,
      TotalEnabledCores: 16,
      // The A78AE has no SMT, so threads equal cores.
      TotalThreads: 16,
      MaxSpeedMHz: 3000,
      OperatingSpeedMHz: running(d) ? 2600 : 0,
      SerialNumber: String(d.extra.socSerial ?? componentSerial(d.init.serial, 'soc', 'MT')),
      Metrics: ref(`${PROCS}/CPU0/ProcessorMetrics`),
    }),
  },
  {
    id: 'Accelerators',
    body: () => ({
      Name: 'BlueField-3 hardware accelerators',
      ProcessorType: 'Accelerator',
      Manufacturer: 'Nvidia',
      Model: 'BlueField-3 Accelerator Engines',
      AccelerationFunctions: ref(`${PROCS}/Accelerators/AccelerationFunctions`),
    }),
  },
  {
    id: 'DPA',
    body: (d) => ({
      Name: 'Datapath Accelerator',
      ProcessorType: 'Accelerator',
      ProcessorArchitecture: 'RISC-V',
      InstructionSet: 'RV64',
      Manufacturer: 'Nvidia',
      Model: 'BlueField-3 DPA',
      TotalCores: 16,
      TotalEnabledCores: 16,
      TotalThreads: 256,
      MaxSpeedMHz: 1800,
      OperatingSpeedMHz: running(d) ? 1800 : 0,
      AccelerationFunctions: ref(`${PROCS}/DPA/AccelerationFunctions`),
    }),
  },
];

function processor(d: Device, p: ProcDef): Record<string, unknown> {
  const fns = accelFunctions(d).filter((f) => f.processor === p.id);
  // An accelerator whose engine is offline is still present but degraded, which is how the gateway should see it.
  const degraded = fns.some((f) => f.state !== 'Enabled');
  return {
    '@odata.type': T.Processor,
    '@odata.id': `${PROCS}/${p.id}`,
    Id: p.id,
    ...p.body(d),
    Status: status(pstate(d), degraded ? 'Warning' : 'OK'),
    Links: { Chassis: ref('/redfish/v1/Chassis/Card1') },
  };
}

function accelerationFunction(d: Device, f: AccelFunction): Record<string, unknown> {
  return {
    '@odata.type': T.AccelerationFunction,
    '@odata.id': `${PROCS}/${f.processor}/AccelerationFunctions/${f.id}`,
    Id: f.id,
    Name: f.name,
    AccelerationFunctionType: f.type,
    Manufacturer: 'Nvidia',
    Version: f.version,
    UUID: componentUuid(d.init.serial, `accel/${f.id}`),
    PowerWatts: f.state === 'Enabled' && running(d) ? f.powerWatts : 0,
    Status: status(f.state === 'Enabled' ? pstate(d) : 'Disabled', f.state === 'Enabled' ? 'OK' : 'Warning'),
  };
}

function processorMetrics(d: Device): Record<string, unknown> {
  const l = load(d, 0);
  const pct = (x: number) => Math.round(x * 1000) / 10;
  return {
    '@odata.type': T.ProcessorMetrics,
    '@odata.id': `${PROCS}/CPU0/ProcessorMetrics`,
    Id: 'ProcessorMetrics',
    Name: 'Arm complex metrics',
    BandwidthPercent: pct(l),
    KernelPercent: pct(l * 0.3),
    UserPercent: pct(l * 0.7),
    OperatingSpeedMHz: running(d) ? 2600 : 0,
    ConsumedPowerWatt: running(d) ? Math.round(18 + 25 * l) : 0,
    CoreMetrics: Array.from({ length: 16 }, (_, i) => ({ CoreId: String(i), InstructionsPerCycle: running(d) ? Math.round((1.2 + load(d, i) * 2) * 100) / 100 : 0 })),
  };
}

/** Two 16 GiB DDR5 packages soldered to the card: 32 GiB, as ProcessorSummary and MemorySummary state. */
const MEMORY = ['DDR5_0', 'DDR5_1'];

function memory(d: Device, id: string): Record<string, unknown> {
  return {
    '@odata.type': T.Memory,
    '@odata.id': `${SYS}/Memory/${id}`,
    Id: id,
    Name: `On-card DDR5 ${id.slice(-1)}`,
    MemoryType: 'DRAM',
    MemoryDeviceType: 'DDR5',
    // Soldered packages, not DIMMs: the schema's "Die" module type is the closest fit.
    BaseModuleType: 'Die',
    CapacityMiB: 16384,
    DataWidthBits: 64,
    BusWidthBits: 72,
    ErrorCorrection: 'MultiBitECC',
    OperatingSpeedMhz: 5200,
    AllowedSpeedsMHz: [5200],
    Manufacturer: 'Micron',
    PartNumber: 'MT62F2G64D8EK-031',
    SerialNumber: componentSerial(d.init.serial, `mem/${id}`),
    Metrics: ref(`${SYS}/Memory/${id}/MemoryMetrics`),
    Status: status(pstate(d), 'OK'),
  };
}

function memoryMetrics(d: Device, id: string): Record<string, unknown> {
  const l = load(d, id.length + Number(id.slice(-1)));
  return {
    '@odata.type': T.MemoryMetrics,
    '@odata.id': `${SYS}/Memory/${id}/MemoryMetrics`,
    Id: 'MemoryMetrics',
    Name: `${id} metrics`,
    BandwidthPercent: Math.round(l * 600) / 10,
    CapacityUtilizationPercent: running(d) ? Math.round((30 + l * 60) * 10) / 10 : 0,
    OperatingSpeedMHz: running(d) ? 5200 : 0,
  };
}

const STORAGE = `${SYS}/Storage/eMMC`;
const DRIVE = `${STORAGE}/Drives/eMMC0`;

function storage(d: Device): Record<string, unknown> {
  return {
    '@odata.type': T.Storage,
    '@odata.id': STORAGE,
    Id: 'eMMC',
    Name: 'On-card eMMC',
    Drives: [ref(DRIVE)],
    'Drives@odata.count': 1,
    Status: status(pstate(d), 'OK'),
  };
}

function drive(d: Device): Record<string, unknown> {
  return {
    '@odata.type': T.Drive,
    '@odata.id': DRIVE,
    Id: 'eMMC0',
    Name: 'eMMC boot and OS device',
    MediaType: 'SSD',
    Protocol: 'eMMC',
    // 128 GB eMMC; the usable user area is a little under the marketed size.
    CapacityBytes: 125_069_950_976,
    BlockSizeBytes: 512,
    Manufacturer: 'Kioxia',
    Model: 'THGAMVG9T23BAIL',
    SerialNumber: componentSerial(d.init.serial, 'emmc'),
    Status: status(pstate(d), 'OK'),
  };
}

export function bf3ComponentRoutes(): Route[] {
  return [
    { path: PROCS, get: () => ok(collection(PROCS, 'ProcessorCollection', 'Processor Collection', PROCESSORS.map((p) => `${PROCS}/${p.id}`))) },
    {
      path: `${PROCS}/{id}`,
      get: ({ device, params, path }) => {
        const p = PROCESSORS.find((x) => x.id === params.id);
        return p ? ok(processor(device, p)) : notFound(path);
      },
    },
    { path: `${PROCS}/CPU0/ProcessorMetrics`, get: ({ device }) => ok(processorMetrics(device)) },
    {
      path: `${PROCS}/{id}/AccelerationFunctions`,
      get: ({ device, params, path }) => {
        if (params.id !== 'Accelerators' && params.id !== 'DPA') return notFound(path);
        const members = accelFunctions(device).filter((f) => f.processor === params.id).map((f) => `${path}/${f.id}`);
        return ok(collection(path, 'AccelerationFunctionCollection', 'Acceleration Function Collection', members));
      },
    },
    {
      path: `${PROCS}/{id}/AccelerationFunctions/{fn}`,
      get: ({ device, params, path }) => {
        const f = accelFunctions(device).find((x) => x.processor === params.id && x.id === params.fn);
        return f ? ok(accelerationFunction(device, f)) : notFound(path);
      },
    },
    { path: `${SYS}/Memory`, get: () => ok(collection(`${SYS}/Memory`, 'MemoryCollection', 'Memory Module Collection', MEMORY.map((m) => `${SYS}/Memory/${m}`))) },
    { path: `${SYS}/Memory/{id}`, get: ({ device, params, path }) => (MEMORY.includes(params.id!) ? ok(memory(device, params.id!)) : notFound(path)) },
    { path: `${SYS}/Memory/{id}/MemoryMetrics`, get: ({ device, params, path }) => (MEMORY.includes(params.id!) ? ok(memoryMetrics(device, params.id!)) : notFound(path)) },
    { path: `${SYS}/Storage`, get: () => ok(collection(`${SYS}/Storage`, 'StorageCollection', 'Storage Collection', [STORAGE])) },
    { path: STORAGE, get: ({ device }) => ok(storage(device)) },
    { path: DRIVE, get: ({ device }) => ok(drive(device)) },
  ];
}
