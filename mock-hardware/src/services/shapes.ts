/** Small builders for Redfish payload shapes shared by every persona. */

export const T = {
  ServiceRoot: '#ServiceRoot.v1_20_0.ServiceRoot',
  ComputerSystem: '#ComputerSystem.v1_27_0.ComputerSystem',
  Manager: '#Manager.v1_24_0.Manager',
  Chassis: '#Chassis.v1_28_0.Chassis',
  SoftwareInventory: '#SoftwareInventory.v1_13_0.SoftwareInventory',
  UpdateService: '#UpdateService.v1_17_0.UpdateService',
  TaskService: '#TaskService.v1_3_0.TaskService',
  Task: '#Task.v1_7_4.Task',
  SessionService: '#SessionService.v1_2_0.SessionService',
  Session: '#Session.v1_8_0.Session',
  EventService: '#EventService.v1_12_0.EventService',
  EventDestination: '#EventDestination.v1_16_0.EventDestination',
  LogService: '#LogService.v1_9_0.LogService',
  LogEntry: '#LogEntry.v1_21_0.LogEntry',
  PCIeDevice: '#PCIeDevice.v1_21_0.PCIeDevice',
  NetworkAdapter: '#NetworkAdapter.v1_14_0.NetworkAdapter',
  Memory: '#Memory.v1_23_0.Memory',
  Processor: '#Processor.v1_22_0.Processor',
  ProcessorMetrics: '#ProcessorMetrics.v1_7_0.ProcessorMetrics',
  AccelerationFunction: '#AccelerationFunction.v1_0_5.AccelerationFunction',
  MemoryMetrics: '#MemoryMetrics.v1_8_0.MemoryMetrics',
  Storage: '#Storage.v1_21_0.Storage',
  Drive: '#Drive.v1_22_0.Drive',
  Port: '#Port.v1_18_0.Port',
  NetworkDeviceFunction: '#NetworkDeviceFunction.v1_11_1.NetworkDeviceFunction',
  Sensor: '#Sensor.v1_12_0.Sensor',
  EnvironmentMetrics: '#EnvironmentMetrics.v1_5_0.EnvironmentMetrics',
  AccountService: '#AccountService.v1_18_1.AccountService',
  ManagerAccount: '#ManagerAccount.v1_14_1.ManagerAccount',
  Role: '#Role.v1_3_3.Role',
} as const;

export const ref = (id: string): { '@odata.id': string } => ({ '@odata.id': id });

/** A resource collection payload. */
export function collection(id: string, type: string, name: string, members: string[]): Record<string, unknown> {
  return {
    '@odata.type': `#${type}.${type}`,
    '@odata.id': id,
    Name: name,
    Members: members.map(ref),
    'Members@odata.count': members.length,
  };
}

export function status(state: string, health: string): Record<string, string> {
  return { State: state, Health: health };
}

/** `$metadata` namespace of an `@odata.type` ('#Port.v1_18_0.Port' -> 'Port.v1_18_0'), so personas list what they serve once. */
export function namespaceOf(odataType: string): string {
  const t = odataType.replace(/^#/, '');
  return t.slice(0, t.lastIndexOf('.'));
}
