import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Shoal } from '../../src/app.js';
import { basic, testApp } from '../support/app.js';

const MGR = '/redfish/v1/Managers/Shoal';
const ids = (r: { json(): unknown }) =>
  ((r.json() as { error: { '@Message.ExtendedInfo': { MessageId: string }[] } }).error['@Message.ExtendedInfo']).map((m) => m.MessageId);

describe('Redfish protocol pipeline', () => {
  let s: Shoal;
  beforeAll(async () => {
    s = await testApp({ bodyLimitBytes: 4096 });
  });
  afterAll(() => s.close());

  it('reads only the four public URIs without authentication', async () => {
    for (const url of ['/redfish', '/redfish/v1', '/redfish/v1/', '/redfish/v1/odata', '/redfish/v1/$metadata']) {
      expect((await s.app.inject({ url })).statusCode, url).toBe(200);
    }
    for (const url of [MGR, '/redfish/v1/Systems', '/redfish/v1/AccountService/Accounts', '/redfish/v1/NoSuchThing']) {
      const r = await s.app.inject({ url });
      expect(r.statusCode, url).toBe(401);
      expect(ids(r)).toEqual(['Base.1.22.NoValidSession']);
      expect(r.headers['www-authenticate']).toMatch(/^Basic/);
    }
    const w = await s.app.inject({ method: 'PATCH', url: MGR, payload: { ServiceIdentification: 'x' } });
    expect(w.statusCode).toBe(401);
  });

  it('rejects a bad token or bad Basic credentials even on public URIs', async () => {
    expect((await s.app.inject({ url: '/redfish/v1', headers: { 'x-auth-token': 'bogus' } })).statusCode).toBe(401);
    expect((await s.app.inject({ url: MGR, headers: basic('admin', 'wrong-password') })).statusCode).toBe(401);
  });

  it('sends OData-Version, ETag, Link rel=describedby and Allow on resources', async () => {
    const r = await s.app.inject({ url: MGR, headers: basic() });
    expect(r.statusCode).toBe(200);
    expect(r.headers['odata-version']).toBe('4.0');
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.headers.etag).toMatch(/^"[^"]+"$/);
    expect(r.json()['@odata.etag']).toBe(r.headers.etag);
    expect(r.headers.link).toBe('<http://redfish.dmtf.org/schemas/v1/Manager.v1_24_0.json>; rel=describedby');
    expect(r.headers.allow).toBe('GET, HEAD, PATCH');
    const h = await s.app.inject({ method: 'HEAD', url: MGR, headers: basic() });
    expect(h.statusCode).toBe(200);
    expect(h.body).toBe('');
    expect(h.headers.etag).toBe(r.headers.etag);
  });

  it('answers an unsupported OData-Version with 412', async () => {
    const r = await s.app.inject({ url: '/redfish/v1', headers: { 'odata-version': '5.0' } });
    expect(r.statusCode).toBe(412);
    expect(ids(r)).toEqual(['Base.1.22.HeaderInvalid']);
    expect((await s.app.inject({ url: '/redfish/v1', headers: { 'odata-version': '4.0' } })).statusCode).toBe(200);
  });

  it('never answers an expanded or filtered collection with 304, since its members can change under the same tag', async () => {
    const url = '/redfish/v1/AccountService/Accounts';
    const etag = (await s.app.inject({ url, headers: basic() })).headers.etag as string;
    expect((await s.app.inject({ url, headers: { ...basic(), 'if-none-match': etag } })).statusCode).toBe(304);
    for (const q of ['?$expand=.', `?$filter=${encodeURIComponent("UserName eq 'admin'")}`]) {
      expect((await s.app.inject({ url: url + q, headers: { ...basic(), 'if-none-match': etag } })).statusCode, q).toBe(200);
    }
  });

  it('answers If-None-Match with 304 and If-Match mismatches with 412', async () => {
    const r = await s.app.inject({ url: MGR, headers: basic() });
    const etag = r.headers.etag as string;
    expect((await s.app.inject({ url: MGR, headers: { ...basic(), 'if-none-match': etag } })).statusCode).toBe(304);
    expect((await s.app.inject({ url: MGR, headers: { ...basic(), 'if-none-match': '"other"' } })).statusCode).toBe(200);
    const bad = await s.app.inject({ method: 'PATCH', url: MGR, headers: { ...basic(), 'if-match': '"stale"' }, payload: { ServiceIdentification: 'rack-1' } });
    expect(bad.statusCode).toBe(412);
    expect(ids(bad)).toEqual(['Base.1.22.PreconditionFailed']);
    const good = await s.app.inject({ method: 'PATCH', url: MGR, headers: { ...basic(), 'if-match': etag }, payload: { ServiceIdentification: 'rack-1' } });
    expect(good.statusCode).toBe(200);
    expect(good.json().ServiceIdentification).toBe('rack-1');
    expect(good.headers.etag).not.toBe(etag);
    // The old tag is stale now.
    const again = await s.app.inject({ method: 'PATCH', url: MGR, headers: { ...basic(), 'if-match': etag }, payload: { ServiceIdentification: 'rack-2' } });
    expect(again.statusCode).toBe(412);
  });

  it('answers 405 with Allow for methods a resource lacks', async () => {
    const r = await s.app.inject({ method: 'DELETE', url: MGR, headers: basic() });
    expect(r.statusCode).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD, PATCH');
    expect(ids(r)).toEqual(['Base.1.22.OperationNotAllowed']);
    const p = await s.app.inject({ method: 'POST', url: '/redfish/v1/Systems', headers: basic(), payload: {} });
    expect(p.statusCode).toBe(405);
    expect(p.headers.allow).toBe('GET, HEAD');
  });

  it('gives MalformedJSON, 413 and 415 Redfish errors', async () => {
    const bad = await s.app.inject({ method: 'PATCH', url: MGR, headers: { ...basic(), 'content-type': 'application/json' }, payload: '{"ServiceIdentification": ' });
    expect(bad.statusCode).toBe(400);
    expect(ids(bad)).toEqual(['Base.1.22.MalformedJSON']);
    const big = await s.app.inject({ method: 'PATCH', url: MGR, headers: basic(), payload: { ServiceIdentification: 'x'.repeat(10_000) } });
    expect(big.statusCode).toBe(413);
    expect(ids(big)).toEqual(['Base.1.22.PayloadTooLarge']);
    const form = await s.app.inject({ method: 'PATCH', url: MGR, headers: { ...basic(), 'content-type': 'text/plain' }, payload: 'a=b' });
    expect(form.statusCode).toBe(415);
    const proto = await s.app.inject({ method: 'PATCH', url: MGR, headers: { ...basic(), 'content-type': 'application/json' }, payload: '{"__proto__": {"x": 1}}' });
    expect(proto.statusCode).toBe(400);
  });

  it('rejects a PATCH whose every property is bad with 400 and one message each', async () => {
    const r = await s.app.inject({
      method: 'PATCH',
      url: '/redfish/v1/SessionService',
      headers: basic(),
      payload: { Bogus: 1, ServiceEnabled: false, SessionTimeout: 'long' },
    });
    expect(r.statusCode).toBe(400);
    expect(ids(r).sort()).toEqual(['Base.1.22.PropertyNotWritable', 'Base.1.22.PropertyUnknown', 'Base.1.22.PropertyValueTypeError']);
    const range = await s.app.inject({ method: 'PATCH', url: '/redfish/v1/SessionService', headers: basic(), payload: { SessionTimeout: 5 } });
    expect(range.statusCode).toBe(400);
    expect(ids(range)).toEqual(['Base.1.22.PropertyValueOutOfRange']);
    const empty = await s.app.inject({ method: 'PATCH', url: '/redfish/v1/SessionService', headers: basic(), payload: {} });
    expect(empty.statusCode).toBe(400);
  });

  it('applies the good part of a partly invalid PATCH and reports the rest (200 + ExtendedInfo)', async () => {
    const r = await s.app.inject({
      method: 'PATCH',
      url: '/redfish/v1/SessionService',
      headers: basic(),
      payload: { SessionTimeout: 600, Id: 'renamed' },
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.SessionTimeout).toBe(600);
    expect(body.Id).toBe('SessionService');
    expect(body['@Message.ExtendedInfo'].map((m: { MessageId: string }) => m.MessageId)).toEqual(['Base.1.22.PropertyNotWritable']);
  });

  it('checks enum values', async () => {
    const r = await s.app.inject({ method: 'PATCH', url: '/redfish/v1/AccountService/Accounts/1', headers: basic(), payload: { RoleId: 'Emperor' } });
    expect(r.statusCode).toBe(400);
    expect(ids(r)).toEqual(['Base.1.22.PropertyValueNotInList']);
  });

  it('returns Redfish 404 bodies for unknown members and URIs', async () => {
    const r = await s.app.inject({ url: '/redfish/v1/Managers/Other', headers: basic() });
    expect(r.statusCode).toBe(404);
    expect(ids(r)).toEqual(['Base.1.22.ResourceNotFound']);
    const u = await s.app.inject({ url: '/redfish/v1/Nowhere', headers: basic() });
    expect(u.statusCode).toBe(404);
  });

  it('states in ProtocolFeaturesSupported what the pipeline does', async () => {
    const root = (await s.app.inject({ url: '/redfish/v1' })).json();
    const f = root.ProtocolFeaturesSupported;
    expect(f).toMatchObject({ SelectQuery: true, FilterQuery: true, OnlyMemberQuery: true, TopSkipQuery: true, ExcerptQuery: false });
    expect(f.ExpandQuery).toMatchObject({ ExpandAll: true, Links: true, NoLinks: true, Levels: true, MaxLevels: 6 });
    // ...and an unsupported one is refused as the spec says.
    const r = await s.app.inject({ url: '/redfish/v1/Systems?$orderby=Name', headers: basic() });
    expect(r.statusCode).toBe(501);
    expect(ids(r)).toEqual(['Base.1.22.QueryParameterUnsupported']);
    expect((await s.app.inject({ url: '/redfish/v1/Systems?unknownparam=1', headers: basic() })).statusCode).toBe(200);
  });

  it('serves $metadata as CSDL referencing every served type and the OEM schema', async () => {
    const r = await s.app.inject({ url: '/redfish/v1/$metadata' });
    expect(r.headers['content-type']).toMatch(/^application\/xml/);
    expect(r.body).toContain('<edmx:Include Namespace="Manager.v1_24_0"/>');
    expect(r.body).toContain('<edmx:Reference Uri="/redfish/v1/schemas/ShoalManager_v1.xml">');
    expect(r.body).toContain('Extends="ServiceRoot.v1_20_0.ServiceContainer"');
  });

  it('serves the OpenAPI document', async () => {
    const r = await s.app.inject({ url: '/openapi.json' });
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.json().paths)).toContain('/redfish/v1/Managers/{managerId}');
  });

  it('audits every write with who, what and the result', async () => {
    await s.app.inject({ method: 'PATCH', url: MGR, headers: basic(), payload: { ServiceIdentification: 'audited' } });
    await s.app.inject({ method: 'DELETE', url: MGR, headers: basic() });
    const recent = s.store.audit.recent(2);
    expect(recent[0]).toMatchObject({ username: 'admin', method: 'DELETE', path: MGR, status: 405 });
    expect(recent[1]).toMatchObject({ username: 'admin', method: 'PATCH', path: MGR, status: 200 });
  });
});
