import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateRedfish } from './support/redfish-schema.js';
import { sharedDir } from './support/shared-dir.js';

// The harness itself must reject bad payloads, or every schema test built on it proves nothing.
describe('DMTF schema harness', () => {
  const mock = (p: string) => JSON.parse(readFileSync(join(sharedDir(), 'mockups/public-smartnic', p, 'index.json'), 'utf8'));

  it('accepts DMTF public-smartnic resources', () => {
    for (const p of ['', 'Systems/Card1-SoC', 'Chassis', 'Managers']) {
      const r = validateRedfish(mock(p));
      expect(r.errors).toEqual([]);
    }
  });

  it('rejects a wrong type, an unknown property and a bad enum', () => {
    const root = mock('');
    expect(validateRedfish({ ...root, RedfishVersion: 5 }).valid).toBe(false);
    expect(validateRedfish({ ...root, NotAProperty: 1 }).valid).toBe(false);
    const sys = mock('Systems/Card1-SoC');
    expect(validateRedfish({ ...sys, PowerState: 'Sideways' }).valid).toBe(false);
  });
});
