/**
 * The kit's entry, run by `npm run driver-kit` through vitest.kit.config.ts: the conformance suite for the driver in
 * SHOAL_KIT_DRIVER against the persona in SHOAL_KIT_PERSONA (SHOAL_KIT_FROM: where relative paths and npm names are
 * resolved). Not part of `npm test`, whose pattern is `*.test.ts`.
 */
import { describe, it } from 'vitest';
import { conformanceSuite } from './kit.js';
import { loadKitDriver, loadTarget } from './kit-resolve.js';

const spec = process.env.SHOAL_KIT_DRIVER;
const persona = process.env.SHOAL_KIT_PERSONA;

async function subjects() {
  if (!spec || !persona) throw new Error('set SHOAL_KIT_DRIVER and SHOAL_KIT_PERSONA (or use `npm run driver-kit -- <driver> --persona <name>`)');
  return Promise.all([loadKitDriver(spec, process.env.SHOAL_KIT_FROM), loadTarget(persona)] as const);
}

const loaded = await subjects().then(
  (s) => ({ ok: true as const, driver: s[0], target: s[1] }),
  (e: unknown) => ({ ok: false as const, error: e as Error }),
);

if (loaded.ok) {
  conformanceSuite(loaded.driver, loaded.target);
} else {
  // A kit that cannot start must fail loudly, never pass with nothing run.
  describe(`driver ${spec ?? '?'} against ${persona ?? '?'}`, () => {
    it('loads the driver and the persona', () => {
      throw loaded.error;
    });
  });
}
