import { link, ROOT, TYPES, type Json } from '../odata.js';
import type { ResourceDef } from '../types.js';
import { fleetCollection, storedSubtree } from './inventory-tree.js';

const URI = `${ROOT}/UpdateService`;

/**
 * The UpdateService: the fleet's firmware and software, each id prefixed by its aggregation source. `Actions` is there
 * though it offers none yet: DMTF's schema makes it optional, but clients do not (sushy's UpdateService requires it and
 * refuses the whole resource without it, so `firmware_inventory` was out of reach).
 */
function buildUpdateService(): Json {
  return {
    '@odata.id': URI,
    '@odata.type': TYPES.UpdateService,
    Id: 'UpdateService',
    Name: 'Update Service',
    Description: 'Firmware and software of every managed device',
    ServiceEnabled: true,
    Status: { State: 'Enabled', Health: 'OK' },
    FirmwareInventory: link(`${URI}/FirmwareInventory`),
    SoftwareInventory: link(`${URI}/SoftwareInventory`),
    Actions: {},
  };
}

export const updateServiceResources: ResourceDef[] = [
  { path: URI, entity: 'UpdateService', get: buildUpdateService },
  fleetCollection(`${URI}/FirmwareInventory`, 'SoftwareInventoryCollection', 'Firmware Inventory Collection'),
  storedSubtree(`${URI}/FirmwareInventory`, 'SoftwareInventory'),
  fleetCollection(`${URI}/SoftwareInventory`, 'SoftwareInventoryCollection', 'Software Inventory Collection'),
  storedSubtree(`${URI}/SoftwareInventory`, 'SoftwareInventory'),
];
