import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Shoal } from '../../src/app.js';
import { ADMIN_PASSWORD, basic, testApp } from '../support/app.js';

/**
 * DMTF Redfish Protocol Validator (1.3.0) assertions that apply to Shoal, replayed with app.inject: one test per
 * assertion, named by its id, doing what the validator does and checking what it checks. The security and ETag
 * assertions, and those that need a real TLS socket, are in protocol-validator-security.test.ts.
 */

const ROOT = '/redfish/v1/';
const SESSIONS = '/redfish/v1/SessionService/Sessions';
const ACCOUNTS = '/redfish/v1/AccountService/Accounts';
const NET = '/redfish/v1/Managers/Shoal/NetworkProtocol';
type Res = LightMyRequestResponse;
const messageIds = (r: Res) =>
  ((r.json() as { error?: { '@Message.ExtendedInfo'?: { MessageId: string }[] } }).error?.['@Message.ExtendedInfo'] ?? []).map((m) =>
    m.MessageId.split('.').pop(),
  );
const mediaType = (r: Res) => String(r.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
// The validator's RFC 7232 pattern and its URI checks.
const ETAG = /^(W\/)?"[\x21\x23-\xFF]*"$/;
const SAFE_URI = /^([A-Za-z0-9!$&'()*+,\-./:;=@_]|%[A-Fa-f0-9]{2})*$/;

describe('Redfish Protocol Validator: protocol details, requests, responses', () => {
  let s: Shoal;
  let token: string;
  let sessionUri: string;
  const inject = (o: InjectOptions) => s.app.inject(o);
  const get = (url: string, headers: Record<string, string> = {}) => inject({ url, headers: { 'x-auth-token': token, ...headers } });
  const login = () => inject({ method: 'POST', url: SESSIONS, payload: { UserName: 'admin', Password: ADMIN_PASSWORD } });
  const newAccount = async (user: string) => {
    const r = await inject({ method: 'POST', url: ACCOUNTS, headers: { 'x-auth-token': token }, payload: { UserName: user, Password: 'Abcdefgh1Z', RoleId: 'ReadOnly' } });
    expect(r.statusCode).toBe(201);
    return r.headers.location as string;
  };

  beforeAll(async () => {
    s = await testApp();
    const r = await login();
    token = r.headers['x-auth-token'] as string;
    sessionUri = r.headers.location as string;
  });
  afterAll(() => s.close());

  it('PROTO_URI_SAFE_CHARS, PROTO_URI_NO_ENCODED_CHARS, PROTO_URI_RELATIVE_REFS: served URIs are plain relative paths', async () => {
    const acct = await newAccount('rfpv0001');
    for (const uri of ['/redfish', ROOT, '/redfish/v1/$metadata', '/redfish/v1/odata', SESSIONS, sessionUri, ACCOUNTS, acct, NET]) {
      expect(SAFE_URI.test(uri), uri).toBe(true);
      expect(/%[0-9A-Fa-f]{2}/.test(uri), uri).toBe(false);
      expect(uri.startsWith('//'), uri).toBe(false);
      expect((await get(uri)).statusCode, uri).toBe(200);
    }
  });

  it('PROTO_HTTP_SUPPORTED_METHODS: GET, POST, PATCH and DELETE each succeed somewhere', async () => {
    expect((await get(ROOT)).statusCode).toBe(200);
    const acct = await newAccount('rfpv0002');
    const p = await inject({ method: 'PATCH', url: acct, headers: { 'x-auth-token': token }, payload: { RoleId: 'Operator' } });
    expect(p.statusCode).toBe(200);
    expect((await inject({ method: 'DELETE', url: acct, headers: { 'x-auth-token': token } })).statusCode).toBe(204);
  });

  it('PROTO_HTTP_UNSUPPORTED_METHODS, REQ_DATA_MOD_NOT_SUPPORTED: DELETE, PATCH and POST on the service root are 405', async () => {
    for (const method of ['DELETE', 'PATCH', 'POST', 'PUT'] as const) {
      const r = await inject({ method, url: ROOT, headers: { 'x-auth-token': token }, ...(method === 'DELETE' ? {} : { payload: {} }) });
      expect(r.statusCode, method).toBe(405);
      expect(r.headers.allow, method).toBe('GET, HEAD');
    }
    // Methods no route takes (TRACE, OPTIONS) on a known URI: 405 with Allow too, not 404.
    for (const method of ['TRACE', 'OPTIONS'] as const) {
      const r = await inject({ method, url: ROOT, headers: { 'x-auth-token': token } });
      expect(r.statusCode, method).toBe(405);
      expect(r.headers.allow, method).toBe('GET, HEAD');
      expect(messageIds(r)).toEqual(['OperationNotAllowed']);
    }
  });

  it('PROTO_JSON_ALL_RESOURCES, PROTO_JSON_RFC, PROTO_STD_URIS_SUPPORTED: every resource but $metadata is JSON', async () => {
    for (const uri of ['/redfish', ROOT, '/redfish/v1', '/redfish/v1/odata', SESSIONS, sessionUri, '/redfish/v1/Systems', '/redfish/v1/Chassis', ACCOUNTS]) {
      const r = await get(uri);
      expect(r.statusCode, uri).toBe(200);
      expect(mediaType(r), uri).toBe('application/json');
      expect(() => r.json(), uri).not.toThrow();
    }
    const md = await get('/redfish/v1/$metadata', { accept: 'application/xml' });
    expect(md.statusCode).toBe(200);
    expect(md.body.startsWith('<?xml')).toBe(true);
  });

  it('PROTO_JSON_ACCEPTED: requests with a JSON body are answered with JSON', async () => {
    const created = await login();
    expect(created.statusCode).toBe(201);
    expect(mediaType(created)).toBe('application/json');
    await inject({ method: 'DELETE', url: created.headers.location as string, headers: { 'x-auth-token': token } });
    const p = await inject({ method: 'PATCH', url: '/redfish/v1/SessionService', headers: { 'x-auth-token': token }, payload: { SessionTimeout: 1800 } });
    expect(p.statusCode).toBe(200);
    expect(mediaType(p)).toBe('application/json');
  });

  it('PROTO_ETAG_RFC7232, PROTO_ETAG_ON_GET_ACCOUNT, RESP_HEADERS_ETAG: ETags are valid entity-tags, on accounts too', async () => {
    const acct = await newAccount('rfpv0003');
    for (const uri of [ROOT, SESSIONS, acct, '/redfish/v1/AccountService']) {
      const r = await get(uri);
      expect(r.headers.etag, uri).toMatch(ETAG);
      expect(r.json()['@odata.etag'], uri).toBe(r.headers.etag);
    }
  });

  it('PROTO_STD_URI_SERVICE_ROOT, PROTO_STD_URI_VERSION, PROTO_STD_URI_SERVICE_ROOT_REDIRECT', async () => {
    expect((await get('/redfish')).json()).toEqual({ v1: '/redfish/v1/' });
    const slash = await get(ROOT);
    const bare = await get('/redfish/v1');
    expect(slash.statusCode).toBe(200);
    expect(bare.statusCode).toBe(200);
    expect(bare.json()['@odata.id']).toBe(slash.json()['@odata.id']);
  });

  it('REQ_HEADERS_ACCEPT: the Accept values the validator sends are all served', async () => {
    for (const accept of ['application/json', 'application/json;charset=utf-8', 'application/*', 'application/*;charset=utf-8', '*/*', '*/*;charset=utf-8']) {
      expect((await get(ROOT, { accept })).statusCode, accept).toBe(200);
    }
    for (const accept of ['application/xml', 'application/xml;charset=utf-8', 'application/*', 'application/*;charset=utf-8', '*/*', '*/*;charset=utf-8']) {
      expect((await get('/redfish/v1/$metadata', { accept })).statusCode, accept).toBe(200);
    }
    // No OpenAPI YAML at /redfish/v1/openapi.yaml: 404, which the validator scores NOT_TESTED.
    expect((await get('/redfish/v1/openapi.yaml', { accept: 'application/yaml' })).statusCode).toBe(404);
  });

  it('REQ_HEADERS_AUTHORIZATION, REQ_HEADERS_X_AUTH_TOKEN: Basic and session token both read the Sessions collection', async () => {
    expect((await inject({ url: SESSIONS, headers: { ...basic(), 'odata-version': '4.0' } })).statusCode).toBe(200);
    expect((await get(SESSIONS)).statusCode).toBe(200);
  });

  it('REQ_HEADERS_CONTENT_TYPE: application/json and application/json;charset=utf-8 bodies are accepted', async () => {
    for (const ct of ['application/json', 'application/json;charset=utf-8']) {
      const r = await inject({ method: 'POST', url: SESSIONS, headers: { 'content-type': ct }, payload: JSON.stringify({ UserName: 'admin', Password: ADMIN_PASSWORD }) });
      expect(r.statusCode, ct).toBe(201);
      await inject({ method: 'DELETE', url: r.headers.location as string, headers: { 'x-auth-token': token } });
    }
  });

  it('REQ_HEADERS_ODATA_VERSION, RESP_HEADERS_ODATA_VERSION: 4.0 is served, 4.1 is 412, responses say 4.0', async () => {
    const ok = await get(ROOT, { 'odata-version': '4.0' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['odata-version']).toBe('4.0');
    expect((await get(ROOT, { 'odata-version': '4.1' })).statusCode).toBe(412);
  });

  it('REQ_GET_NO_ACCEPT_HEADER, REQ_GET_IGNORE_BODY: no Accept gives JSON; a GET body is ignored', async () => {
    const r = await inject({ url: ROOT, headers: { 'x-auth-token': token } });
    expect(r.statusCode).toBe(200);
    expect(mediaType(r)).toBe('application/json');
    const b = await inject({ method: 'GET', url: ROOT, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, payload: '{}' });
    expect(b.statusCode).toBe(200);
  });

  it('REQ_GET_COLLECTION_COUNT_PROP_REQUIRED, REQ_GET_COLLECTION_COUNT_PROP_TOTAL', async () => {
    const body = (await get(SESSIONS)).json();
    expect(Number.isInteger(body['Members@odata.count'])).toBe(true);
    expect(body['Members@odata.count']).toBe(body.Members.length);
    const page = (await get(`${SESSIONS}?$top=1`)).json();
    if (page['Members@odata.nextLink']) expect(page['Members@odata.count']).toBeGreaterThan(page.Members.length);
  });

  it('REQ_GET_SERVICE_ROOT_URL, REQ_GET_SERVICE_ROOT_NO_AUTH, REQ_GET_METADATA_URI, REQ_GET_ODATA_URI, REQ_GET_METADATA_ODATA_NO_AUTH', async () => {
    for (const url of ['/redfish', ROOT, '/redfish/v1/$metadata', '/redfish/v1/odata']) {
      expect((await inject({ url })).statusCode, url).toBe(200);
      expect((await get(url)).statusCode, url).toBe(200);
    }
  });

  it('REQ_QUERY_IGNORE_UNSUPPORTED, REQ_QUERY_UNSUPPORTED_DOLLAR_PARAMS, REQ_QUERY_INVALID_VALUES', async () => {
    expect((await get(`${ROOT}?rpvunknown`)).statusCode).toBe(200);
    const dollar = await get(`${ROOT}?$rpvunknown`);
    expect(dollar.statusCode).toBe(501);
    expect(messageIds(dollar)).toEqual(['QueryParameterUnsupported']);
    expect((await get(ROOT)).json().ProtocolFeaturesSupported.OnlyMemberQuery).toBe(true);
    expect((await get(`${SESSIONS}?only=foo`)).statusCode).toBe(400);
  });

  it('REQ_HEAD_DIFFERS_FROM_GET: HEAD on the service root is 200 with no body', async () => {
    const r = await inject({ method: 'HEAD', url: ROOT, headers: { 'x-auth-token': token } });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('');
  });

  it('REQ_DATA_MOD_ERRORS: a failed POST creates nothing and sends no Location', async () => {
    const before = (await get(ACCOUNTS)).json()['Members@odata.count'];
    const r = await inject({ method: 'POST', url: ACCOUNTS, headers: { 'x-auth-token': token }, payload: { UserName: 'rfpv0004', Password: 'x', RoleId: 'ReadOnly', Bogus: 1 } });
    expect(r.statusCode).toBe(400);
    expect(r.headers.location).toBeUndefined();
    const bad = await inject({ method: 'POST', url: SESSIONS, payload: { UserName: 'rfpv0005', Password: 'Wrong1pass' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers.location).toBeUndefined();
    expect((await get(ACCOUNTS)).json()['Members@odata.count']).toBe(before);
  });

  it('REQ_PATCH_MIXED_PROPS: a good and a bogus property give 200 with the resource and @Message.ExtendedInfo', async () => {
    const acct = await newAccount('rfpv0006');
    const etag = (await get(acct)).headers.etag as string;
    const r = await inject({ method: 'PATCH', url: acct, headers: { 'x-auth-token': token, 'if-match': etag }, payload: { Password: 'Newpass12Z', BogusProp: 'foo' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()['@odata.id']).toBe(acct);
    expect(r.json()['@Message.ExtendedInfo'].map((m: { MessageArgs: string[] }) => m.MessageArgs)).toEqual([['BogusProp']]);
  });

  it('REQ_PATCH_BAD_PROP, RESP_STATUS_BAD_REQUEST: a PATCH of only a bogus property is 400 naming it', async () => {
    const acct = await newAccount('rfpv0007');
    const r = await inject({ method: 'PATCH', url: acct, headers: { 'x-auth-token': token, 'if-match': (await get(acct)).headers.etag as string }, payload: { BogusProp: 'foo' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    expect(JSON.stringify(r.json().error['@Message.ExtendedInfo'])).toContain('BogusProp');
  });

  it('REQ_PATCH_ODATA_PROPS, RESP_STATUS_BAD_REQUEST: a PATCH of only OData annotations is 400 NoOperation', async () => {
    const acct = await newAccount('rfpv0008');
    const before = (await get(acct)).headers.etag as string;
    const r = await inject({ method: 'PATCH', url: acct, headers: { 'x-auth-token': token, 'if-match': before }, payload: { '@odata.id': `${acct}/` } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'Base.1.22.NoOperation', message: expect.any(String) });
    expect(messageIds(r)).toEqual(['NoOperation']);
    expect((await get(acct)).headers.etag).toBe(before);
  });

  it('REQ_PATCH_RO_RESOURCE, REQ_PATCH_COLLECTION, RESP_HEADERS_ALLOW_METHOD_NOT_ALLOWED: 405 with Allow', async () => {
    const ro = await inject({ method: 'PATCH', url: sessionUri, headers: { 'x-auth-token': token }, payload: { UserName: 'pRoToVAl' } });
    expect(ro.statusCode).toBe(405);
    expect(ro.headers.allow).toBe('GET, HEAD, DELETE');
    const coll = await inject({ method: 'PATCH', url: SESSIONS, headers: { 'x-auth-token': token }, payload: { Name: 'My Collection' } });
    expect(coll.statusCode).toBe(405);
    expect(coll.headers.allow).toBe('GET, HEAD, POST');
  });

  it('REQ_POST_CREATE_VIA_COLLECTION, REQ_POST_CREATE_URI_IN_LOCATION_HDR, RESP_HEADERS_LOCATION, RESP_HEADERS_X_AUTH_TOKEN', async () => {
    const r = await login();
    expect(r.statusCode).toBe(201);
    expect(r.headers.location).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/[^/]+$/);
    expect(r.headers['x-auth-token']).toBeTruthy();
    await inject({ method: 'DELETE', url: r.headers.location as string, headers: { 'x-auth-token': token } });
  });

  it('REQ_POST_CREATE_TO_MEMBERS_PROP: POST to Members is the same as POST to the collection', async () => {
    const r = await inject({ method: 'POST', url: `${SESSIONS}/Members`, headers: { 'content-type': 'application/json;charset=utf-8', 'odata-version': '4.0' }, payload: JSON.stringify({ UserName: 'admin', Password: ADMIN_PASSWORD }) });
    expect(r.statusCode).toBe(201);
    expect(r.headers.location).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/[^/]+$/);
    expect((await inject({ method: 'DELETE', url: r.headers.location as string, headers: { 'x-auth-token': token } })).statusCode).toBe(204);
    // ...including its authorisation: creating an account there still needs ConfigureUsers.
    const anon = await inject({ method: 'POST', url: `${ACCOUNTS}/Members`, payload: { UserName: 'rfpv0009', Password: 'Abcdefgh1Z', RoleId: 'ReadOnly' } });
    expect(anon.statusCode).toBe(401);
    const a = await inject({ method: 'POST', url: `${ACCOUNTS}/Members`, headers: { 'x-auth-token': token }, payload: { UserName: 'rfpv0009', Password: 'Abcdefgh1Z', RoleId: 'ReadOnly' } });
    expect(a.statusCode).toBe(201);
    expect(a.headers.location).toMatch(/^\/redfish\/v1\/AccountService\/Accounts\/[^/]+$/);
  });

  it('REQ_POST_CREATE_NOT_SUPPORTED, REQ_POST_CREATE_NOT_IDEMPOTENT: accounts can be created; two logins, two sessions', async () => {
    await newAccount('rfpv000a');
    const [a, b] = [await login(), await login()];
    expect(a.headers.location).not.toBe(b.headers.location);
    expect((await inject({ method: 'POST', url: '/redfish/v1/Systems', headers: { 'x-auth-token': token }, payload: {} })).statusCode).toBe(405);
  });

  it('REQ_DELETE_METHOD_REQUIRED, REQ_DELETE_NON_DELETABLE_RESOURCE: DELETE works on sessions, 405 where not allowed', async () => {
    const r = await login();
    expect((await inject({ method: 'DELETE', url: r.headers.location as string, headers: { 'x-auth-token': token } })).statusCode).toBe(204);
    expect((await inject({ method: 'DELETE', url: SESSIONS, headers: { 'x-auth-token': token } })).statusCode).toBe(405);
  });

  it('RESP_HEADERS_ALLOW_GET_OR_HEAD, RESP_HEADERS_CACHE_CONTROL, RESP_HEADERS_CONTENT_TYPE', async () => {
    for (const method of ['GET', 'HEAD'] as const) {
      const r = await inject({ method, url: ROOT, headers: { 'x-auth-token': token } });
      expect(r.headers.allow, method).toBe('GET, HEAD');
      expect(r.headers['cache-control'], method).toBeTruthy();
    }
    expect(mediaType(await get(ROOT))).toBe('application/json');
    expect(mediaType(await get('/redfish/v1/$metadata'))).toBe('application/xml');
  });

  it('RESP_HEADERS_LINK_REL_DESCRIBED_BY, RESP_HEADERS_LINK_SCHEMA_VER_MATCH: on GET and HEAD, version as @odata.type', async () => {
    const acct = await newAccount('rfpv000b');
    for (const uri of [ROOT, SESSIONS, NET, '/redfish/v1/Systems', ACCOUNTS, '/redfish/v1/AccountService', acct]) {
      const head = await inject({ method: 'HEAD', url: uri, headers: { 'x-auth-token': token } });
      expect(head.headers.link, uri).toMatch(/^<[^>]+>; rel=describedby$/);
      const r = await get(uri);
      const target = /^<([^>]+)>/.exec(r.headers.link as string)![1]!;
      const base = target.split('/').pop()!.replace(/\.json$/, '').split('.');
      const typeVersion = (r.json()['@odata.type'] as string).replace(/^#/, '').split('.');
      if (base.length === 2) expect(base[1], uri).toBe(typeVersion[1]);
      else expect(typeVersion.length, uri).toBe(2);
    }
  });

  it('RESP_HEADERS_WWW_AUTHENTICATE: every 401 carries WWW-Authenticate, a failed login included', async () => {
    const cases = [
      { method: 'GET', url: SESSIONS },
      { method: 'GET', url: NET },
      { method: 'GET', url: ACCOUNTS },
      { method: 'POST', url: ACCOUNTS, payload: { UserName: 'x' } },
      { method: 'PATCH', url: '/redfish/v1/AccountService', payload: {} },
      { method: 'DELETE', url: sessionUri },
      { method: 'POST', url: SESSIONS, payload: { UserName: 'rfpv000c', Password: 'Wrong1pass' } },
    ] as const;
    for (const c of cases) {
      const r = await inject({ ...c });
      expect(r.statusCode, `${c.method} ${c.url}`).toBe(401);
      expect(r.headers['www-authenticate'], `${c.method} ${c.url}`).toMatch(/^Basic /);
    }
  });

  it('RESP_ODATA_METADATA_MIME_TYPE, RESP_ODATA_METADATA_ENTITY_CONTAINER', async () => {
    const r = await inject({ url: '/redfish/v1/$metadata', headers: { accept: 'application/xml' } });
    const [type, charset] = String(r.headers['content-type']).split(';').map((x) => x.trim().toLowerCase());
    expect(type).toBe('application/xml');
    expect([undefined, 'charset=utf-8']).toContain(charset);
    expect(r.body).toMatch(/<edmx:DataServices>\s*<Schema [^>]*>\s*<EntityContainer /);
  });

  it('RESP_ODATA_SERVICE_MIME_TYPE, RESP_ODATA_SERVICE_CONTEXT, RESP_ODATA_SERVICE_VALUE_PROP', async () => {
    const r = await inject({ url: '/redfish/v1/odata' });
    expect(mediaType(r)).toBe('application/json');
    expect(r.json()['@odata.context']).toBe('/redfish/v1/$metadata');
    expect(Array.isArray(r.json().value)).toBe(true);
  });
});
