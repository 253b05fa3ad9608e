import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Shoal } from '../../src/app.js';
import { SCHEMAS_DIR } from '../../src/redfish/oem-schemas.js';
import { basic, testApp } from '../support/app.js';
import { addSchemaDir, validateRedfish } from '../support/redfish-schema.js';

addSchemaDir(SCHEMAS_DIR);

describe('UpdateService', () => {
  let s: Shoal;
  beforeAll(async () => {
    s = await testApp();
  });
  afterAll(() => s.close());

  // sushy (python3-sushy 4.x, Ironic's client) declares UpdateService `Actions` required and raises
  // MissingAttributeError for the whole resource without it, so `get_update_service().firmware_inventory` failed.
  it('always carries an Actions object, advertising no action it does not perform, and stays schema-valid', async () => {
    const r = await s.app.inject({ url: '/redfish/v1/UpdateService', headers: basic() });
    expect(r.statusCode).toBe(200);
    const doc = r.json() as Record<string, any>;
    expect(doc.Actions).toEqual({});
    expect(doc.FirmwareInventory).toEqual({ '@odata.id': '/redfish/v1/UpdateService/FirmwareInventory' });
    const v = validateRedfish(doc);
    expect(v.errors).toEqual([]);
    expect(v.valid).toBe(true);
  });
});
