import { collection, ROOT } from '../odata.js';
import type { ResourceDef } from '../types.js';

/** Systems and Chassis: empty until inventory fills them from managed devices. */
export const emptyCollections: ResourceDef[] = [
  {
    path: `${ROOT}/Systems`,
    entity: 'ComputerSystemCollection',
    collection: true,
    get: () => collection('ComputerSystemCollection', `${ROOT}/Systems`, 'Computer System Collection', []),
  },
  {
    path: `${ROOT}/Chassis`,
    entity: 'ChassisCollection',
    collection: true,
    get: () => collection('ChassisCollection', `${ROOT}/Chassis`, 'Chassis Collection', []),
  },
];
