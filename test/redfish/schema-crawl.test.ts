import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Shoal } from '../../src/app.js';
import { OEM_SCHEMAS, SCHEMAS_DIR } from '../../src/redfish/oem-schemas.js';
import { basic, testApp } from '../support/app.js';
import { crawl, schemaFailures } from '../support/crawl.js';
import { addSchemaDir, validateRedfish } from '../support/redfish-schema.js';

// Every payload the service serves must validate against the DMTF schema its @odata.type names. This is the
// proxy for DMTF's Service Validator that runs in every CI build.
describe('every served payload validates against DMTF JSON Schema', () => {
  let s: Shoal;
  beforeAll(async () => {
    addSchemaDir(SCHEMAS_DIR);
    s = await testApp();
    // Populate the optional collections so their members are crawled too.
    await s.app.inject({ method: 'POST', url: '/redfish/v1/AccountService/Accounts', headers: basic(), payload: { UserName: 'reader', Password: 'reader-pass-1', RoleId: 'ReadOnly' } });
    await s.app.inject({ method: 'POST', url: '/redfish/v1/SessionService/Sessions', payload: { UserName: 'admin', Password: 'admin-password-1' } });
    const t = await s.app.inject({ method: 'POST', url: '/redfish/v1/TaskService/Actions/Oem/ShoalTaskService.TestTask', headers: basic(), payload: { DurationMs: 10 } });
    expect(t.statusCode).toBe(202);
    await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(() => s.close());

  it('crawls the tree and validates each resource', async () => {
    const all = await crawl(s.app, basic());
    expect(all.size).toBeGreaterThan(25);
    expect(schemaFailures(all)).toEqual([]);
  });

  it('validates error bodies against the redfish-error schema', async () => {
    const r = await s.app.inject({ url: '/redfish/v1/Managers/nope', headers: basic() });
    expect(r.statusCode).toBe(404);
    const body = r.json() as { error: { '@Message.ExtendedInfo': Record<string, unknown>[] } };
    const res = validateRedfish(body, '#redfish-error.v1_0_2.RedfishError');
    expect(res.errors).toEqual([]);
    for (const m of body.error['@Message.ExtendedInfo']) expect(validateRedfish(m).errors).toEqual([]);
  });

  it('serves the OEM schema files it references', async () => {
    const j = await s.app.inject({ url: '/redfish/v1/JsonSchemas/ShoalManager/ShoalManager.v1_0_0.json', headers: basic() });
    expect(j.statusCode).toBe(200);
    expect(j.json()).toMatchObject({ title: '#ShoalManager.v1_0_0' });
    const x = await s.app.inject({ url: '/redfish/v1/schemas/ShoalManager_v1.xml', headers: basic() });
    expect(x.statusCode).toBe(200);
    expect(x.body).toContain('Namespace="ShoalManager.v1_0_0"');
    expect(join(SCHEMAS_DIR, 'x')).toContain('schemas');
  });

  it('serves every OEM schema as JSON Schema and CSDL, and $metadata references each', async () => {
    const md = (await s.app.inject({ url: '/redfish/v1/$metadata' })).body;
    for (const o of OEM_SCHEMAS) {
      const j = await s.app.inject({ url: `/redfish/v1/JsonSchemas/${o.namespace}/${o.jsonFile}`, headers: basic() });
      expect(j.statusCode, o.jsonFile).toBe(200);
      expect(j.json()).toMatchObject({ title: `#${o.versioned}` });
      const x = await s.app.inject({ url: `/redfish/v1/schemas/${o.csdlFile}`, headers: basic() });
      expect(x.statusCode, o.csdlFile).toBe(200);
      expect(x.body).toContain(`Namespace="${o.versioned}"`);
      expect(md).toContain(`<edmx:Reference Uri="/redfish/v1/schemas/${o.csdlFile}">`);
      expect(md).toContain(`<edmx:Include Namespace="${o.versioned}"/>`);
    }
    expect(OEM_SCHEMAS.map((o) => o.namespace)).toContain('ShoalComputerSystem');
  });
});
