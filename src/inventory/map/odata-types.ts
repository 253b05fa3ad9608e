/**
 * The one `@odata.type` per resource the inventory mapper emits. Each is the newest version in DSP8010 2025.4, so every
 * property the mapper writes exists in it (`LastResetCause` needs ComputerSystem v1_23, `SystemType: DPU` v1_16, `Links.OffloadedNetworkDeviceFunctions` v1_17,
 * `Staged` SoftwareInventory v1_12, `Status.Conditions` Resource v1_11). Manager matches `src/redfish/odata.ts`; a test
 * keeps the two tables in step.
 */
export const MAP_TYPES = {
  ComputerSystem: '#ComputerSystem.v1_27_0.ComputerSystem',
  Chassis: '#Chassis.v1_28_0.Chassis',
  Manager: '#Manager.v1_24_0.Manager',
  SoftwareInventory: '#SoftwareInventory.v1_13_0.SoftwareInventory',
  EnvironmentMetrics: '#EnvironmentMetrics.v1_5_0.EnvironmentMetrics',
  Processor: '#Processor.v1_22_0.Processor',
  Memory: '#Memory.v1_23_0.Memory',
  Storage: '#Storage.v1_21_0.Storage',
  Drive: '#Drive.v1_22_0.Drive',
  NetworkAdapter: '#NetworkAdapter.v1_14_0.NetworkAdapter',
  NetworkDeviceFunction: '#NetworkDeviceFunction.v1_11_1.NetworkDeviceFunction',
  PCIeDevice: '#PCIeDevice.v1_21_0.PCIeDevice',
  AccelerationFunction: '#AccelerationFunction.v1_0_5.AccelerationFunction',
  Sensor: '#Sensor.v1_12_0.Sensor',
} as const;

/** Collection types are unversioned, as DMTF publishes them. */
export const COLLECTION_TYPES = {
  Processor: '#ProcessorCollection.ProcessorCollection',
  Memory: '#MemoryCollection.MemoryCollection',
  Storage: '#StorageCollection.StorageCollection',
  Drive: '#DriveCollection.DriveCollection',
  NetworkAdapter: '#NetworkAdapterCollection.NetworkAdapterCollection',
  NetworkDeviceFunction: '#NetworkDeviceFunctionCollection.NetworkDeviceFunctionCollection',
  PCIeDevice: '#PCIeDeviceCollection.PCIeDeviceCollection',
  AccelerationFunction: '#AccelerationFunctionCollection.AccelerationFunctionCollection',
  Sensor: '#SensorCollection.SensorCollection',
} as const;

/**
 * Properties every document gets from the gateway, never from a bag: identity of the document itself, its Status
 * (with conditions only the gateway knows), its Links and Actions (which must point into the aggregated tree), and
 * Oem (OEM content lives only under `Oem.Shoal`). The generated allow-lists leave these out; the list lives here, in
 * a file without imports, so the generator runs even when `allow-lists.ts` is missing.
 */
export const GATEWAY_OWNED: readonly string[] = ['@odata.context', '@odata.etag', '@odata.id', '@odata.type', 'Actions', 'Id', 'Links', 'Name', 'Oem', 'Status'];

/** A resource type the mapper emits. */
export type MappedType = keyof typeof MAP_TYPES;

/** `#Processor.v1_22_0.Processor` → `{ namespace: 'Processor', version: 'v1_22_0' }`. */
export function splitType(odataType: string): { namespace: string; version?: string } {
  const m = /^#([A-Za-z0-9]+)(?:\.(v\d+_\d+_\d+))?\.[A-Za-z0-9]+$/.exec(odataType);
  if (!m) throw new Error(`bad @odata.type ${odataType}`);
  return m[2] ? { namespace: m[1]!, version: m[2] } : { namespace: m[1]! };
}
