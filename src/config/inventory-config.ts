/** How the gateway polls managed devices for inventory. Each device's own pace comes from its driver's manifest. */
export interface InventoryConfig {
  /**
   * Polls in flight across the whole fleet. Each device still polls one thing at a time. State polls go first;
   * inventory crawls hold at most three quarters of these slots.
   */
  maxConcurrentPolls: number;
  /** First polls after start (or after a fleet is registered at once) are spread over this many seconds. */
  startSpreadSeconds: number;
  /** Entries kept per log of each system (the newest), so a chatty BMC cannot fill the store. */
  logEntriesPerLog: number;
  /**
   * When the gateway cannot keep the pace the drivers ask for (state polls wait for slots, or the event loop is
   * saturated), every poll interval is stretched by one factor, up to this one; it eases back as load allows. 1 keeps
   * the pace fixed whatever the load.
   */
  maxPollStretch: number;
}

export const INVENTORY_DEFAULTS: InventoryConfig = { maxConcurrentPolls: 64, startSpreadSeconds: 30, logEntriesPerLog: 100, maxPollStretch: 8 };

const LIMITS: Record<keyof InventoryConfig, [number, number]> = {
  maxConcurrentPolls: [1, 4096],
  startSpreadSeconds: [0, 3600],
  logEntriesPerLog: [1, 1000],
  maxPollStretch: [1, 64],
};

/** Validates the `inventory` section: only known keys, each an integer in its range. */
export function resolveInventory(input: unknown): InventoryConfig {
  if (input === undefined || input === null) return { ...INVENTORY_DEFAULTS };
  if (typeof input !== 'object' || Array.isArray(input)) throw new Error('inventory must be an object');
  const out: InventoryConfig = { ...INVENTORY_DEFAULTS };
  for (const [k, v] of Object.entries(input)) {
    const range = LIMITS[k as keyof InventoryConfig];
    if (!range) throw new Error(`unknown config key "inventory.${k}"`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) {
      throw new Error(`inventory.${k} must be an integer from ${range[0]} to ${range[1]}`);
    }
    out[k as keyof InventoryConfig] = v;
  }
  return out;
}
