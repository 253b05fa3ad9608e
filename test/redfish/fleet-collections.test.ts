/**
 * Fleet collections served from the store, without devices: documents are written to the store directly, as the
 * inventory service would, and read back through the Redfish pipeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Shoal } from '../../src/app.js';
import { basic, testApp } from '../support/app.js';

const SYS = '/redfish/v1/Systems';
let s: Shoal;

const system = (dev: string, n: number, extra: Record<string, unknown> = {}) => ({
  uri: `${SYS}/${dev}_s${n}`,
  collection: SYS,
  body: { '@odata.id': `${SYS}/${dev}_s${n}`, '@odata.type': '#ComputerSystem.v1_27_0.ComputerSystem', Id: `${dev}_s${n}`, Name: `s${n}`, SystemType: n % 2 ? 'DPU' : 'Physical', ProcessorSummary: { CoreCount: 8 * n }, ...extra },
});

async function get(url: string, headers: Record<string, string> = {}) {
  const r = await s.app.inject({ url, headers: { ...basic(), ...headers } });
  return { status: r.statusCode, etag: r.headers.etag as string | undefined, body: r.statusCode === 200 ? (r.json() as Record<string, any>) : undefined, raw: r };
}

beforeAll(async () => {
  s = await testApp();
  s.store.resources.replaceDevice('aaaaaa', [system('aaaaaa', 1), system('aaaaaa', 2), { uri: `${SYS}/aaaaaa_s1/Processors`, body: { '@odata.id': `${SYS}/aaaaaa_s1/Processors`, '@odata.type': '#ProcessorCollection.ProcessorCollection', Name: 'Processors', Members: [], 'Members@odata.count': 0 } }], 1);
  s.store.resources.replaceDevice('bbbbbb', [system('bbbbbb', 3), system('bbbbbb', 4)], 1);
});
afterAll(() => s.close());

describe('fleet collections from the store', () => {
  it('lists, filters in the store and pages with nextLink', async () => {
    expect((await get(SYS)).body!['Members@odata.count']).toBe(4);
    const dpus = await get(`${SYS}?$filter=${encodeURIComponent("SystemType eq 'DPU'")}`);
    expect(dpus.body!.Members).toEqual([{ '@odata.id': `${SYS}/aaaaaa_s1` }, { '@odata.id': `${SYS}/bbbbbb_s3` }]);
    const big = await get(`${SYS}?$filter=${encodeURIComponent('ProcessorSummary/CoreCount gt 8')}&$top=2`);
    expect(big.body!['Members@odata.count']).toBe(3);
    expect(big.body!.Members).toHaveLength(2);
    expect(big.body!['Members@odata.nextLink']).toContain('$skip=2');
  });

  it('serves any stored document below the collection, and 404 ResourceNotFound for one it does not hold', async () => {
    expect((await get(`${SYS}/aaaaaa_s1/Processors`)).body!.Name).toBe('Processors');
    const missing = await get(`${SYS}/aaaaaa_s9/Processors`);
    expect(missing.status).toBe(404);
    expect((missing.raw.json() as any).error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.22.ResourceNotFound');
    const write = await s.app.inject({ method: 'PATCH', url: `${SYS}/aaaaaa_s1`, headers: basic(), payload: { AssetTag: 'x' } });
    expect(write.statusCode).toBe(405);
  });

  it('expands a page from the stored text, tagged by the members it shows', async () => {
    const page = await get(`${SYS}?$expand=.($levels=1)&$skip=1&$top=2`);
    expect(page.body!.Members.map((m: any) => m.Id)).toEqual(['aaaaaa_s2', 'bbbbbb_s3']);
    expect(page.body!['@odata.etag']).toBe(page.etag);
    expect(page.body!['Members@odata.nextLink']).toContain('$skip=3');
    // A member outside the page changes: same tag. One inside it changes: a new tag, and the new content.
    s.store.resources.replaceDevice('bbbbbb', [system('bbbbbb', 3), system('bbbbbb', 4, { PowerState: 'Off' })], 2);
    expect((await get(`${SYS}?$expand=.($levels=1)&$skip=1&$top=2`)).etag).toBe(page.etag);
    s.store.resources.replaceDevice('bbbbbb', [system('bbbbbb', 3, { PowerState: 'On' }), system('bbbbbb', 4, { PowerState: 'Off' })], 3);
    const again = await get(`${SYS}?$expand=.($levels=1)&$skip=1&$top=2`, { 'if-none-match': page.etag! });
    expect(again.status).toBe(200);
    expect(again.etag).not.toBe(page.etag);
    expect(again.body!.Members[1].PowerState).toBe('On');
  });

  it('puts device managers after the gateway in Managers, and serves them', async () => {
    s.store.resources.replaceDevice('cccccc', [{ uri: '/redfish/v1/Managers/cccccc_bmc', collection: '/redfish/v1/Managers', body: { '@odata.id': '/redfish/v1/Managers/cccccc_bmc', '@odata.type': '#Manager.v1_24_0.Manager', Id: 'cccccc_bmc', Name: 'BMC', ManagerType: 'BMC' } }], 1);
    const m = await get('/redfish/v1/Managers');
    expect(m.body!.Members).toEqual([{ '@odata.id': '/redfish/v1/Managers/Shoal' }, { '@odata.id': '/redfish/v1/Managers/cccccc_bmc' }]);
    expect((await get('/redfish/v1/Managers/cccccc_bmc')).body!.ManagerType).toBe('BMC');
    expect((await get('/redfish/v1/Managers/dddddd_bmc')).status).toBe(404);
  });
});
