/**
 * vitest config for `npm run driver-kit`: only `*.kit.ts` (so `npm test` never runs the kit entry, and this never runs
 * the unit tests). `shoal/drivers/api` is the SDK in this checkout for every importer, so a driver and the kit share
 * one `DriverError` class, as they do inside the gateway.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('../../', import.meta.url));
const spec = process.env.SHOAL_KIT_DRIVER ?? '';
const isNpmName = spec !== '' && !spec.startsWith('.') && !spec.startsWith('/');

export default defineConfig({
  root,
  resolve: { alias: { 'shoal/drivers/api': fileURLToPath(new URL('../../src/drivers/api.ts', import.meta.url)) } },
  test: {
    include: ['test/conformance/*.kit.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // A driver installed under node_modules is usually TypeScript or imports the SDK by name: transform it, do not
    // hand it to Node as an external dependency.
    server: { deps: { inline: isNpmName ? [spec] : [] } },
  },
});
