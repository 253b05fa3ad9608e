import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // External drivers (examples/driver-example) import the SDK by its package name, as published drivers do.
  resolve: { alias: { 'shoal/drivers/api': fileURLToPath(new URL('./src/drivers/api.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts', 'mock-hardware/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
