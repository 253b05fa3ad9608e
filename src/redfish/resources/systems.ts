import { ROOT } from '../odata.js';
import type { ResourceDef } from '../types.js';
import { fleetCollection, storedSubtree } from './inventory-tree.js';

/**
 * `/redfish/v1/Systems`: every host's and DPU's ComputerSystem, with their processors, memory, storage, log services
 * and the rest below them, as the inventory service stored them.
 */
export const systemResources: ResourceDef[] = [
  fleetCollection(`${ROOT}/Systems`, 'ComputerSystemCollection', 'Computer System Collection'),
  storedSubtree(`${ROOT}/Systems`, 'ComputerSystem'),
];
