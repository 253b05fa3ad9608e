import type { Device } from '../../core/device.js';
import { notFound, ok, type Route } from '../../http/router.js';
import { componentSerial, slotCardMacs } from '../../services/card-identity.js';
import { collection, ref, status, T } from '../../services/shapes.js';
import { sensorRoutes, type SensorDef } from '../../services/sensors.js';
import { CHASSIS, CPUS, hw, SYS, type HostHardware } from './hardware.js';
import { processorMetricsUri } from './metrics.js';

/**
 * Host component inventory the way bmcweb serves it: two x86 sockets, NVMe drives, chassis sensors and environment,
 * and the network side of each DPU card in a PCIe slot. A card's port MACs come from the DPU's fleet identity through
 * the same helper the bluefield3 persona uses, so the host's NetworkDeviceFunctions match the DPU's own.
 */

const PROCS = `${SYS}/Processors`;
const STORAGE = `${SYS}/Storage/1`;
const DRIVES = ['nvme0', 'nvme1'];
const SENSORS = `${CHASSIS}/Sensors`;
/** BlueField-3 B3220 cards expose two physical functions to the host, one per port. */
const CARD_PORTS = ['p0', 'p1'];

const on = (d: Device) => d.power === 'On';
const state = (d: Device) => (on(d) ? 'Enabled' : 'StandbyOffline');

type Slot = HostHardware['slots'][number];

/** The DPU's own card MACs; a slot with no modelled DPU still gets stable, unique MACs from the host's block. */
function cardMacs(d: Device, slot: Slot): string[] {
  return slotCardMacs(d.init, hw(d).slots.indexOf(slot), slot.dpu()?.init, CARD_PORTS.length);
}

function cpu(d: Device, id: string): Record<string, unknown> {
  return {
    '@odata.type': T.Processor,
    '@odata.id': `${PROCS}/${id}`,
    Id: id,
    Name: `Processor ${id}`,
    ProcessorType: 'CPU',
    ProcessorArchitecture: 'x86',
    InstructionSet: 'x86-64',
    Manufacturer: 'Intel(R) Corporation',
    Model: 'Intel(R) Xeon(R) Gold 6430',
    Socket: `CPU ${id.slice(-1)}`,
    TotalCores: 32,
    TotalEnabledCores: 32,
    TotalThreads: 64,
    MaxSpeedMHz: 3400,
    OperatingSpeedMHz: on(d) ? 2100 : 0,
    SerialNumber: componentSerial(d.init.serial, `cpu/${id}`),
    Metrics: ref(processorMetricsUri(id)),
    Status: status(state(d), 'OK'),
    Links: { Chassis: ref(CHASSIS) },
  };
}

function storage(d: Device): Record<string, unknown> {
  return {
    '@odata.type': T.Storage,
    '@odata.id': STORAGE,
    Id: '1',
    Name: 'Storage',
    Drives: DRIVES.map((x) => ref(`${STORAGE}/Drives/${x}`)),
    'Drives@odata.count': DRIVES.length,
    Status: status('Enabled', 'OK'),
    Links: { Enclosures: [ref(CHASSIS)] },
  };
}

function drive(d: Device, id: string): Record<string, unknown> {
  return {
    '@odata.type': T.Drive,
    '@odata.id': `${STORAGE}/Drives/${id}`,
    Id: id,
    Name: `NVMe drive ${id.slice(-1)}`,
    MediaType: 'SSD',
    Protocol: 'NVMe',
    CapacityBytes: 3_840_755_982_336,
    BlockSizeBytes: 512,
    Manufacturer: 'Samsung',
    Model: 'MZQL23T8HCLS-00A07',
    SerialNumber: componentSerial(d.init.serial, `drive/${id}`, 'S64H'),
    Status: status('Enabled', 'OK'),
  };
}

/** Readings drift with virtual time and follow power state, so a gateway sees consumption move. */
function readings(d: Device): { cpu: number[]; inlet: number; power: number } {
  const w = (1 + Math.sin(Math.floor(d.clock.now() / 60_000) / 6 + d.init.index)) / 2;
  if (!on(d)) return { cpu: [0, 0], inlet: 22, power: 25 };
  return { cpu: [Math.round(48 + 20 * w), Math.round(46 + 20 * w)], inlet: Math.round(22 + 3 * w), power: Math.round(380 + 220 * w) };
}

const SENSOR_DEFS: SensorDef[] = [
  { id: 'temperature_cpu0', name: 'CPU0 Temp', type: 'Temperature', context: 'CPU', read: (d) => readings(d).cpu[0]!, upperCritical: 100 },
  { id: 'temperature_cpu1', name: 'CPU1 Temp', type: 'Temperature', context: 'CPU', read: (d) => readings(d).cpu[1]!, upperCritical: 100 },
  { id: 'temperature_inlet', name: 'Inlet Temp', type: 'Temperature', context: 'Intake', read: (d) => readings(d).inlet, upperCritical: 45 },
  { id: 'power_total', name: 'Total Power', type: 'Power', context: 'Chassis', read: (d) => readings(d).power, upperCritical: 1600 },
];

function environment(d: Device): Record<string, unknown> {
  const r = readings(d);
  return {
    '@odata.type': T.EnvironmentMetrics,
    '@odata.id': `${CHASSIS}/EnvironmentMetrics`,
    Id: 'EnvironmentMetrics',
    Name: 'Chassis environment metrics',
    TemperatureCelsius: { DataSourceUri: `${SENSORS}/temperature_inlet`, Reading: r.inlet },
    PowerWatts: { DataSourceUri: `${SENSORS}/power_total`, Reading: r.power },
  };
}

function cardPort(slot: Slot, id: string, mac: string, d: Device): Record<string, unknown> {
  return {
    '@odata.type': T.Port,
    '@odata.id': `${CHASSIS}/NetworkAdapters/${slot.id}/Ports/${id}`,
    Id: id,
    Name: `Port ${id}`,
    PortId: id,
    PortProtocol: 'Ethernet',
    PortType: 'BidirectionalPort',
    LinkNetworkTechnology: 'Ethernet',
    MaxSpeedGbps: 200,
    Ethernet: { AssociatedMACAddresses: [mac] },
    Status: status(state(d), slot.health),
  };
}

function cardFunction(slot: Slot, id: string, mac: string, d: Device): Record<string, unknown> {
  const base = `${CHASSIS}/NetworkAdapters/${slot.id}`;
  return {
    '@odata.type': T.NetworkDeviceFunction,
    '@odata.id': `${base}/NetworkDeviceFunctions/${id}`,
    Id: id,
    Name: `Physical function ${id}`,
    NetDevFuncType: 'Ethernet',
    NetDevFuncCapabilities: ['Ethernet'],
    DeviceEnabled: true,
    Ethernet: { MACAddress: mac, PermanentMACAddress: mac },
    AssignablePhysicalPorts: [ref(`${base}/Ports/${id}`)],
    'AssignablePhysicalPorts@odata.count': 1,
    Links: { PhysicalPortAssignment: ref(`${base}/Ports/${id}`) },
    Status: status(state(d), slot.health),
  };
}

/** Extra NetworkAdapter properties the host's card adapter carries: its ports, functions and controller capabilities. */
export function cardAdapterExtras(slot: Slot): Record<string, unknown> {
  const base = `${CHASSIS}/NetworkAdapters/${slot.id}`;
  return {
    Ports: ref(`${base}/Ports`),
    NetworkDeviceFunctions: ref(`${base}/NetworkDeviceFunctions`),
    Controllers: [
      {
        ControllerCapabilities: { NetworkPortCount: CARD_PORTS.length, NetworkDeviceFunctionCount: CARD_PORTS.length, VirtualizationOffload: { SRIOV: { SRIOVVEPACapable: true } } },
        Links: {
          PCIeDevices: [ref(`${CHASSIS}/PCIeDevices/${slot.id}`)],
          Ports: CARD_PORTS.map((p) => ref(`${base}/Ports/${p}`)),
          NetworkDeviceFunctions: CARD_PORTS.map((p) => ref(`${base}/NetworkDeviceFunctions/${p}`)),
        },
      },
    ],
  };
}

const findSlot = (d: Device, id: string | undefined) => hw(d).slots.find((s) => s.id === id);

export function hostComponentRoutes(): Route[] {
  const adapterBase = `${CHASSIS}/NetworkAdapters/{id}`;
  return [
    { path: PROCS, get: () => ok(collection(PROCS, 'ProcessorCollection', 'Processor Collection', CPUS.map((c) => `${PROCS}/${c}`))) },
    { path: `${PROCS}/{id}`, get: ({ device, params, path }) => (CPUS.includes(params.id!) ? ok(cpu(device, params.id!)) : notFound(path)) },
    { path: `${SYS}/Storage`, get: () => ok(collection(`${SYS}/Storage`, 'StorageCollection', 'Storage Collection', [STORAGE])) },
    { path: STORAGE, get: ({ device }) => ok(storage(device)) },
    { path: `${STORAGE}/Drives/{id}`, get: ({ device, params, path }) => (DRIVES.includes(params.id!) ? ok(drive(device, params.id!)) : notFound(path)) },
    ...sensorRoutes(SENSORS, SENSOR_DEFS),
    { path: `${CHASSIS}/EnvironmentMetrics`, get: ({ device }) => ok(environment(device)) },
    {
      path: `${adapterBase}/Ports`,
      get: ({ device, params, path }) => (findSlot(device, params.id) ? ok(collection(path, 'PortCollection', 'Port Collection', CARD_PORTS.map((p) => `${path}/${p}`))) : notFound(path)),
    },
    {
      path: `${adapterBase}/Ports/{port}`,
      get: ({ device, params, path }) => {
        const s = findSlot(device, params.id);
        const i = CARD_PORTS.indexOf(params.port!);
        return s && i >= 0 ? ok(cardPort(s, params.port!, cardMacs(device, s)[i]!, device)) : notFound(path);
      },
    },
    {
      path: `${adapterBase}/NetworkDeviceFunctions`,
      get: ({ device, params, path }) =>
        findSlot(device, params.id) ? ok(collection(path, 'NetworkDeviceFunctionCollection', 'Network Device Function Collection', CARD_PORTS.map((p) => `${path}/${p}`))) : notFound(path),
    },
    {
      path: `${adapterBase}/NetworkDeviceFunctions/{fn}`,
      get: ({ device, params, path }) => {
        const s = findSlot(device, params.id);
        const i = CARD_PORTS.indexOf(params.fn!);
        return s && i >= 0 ? ok(cardFunction(s, params.fn!, cardMacs(device, s)[i]!, device)) : notFound(path);
      },
    },
  ];
}
