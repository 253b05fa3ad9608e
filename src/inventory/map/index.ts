/**
 * The inventory mapper: pure functions from a driver's normalised `InventorySnapshot` to the documents of Shoal's
 * aggregated Redfish tree. See `map-device.ts` for the rules and `docs/architecture.md` for where it sits.
 */
export { mapDevice } from './map-device.js';
export { cardLinks, dpuAnchors } from './card-links.js';
export { attachLogServices, mapDeviceLogs, mapLogs, LOG_TYPES, type LogsResult, type DeviceLogsResult } from './logs.js';
export { MAP_TYPES, COLLECTION_TYPES } from './odata-types.js';
export type { CardLink, DeviceFreshness, InventoryDoc, MapContext, MapNote, MapResult } from './types.js';
