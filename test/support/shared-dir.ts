import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The DMTF bundle (schemas, registries, mockups) lives outside the repository. A user's clone has no `../shared`,
 * so tests find it through SHOAL_SHARED_DIR and fail loudly with a pointer to where DMTF publishes it.
 */
export function sharedDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = process.env.SHOAL_SHARED_DIR ?? resolve(here, '../../../shared');
  if (!existsSync(resolve(dir, 'redfish-schemas'))) {
    throw new Error(
      `DMTF Redfish bundle not found at ${dir}. Set SHOAL_SHARED_DIR to a folder holding redfish-schemas/ ` +
        '(DSP8010 2025.4 from https://www.dmtf.org/standards/redfish) and mockups/.',
    );
  }
  return dir;
}
