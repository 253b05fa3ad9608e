import type { Device } from '../../core/device.js';
import { notFound, ok, type Route } from '../../http/router.js';
import { cardPortMacs } from '../../services/card-identity.js';
import { collection, ref, status, T } from '../../services/shapes.js';
import { sensorRoutes, type SensorDef } from '../../services/sensors.js';

/**
 * The BlueField-3 card's ConnectX-7 network side and its environment, under Chassis/Card1 as NVIDIA's BMC serves it
 * (NetworkAdapters/NvidiaNetworkAdapter). Port MACs are allocated from the DPU's place in the fleet through the shared
 * card-identity helper, which the host persona also uses, so a gateway can match the host's view of the card with the DPU's own.
 */

const CARD = '/redfish/v1/Chassis/Card1';
const NA = `${CARD}/NetworkAdapters/NvidiaNetworkAdapter`;
const SENSORS = `${CARD}/Sensors`;
const PORTS = ['p0', 'p1'];
/** B3220: two 200 GbE / NDR200 ports. */
const PORT_GBPS = 200;
/** ConnectX-7 exposes up to 127 SR-IOV virtual functions per physical function. */
const MAX_VFS = 127;

export const dpuMacs = (d: Device): string[] => cardPortMacs(d.init, PORTS.length);

const on = (d: Device) => d.power === 'On';

function adapter(d: Device): Record<string, unknown> {
  return {
    '@odata.type': T.NetworkAdapter,
    '@odata.id': NA,
    Id: 'NvidiaNetworkAdapter',
    Name: 'NVIDIA Network Adapter',
    Manufacturer: 'Nvidia',
    Model: 'BlueField-3 B3220 P-Series',
    PartNumber: d.extra.partNumber,
    SerialNumber: d.init.serial,
    Ports: ref(`${NA}/Ports`),
    NetworkDeviceFunctions: ref(`${NA}/NetworkDeviceFunctions`),
    Controllers: [
      {
        FirmwarePackageVersion: d.firmware.get('DPU_NIC')?.version,
        ControllerCapabilities: {
          NetworkPortCount: PORTS.length,
          NetworkDeviceFunctionCount: PORTS.length,
          DataCenterBridging: { Capable: true },
          VirtualizationOffload: {
            SRIOV: { SRIOVVEPACapable: true },
            VirtualFunction: { DeviceMaxCount: MAX_VFS, MinAssignmentGroupSize: 1, NetworkPortMaxCount: MAX_VFS },
          },
        },
        PCIeInterface: { PCIeType: 'Gen5', MaxPCIeType: 'Gen5', LanesInUse: 16, MaxLanes: 16 },
        Links: {
          Ports: PORTS.map((p) => ref(`${NA}/Ports/${p}`)),
          NetworkDeviceFunctions: PORTS.map((p) => ref(`${NA}/NetworkDeviceFunctions/${p}`)),
        },
      },
    ],
    Status: status(on(d) ? 'Enabled' : 'StandbyOffline', d.health),
  };
}

function port(d: Device, id: string): Record<string, unknown> {
  const i = PORTS.indexOf(id);
  return {
    '@odata.type': T.Port,
    '@odata.id': `${NA}/Ports/${id}`,
    Id: id,
    Name: `Port ${id}`,
    PortId: id,
    PortProtocol: 'Ethernet',
    PortType: 'BidirectionalPort',
    PortMedium: 'Optical',
    LinkNetworkTechnology: 'Ethernet',
    LinkStatus: on(d) ? 'LinkUp' : 'LinkDown',
    LinkState: 'Enabled',
    MaxSpeedGbps: PORT_GBPS,
    CurrentSpeedGbps: on(d) ? PORT_GBPS : 0,
    Width: 4,
    Ethernet: { AssociatedMACAddresses: [dpuMacs(d)[i]] },
    Status: status(on(d) ? 'Enabled' : 'StandbyOffline', 'OK'),
  };
}

function deviceFunction(d: Device, id: string): Record<string, unknown> {
  const mac = dpuMacs(d)[PORTS.indexOf(id)];
  return {
    '@odata.type': T.NetworkDeviceFunction,
    '@odata.id': `${NA}/NetworkDeviceFunctions/${id}`,
    Id: id,
    Name: `Physical function ${id}`,
    NetDevFuncType: 'Ethernet',
    NetDevFuncCapabilities: ['Ethernet'],
    DeviceEnabled: true,
    MaxVirtualFunctions: MAX_VFS,
    Ethernet: { MACAddress: mac, PermanentMACAddress: mac, MTUSize: 1500, MTUSizeMaximum: 9216 },
    AssignablePhysicalPorts: [ref(`${NA}/Ports/${id}`)],
    'AssignablePhysicalPorts@odata.count': 1,
    Links: {
      PhysicalPortAssignment: ref(`${NA}/Ports/${id}`),
      // The Arm cores run the offloads for this function: that is what makes the card a DPU rather than a NIC.
      OffloadProcessors: [ref('/redfish/v1/Systems/Bluefield/Processors/CPU0')],
      'OffloadProcessors@odata.count': 1,
    },
    Status: status(on(d) ? 'Enabled' : 'StandbyOffline', 'OK'),
  };
}

/** Card readings: idle near 30 °C / 12 W standby, roughly 60 °C / 80 W when running, drifting with virtual time. */
function readings(d: Device): { temp: number; power: number; socTemp: number } {
  if (!on(d)) return { temp: 30, power: 12, socTemp: 32 };
  const w = (1 + Math.sin(Math.floor(d.clock.now() / 60_000) / 5 + d.init.index)) / 2;
  return { temp: Math.round(55 + 10 * w), power: Math.round(70 + 25 * w), socTemp: Math.round(62 + 12 * w) };
}

const SENSOR_DEFS: SensorDef[] = [
  { id: 'Card1_Temp', name: 'Card temperature', type: 'Temperature', context: 'Board', read: (d) => readings(d).temp, upperCritical: 95 },
  { id: 'SoC_Temp', name: 'BlueField SoC temperature', type: 'Temperature', context: 'CPU', read: (d) => readings(d).socTemp, upperCritical: 105 },
  { id: 'Card1_Power', name: 'Card total power', type: 'Power', context: 'Board', read: (d) => readings(d).power, upperCritical: 150 },
];

function environment(d: Device): Record<string, unknown> {
  const r = readings(d);
  return {
    '@odata.type': T.EnvironmentMetrics,
    '@odata.id': `${CARD}/EnvironmentMetrics`,
    Id: 'EnvironmentMetrics',
    Name: 'Card1 environment metrics',
    TemperatureCelsius: { DataSourceUri: `${SENSORS}/Card1_Temp`, Reading: r.temp },
    PowerWatts: { DataSourceUri: `${SENSORS}/Card1_Power`, Reading: r.power },
  };
}

export function bf3CardRoutes(): Route[] {
  return [
    { path: `${CARD}/NetworkAdapters`, get: () => ok(collection(`${CARD}/NetworkAdapters`, 'NetworkAdapterCollection', 'Network Adapter Collection', [NA])) },
    { path: NA, get: ({ device }) => ok(adapter(device)) },
    { path: `${NA}/Ports`, get: () => ok(collection(`${NA}/Ports`, 'PortCollection', 'Port Collection', PORTS.map((p) => `${NA}/Ports/${p}`))) },
    { path: `${NA}/Ports/{id}`, get: ({ device, params, path }) => (PORTS.includes(params.id!) ? ok(port(device, params.id!)) : notFound(path)) },
    {
      path: `${NA}/NetworkDeviceFunctions`,
      get: () => ok(collection(`${NA}/NetworkDeviceFunctions`, 'NetworkDeviceFunctionCollection', 'Network Device Function Collection', PORTS.map((p) => `${NA}/NetworkDeviceFunctions/${p}`))),
    },
    { path: `${NA}/NetworkDeviceFunctions/{id}`, get: ({ device, params, path }) => (PORTS.includes(params.id!) ? ok(deviceFunction(device, params.id!)) : notFound(path)) },
    ...sensorRoutes(SENSORS, SENSOR_DEFS),
    { path: `${CARD}/EnvironmentMetrics`, get: ({ device }) => ok(environment(device)) },
  ];
}
