import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Shoal } from '../../src/app.js';
import { basic, testApp } from '../support/app.js';

const ACCOUNTS = '/redfish/v1/AccountService/Accounts';

describe('query parameters through the pipeline', () => {
  let s: Shoal;
  const get = async (url: string) => s.app.inject({ url, headers: basic() });
  beforeAll(async () => {
    s = await testApp();
    const roles = ['Operator', 'ReadOnly', 'Operator', 'ReadOnly', 'Administrator'];
    for (const [i, RoleId] of roles.entries()) {
      const r = await s.app.inject({ method: 'POST', url: ACCOUNTS, headers: basic(), payload: { UserName: `user${i}`, Password: 'long-enough-1', RoleId, Enabled: i !== 1 } });
      expect(r.statusCode).toBe(201);
    }
  });
  afterAll(() => s.close());

  it('$top and $skip page a collection with Members@odata.nextLink', async () => {
    const p1 = (await get(`${ACCOUNTS}?$top=2`)).json();
    expect(p1['Members@odata.count']).toBe(6);
    expect(p1.Members.map((m: { '@odata.id': string }) => m['@odata.id'])).toEqual([`${ACCOUNTS}/1`, `${ACCOUNTS}/2`]);
    expect(p1['Members@odata.nextLink']).toBe(`${ACCOUNTS}?$top=2&$skip=2`);
    const p3 = (await get(`${ACCOUNTS}?$top=2&$skip=4`)).json();
    expect(p3.Members).toHaveLength(2);
    expect(p3['Members@odata.nextLink']).toBeUndefined();
    // Following nextLinks visits every member exactly once.
    const seen: string[] = [];
    let next: string | undefined = `${ACCOUNTS}?$top=4`;
    while (next) {
      const page = (await get(next)).json() as { Members: { '@odata.id': string }[]; 'Members@odata.nextLink'?: string };
      seen.push(...page.Members.map((m: { '@odata.id': string }) => m['@odata.id']));
      next = page['Members@odata.nextLink'];
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
  });

  it('$filter selects members by their properties', async () => {
    const r = await get(`${ACCOUNTS}?$filter=${encodeURIComponent("RoleId eq 'Operator' and Enabled eq true")}`);
    expect(r.statusCode).toBe(200);
    expect(r.json()['Members@odata.count']).toBe(2);
    const not = (await get(`${ACCOUNTS}?$filter=${encodeURIComponent("not (RoleId eq 'Operator') or UserName eq 'user0'")}`)).json();
    expect(not['Members@odata.count']).toBe(5);
    const bad = await get(`${ACCOUNTS}?$filter=${encodeURIComponent('RoleId eq')}`);
    expect(bad.statusCode).toBe(400);
  });

  it('$select keeps the named properties and the OData annotations', async () => {
    const r = (await get('/redfish/v1/Managers/Shoal?$select=Status/Health,Model')).json();
    expect(Object.keys(r).sort()).toEqual(['@odata.etag', '@odata.id', '@odata.type', 'Model', 'Status']);
    expect(r.Status).toEqual({ Health: 'OK' });
  });

  it('$expand=.($levels=1) inlines members, and combines with $filter and $select', async () => {
    const r = (await get(`${ACCOUNTS}?$expand=.($levels=1)&$filter=${encodeURIComponent("RoleId eq 'ReadOnly'")}&$select=UserName`)).json();
    expect(r.Members).toHaveLength(2);
    for (const m of r.Members) expect(Object.keys(m).sort()).toEqual(['@odata.id', '@odata.type', 'UserName']);
    const links = (await get(`${ACCOUNTS}/1?$expand=~`)).json();
    expect(links.Links.Role.RoleId).toBe('Administrator');
    const noLinks = (await get(`${ACCOUNTS}/1?$expand=.`)).json();
    expect(noLinks.Links.Role).toEqual({ '@odata.id': '/redfish/v1/AccountService/Roles/Administrator' });
  });

  it('$expand from the service root reaches several levels', async () => {
    const r = (await get('/redfish/v1?$expand=*($levels=2)')).json();
    expect(r.AccountService.Accounts.Members.length).toBe(6);
    expect(r.Managers.Members[0].Id).toBe('Shoal');
  });

  it('only returns the sole member, and is refused with other parameters', async () => {
    const r = (await get('/redfish/v1/Managers?only')).json();
    expect(r['@odata.id']).toBe('/redfish/v1/Managers/Shoal');
    expect((await get(`${ACCOUNTS}?only`)).json()['@odata.type']).toMatch(/Collection/);
    expect((await get('/redfish/v1/Managers?only&$top=1')).statusCode).toBe(400);
  });

  it('refuses collection-only parameters on a single resource', async () => {
    const r = await get('/redfish/v1/Managers/Shoal?$top=1');
    expect(r.statusCode).toBe(400);
    expect(r.json().error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.22.QueryNotSupportedOnResource');
  });

  it('expands only what the caller may read', async () => {
    await s.app.inject({ method: 'POST', url: ACCOUNTS, headers: basic(), payload: { UserName: 'peek', Password: 'long-enough-1', RoleId: 'ReadOnly' } });
    const r = await s.app.inject({ url: `${ACCOUNTS}?$expand=.`, headers: basic('peek', 'long-enough-1') });
    const expanded = r.json().Members.filter((m: Record<string, unknown>) => 'UserName' in m);
    expect(expanded.map((m: { UserName: string }) => m.UserName)).toEqual(['peek']);
  });
});
