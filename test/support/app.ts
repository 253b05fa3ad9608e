import { build, type Shoal } from '../../src/app.js';
import type { ShoalConfigInput } from '../../src/config/config.js';

export const ADMIN_PASSWORD = 'admin-password-1';

/** An in-memory gateway for app.inject tests: plain HTTP, test actions on, a known admin password. */
export async function testApp(extra: ShoalConfigInput = {}): Promise<Shoal> {
  return build(
    { dataDir: ':memory:', tls: { enabled: false }, testActions: true, adminPassword: ADMIN_PASSWORD, ...extra },
    { logger: false },
  );
}

export const basic = (user = 'admin', pw = ADMIN_PASSWORD) => ({
  authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`,
});
