/**
 * What the inventory mapper takes and gives: one device's snapshot in, the documents of Shoal's aggregated Redfish tree
 * out. Pure data, so the same types serve the coordinator that stores the documents and the tests that check them.
 */

/** One Redfish document of the aggregated tree. */
export interface InventoryDoc {
  uri: string;
  body: Record<string, unknown>;
  /**
   * Fleet-level collection it is a member of, for top-level members only: '/redfish/v1/Systems' | '/redfish/v1/Chassis' |
   * '/redfish/v1/Managers' | '/redfish/v1/UpdateService/FirmwareInventory'
   */
  collection?: string;
}

/** How current the device's data is, as the runtime sees it. */
export interface DeviceFreshness {
  /** Epoch ms of the last successful inventory read. */
  inventoryAt?: number;
  /** Epoch ms of the last successful state read. */
  stateAt?: number;
  /** Last poll error, if the last poll failed. */
  error?: { code: string; message: string; at: number };
  /** The runtime's view of the device. */
  availability?: 'available' | 'degraded' | 'unavailable';
  /** True when data is older than the device's polling interval allows. */
  stale?: boolean;
}

/** Everything the mapper needs besides the snapshot: the device's source id and its place among other devices. */
export interface MapContext {
  /** The device's aggregation source id (6 chars, [a-z2-7]); every top-level id is `${source}_${rawId}`. */
  source: string;
  freshness?: DeviceFreshness;
  /**
   * For a DPU's BMC paired with its host: where the card sits in the host (host's source id, the host snapshot's
   * component id of the card = slot, the host main chassis URI, and the host's NetworkDeviceFunction URIs for that card).
   * Setting it makes the device's systems DPUs.
   */
  host?: { source: string; slot: string; chassisUri: string; functionUris: string[] };
  /** For a host: its paired DPUs, by the slot (component id in this host's snapshot). */
  dpus?: { source: string; slot: string; systemUri: string; chassisUri: string }[];
}

/** Something read from the device that has no place in the tree. */
export interface MapNote {
  source: string;
  path?: string;
  reason: string;
}

/** The documents of one device, and what was left out. */
export interface MapResult {
  docs: InventoryDoc[];
  unmapped: MapNote[];
}

/** Where one DPU card sits in its host, from the host's side (see `cardLinks`). */
export interface CardLink {
  /** The card's component id in the host snapshot (the pairing's slot). */
  slot: string;
  /** The host chassis the card sits in. */
  chassisUri: string;
  /** The card seen as a NetworkAdapter, when the host reports one. */
  adapterUri?: string;
  /** The NetworkDeviceFunctions of the card, which the DPU offloads. */
  functionUris: string[];
}
