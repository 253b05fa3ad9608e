import { ROOT } from '../odata.js';
import type { ResourceDef } from '../types.js';
import { fleetCollection, storedSubtree } from './inventory-tree.js';

/** `/redfish/v1/Chassis`: host chassis and DPU cards (`ContainedBy` their host), with sensors and adapters below them. */
export const chassisResources: ResourceDef[] = [
  fleetCollection(`${ROOT}/Chassis`, 'ChassisCollection', 'Chassis Collection'),
  storedSubtree(`${ROOT}/Chassis`, 'Chassis'),
];
