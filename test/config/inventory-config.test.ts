import { describe, expect, it } from 'vitest';
import { INVENTORY_DEFAULTS, resolveInventory } from '../../src/config/inventory-config.js';

describe('resolveInventory', () => {
  it('fills the defaults, an adaptive cadence of at most 8x among them', () => {
    expect(resolveInventory(undefined)).toEqual(INVENTORY_DEFAULTS);
    expect(resolveInventory({}).maxPollStretch).toBe(8);
    expect(resolveInventory({ maxPollStretch: 1, maxConcurrentPolls: 256 })).toEqual({ ...INVENTORY_DEFAULTS, maxPollStretch: 1, maxConcurrentPolls: 256 });
  });

  it('refuses unknown keys and values out of range, naming the key', () => {
    expect(() => resolveInventory({ maxPollStrech: 2 })).toThrow(/unknown config key "inventory.maxPollStrech"/);
    for (const v of [0, 65, 1.5, '4']) expect(() => resolveInventory({ maxPollStretch: v })).toThrow(/inventory.maxPollStretch must be an integer from 1 to 64/);
    expect(() => resolveInventory([])).toThrow(/must be an object/);
  });
});
