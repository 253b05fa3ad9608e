import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/config.js';

describe('config: drivers', () => {
  it('defaults to no external drivers', () => {
    expect(resolveConfig({}, {}).drivers).toEqual({ external: [] });
  });

  it('takes npm names and package directories, in order', () => {
    expect(resolveConfig({ drivers: { external: ['shoal-driver-example', './drivers/acme'] } }, {}).drivers.external).toEqual(['shoal-driver-example', './drivers/acme']);
  });

  it('survives a second pass (build() accepts a resolved config)', () => {
    const once = resolveConfig({ drivers: { external: ['a'] } }, {});
    expect(resolveConfig(once, {}).drivers).toEqual({ external: ['a'] });
  });

  it('rejects unknown keys, non-lists, empty names and duplicates', () => {
    expect(() => resolveConfig({ drivers: { extrenal: ['x'] } } as never, {})).toThrow('unknown config key "drivers.extrenal"');
    expect(() => resolveConfig({ drivers: { external: 'x' } } as never, {})).toThrow('drivers.external must be a list');
    expect(() => resolveConfig({ drivers: { external: [''] } }, {})).toThrow('drivers.external must be a list');
    expect(() => resolveConfig({ drivers: { external: ['x', 'x'] } }, {})).toThrow('drivers.external names x twice');
    expect(() => resolveConfig({ drivers: ['x'] } as never, {})).toThrow('drivers must be an object');
  });
});
