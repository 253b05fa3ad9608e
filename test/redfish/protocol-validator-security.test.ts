import { connect as tlsConnect } from 'node:tls';
import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import type { Shoal } from '../../src/app.js';
import { ADMIN_PASSWORD, basic, testApp } from '../support/app.js';
import { startServer, type E2eServer } from '../e2e/support.js';

/**
 * DMTF Redfish Protocol Validator (1.3.0) security and ETag assertions, one test per assertion id (see
 * protocol-validator.test.ts for the rest). The last block runs against the real HTTPS listener.
 */

const SESSIONS = '/redfish/v1/SessionService/Sessions';
const ACCOUNTS = '/redfish/v1/AccountService/Accounts';
const PUBLIC = ['/redfish', '/redfish/v1', '/redfish/v1/', '/redfish/v1/odata', '/redfish/v1/$metadata'];
const PRIVATE = [SESSIONS, ACCOUNTS, '/redfish/v1/AccountService', '/redfish/v1/Managers/Shoal/NetworkProtocol', '/redfish/v1/Systems', '/redfish/v1/RPVfoobar'];

describe('Redfish Protocol Validator: security and ETags', () => {
  let s: Shoal;
  let token: string;
  const inject = (o: InjectOptions) => s.app.inject(o);
  const auth = () => ({ 'x-auth-token': token });
  const get = (url: string) => inject({ url, headers: auth() });
  const newAccount = async (user: string, password = 'Abcdefgh1Z') => {
    const r = await inject({ method: 'POST', url: ACCOUNTS, headers: auth(), payload: { UserName: user, Password: password, RoleId: 'ReadOnly' } });
    expect(r.statusCode).toBe(201);
    return r.headers.location as string;
  };
  const patchRole = (uri: string, role: string, etag: string) =>
    inject({ method: 'PATCH', url: uri, headers: { ...basic(), 'if-match': etag }, payload: { RoleId: role } });

  beforeAll(async () => {
    s = await testApp();
    token = (await inject({ method: 'POST', url: SESSIONS, payload: { UserName: 'admin', Password: ADMIN_PASSWORD } })).headers['x-auth-token'] as string;
  });
  afterAll(() => s.close());

  it('SEC_BASIC_AUTH_STANDALONE, SEC_BOTH_AUTH_TYPES, SEC_SUPPORT_BASIC_AUTH', async () => {
    expect((await inject({ url: SESSIONS, headers: { ...basic(), 'odata-version': '4.0' } })).statusCode).toBe(200);
    expect((await get(SESSIONS)).statusCode).toBe(200);
  });

  it('SEC_READ_REQUIRES_AUTH: only the five public URIs answer GET and HEAD without credentials', async () => {
    for (const method of ['GET', 'HEAD'] as const) {
      for (const url of PUBLIC) expect((await inject({ method, url })).statusCode, `${method} ${url}`).toBe(200);
      for (const url of PRIVATE) expect((await inject({ method, url })).statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it('SEC_WRITE_REQUIRES_AUTH: writes without credentials fail, except the login POST', async () => {
    const login = await inject({ method: 'POST', url: SESSIONS, payload: { UserName: 'admin', Password: ADMIN_PASSWORD } });
    expect(login.statusCode).toBe(201);
    const session = login.headers.location as string;
    const acct = await newAccount('rfpv1001');
    const writes = [
      { method: 'DELETE', url: session },
      { method: 'POST', url: ACCOUNTS, payload: { UserName: 'rfpv1002', Password: 'Abcdefgh1Z', RoleId: 'ReadOnly' } },
      { method: 'PATCH', url: acct, payload: { Password: 'Abcdefgh2Z' } },
      { method: 'DELETE', url: acct },
      { method: 'PUT', url: acct, payload: {} },
    ] as const;
    for (const w of writes) expect((await inject({ ...w })).statusCode, `${w.method} ${w.url}`).toBe(401);
    expect((await get(session)).statusCode).toBe(200);
    expect((await get(acct)).statusCode).toBe(200);
  });

  it('SEC_NO_PRIV_INFO_IN_MSGS: failed logins and bad tokens echo neither user names, passwords nor tokens', async () => {
    const answers = [
      await inject({ url: SESSIONS, headers: basic('rfpv1003', 'Secret1pw') }),
      await inject({ url: '/redfish/v1/RPVfoobar', headers: { 'x-auth-token': 'rfpv00c0ffee1234' } }),
      await inject({ method: 'POST', url: SESSIONS, payload: { UserName: 'rfpv1004', Password: 'Secret2pw' } }),
    ];
    for (const r of answers) {
      expect(r.statusCode).toBe(401);
      for (const secret of ['rfpv1003', 'Secret1pw', 'rfpv00c0ffee1234', 'rfpv1004', 'Secret2pw', ADMIN_PASSWORD]) expect(r.body).not.toContain(secret);
    }
  });

  it('SEC_HEADERS_FIRST: If-None-Match without credentials is 401, not 304', async () => {
    const acct = await newAccount('rfpv1005');
    const etag = (await get(acct)).headers.etag as string;
    expect((await inject({ url: acct, headers: { 'if-none-match': etag, 'odata-version': '4.0' } })).statusCode).toBe(401);
  });

  it('SEC_NO_AUTH_COOKIES, SEC_REQUIRE_LOGIN_SESSIONS, SEC_SESSION_POST_RESPONSE', async () => {
    const r = await inject({ method: 'POST', url: SESSIONS, headers: { 'odata-version': '4.0' }, payload: { UserName: 'admin', Password: ADMIN_PASSWORD } });
    expect(r.statusCode).toBe(201);
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(r.headers.location).toBeTruthy();
    expect(r.headers['x-auth-token']).toBeTruthy();
    for (const p of ['@odata.id', '@odata.type', 'Id', 'Name', 'UserName']) expect(r.json(), p).toHaveProperty([p]);
  });

  it('SEC_SESSIONS_URI_LOCATION: Links.Sessions in the service root is SessionService.Sessions', async () => {
    const root = (await inject({ url: '/redfish/v1/' })).json();
    expect(root.Links.Sessions['@odata.id']).toBe((await get(root.SessionService['@odata.id'])).json().Sessions['@odata.id']);
  });

  it('SEC_ACCOUNTS_SUPPORT_ETAGS, REQ_HEADERS_IF_MATCH: a changed or stale If-Match is 412 on a password change', async () => {
    const acct = await newAccount('rfpv1006');
    const etag = (await get(acct)).headers.etag as string;
    const ok = await inject({ method: 'PATCH', url: acct, headers: { ...auth(), 'if-match': etag }, payload: { Password: 'Abcdefgh3Z' } });
    expect(ok.statusCode).toBe(200);
    // Password is write-only and served as null, yet the change must still retire the old ETag.
    expect(ok.headers.etag).not.toBe(etag);
    expect((await get(acct)).headers.etag).toBe(ok.headers.etag);
    const stale = await inject({ method: 'PATCH', url: acct, headers: { ...auth(), 'if-match': etag }, payload: { Password: 'Abcdefgh4Z' } });
    expect(stale.statusCode).toBe(412);
    const mangled = await inject({ method: 'PATCH', url: acct, headers: { ...auth(), 'if-match': `${ok.headers.etag as string}foobar` }, payload: { Password: 'Abcdefgh4Z' } });
    expect(mangled.statusCode).toBe(412);
    expect((await inject({ url: acct, headers: basic('rfpv1006', 'Abcdefgh3Z') })).statusCode).toBe(200);
  });

  it('SEC_ACCOUNTS_SUPPORT_ETAGS (race): of four simultaneous writers with one ETag exactly one wins, the rest get 412', async () => {
    for (const payload of [{ RoleId: 'Operator' }, { Password: 'Abcdefgh5Z' }]) {
      const acct = await newAccount(`rfpv10${'RoleId' in payload ? '07' : '08'}`);
      const etag = (await get(acct)).headers.etag as string;
      const all = await Promise.all([0, 1, 2, 3].map(() => inject({ method: 'PATCH', url: acct, headers: { ...basic(), 'if-match': etag }, payload })));
      expect(all.map((r) => r.statusCode).sort(), JSON.stringify(payload)).toEqual([200, 412, 412, 412]);
    }
  });

  it('SEC_PRIV_ONE_ROLE_PRE_USER, SEC_PRIV_ROLE_ASSIGNED_AT_ACCOUNT_CREATE: every account has one RoleId', async () => {
    const acct = await newAccount('rfpv1009');
    for (const m of (await get(ACCOUNTS)).json().Members as { '@odata.id': string }[]) {
      expect(typeof (await get(m['@odata.id'])).json().RoleId).toBe('string');
    }
    expect((await get(acct)).json().RoleId).toBe('ReadOnly');
  });

  it('SEC_PRIV_SUPPORT_PREDEFINED_ROLES: the three roles carry exactly the DSP0266 privileges', async () => {
    const want: Record<string, string[]> = {
      Administrator: ['ConfigureComponents', 'ConfigureManager', 'ConfigureSelf', 'ConfigureUsers', 'Login'],
      Operator: ['ConfigureComponents', 'ConfigureSelf', 'Login'],
      ReadOnly: ['ConfigureSelf', 'Login'],
    };
    for (const [id, privs] of Object.entries(want)) {
      expect([...(await get(`/redfish/v1/AccountService/Roles/${id}`)).json().AssignedPrivileges].sort(), id).toEqual(privs);
    }
  });

  it('SEC_PRIV_PREDEFINED_ROLE_NOT_MODIFIABLE: PATCH of a predefined role fails', async () => {
    const uri = '/redfish/v1/AccountService/Roles/ReadOnly';
    const r = await inject({ method: 'PATCH', url: uri, headers: auth(), payload: { AssignedPrivileges: ['Login', 'ConfigureManager', 'ConfigureUsers', 'ConfigureComponents', 'ConfigureSelf'] } });
    expect(r.statusCode).toBe(405);
    expect((await get(uri)).json().AssignedPrivileges).toEqual(['Login', 'ConfigureSelf']);
  });

  it('SEC_PRIV_OPERATION_TO_PRIV_MAPPING: a ReadOnly user patching another account gets 403', async () => {
    await newAccount('rfpv100a', 'Abcdefgh6Z');
    const other = await newAccount('rfpv100b');
    const r = await inject({ method: 'PATCH', url: other, headers: basic('rfpv100a', 'Abcdefgh6Z'), payload: { Password: 'Abcdefgh7Z' } });
    expect([403, 404]).toContain(r.statusCode);
  });

  describe('ETag write semantics (etags.py) on a temporary account', () => {
    let acct: string;
    beforeAll(async () => {
      acct = await newAccount('rfpv100c');
    });

    it('PROTO_ETAG_HEADER_AND_PROPERTY, PROTO_ETAG_STABLE_WITHOUT_MODIFICATION, PROTO_ETAG_CONDITIONAL_GET', async () => {
      const a = await inject({ url: acct, headers: basic() });
      expect(a.json()['@odata.etag']).toBe(a.headers.etag);
      await new Promise((r) => setTimeout(r, 50));
      expect((await inject({ url: acct, headers: basic() })).headers.etag).toBe(a.headers.etag);
      const c = await inject({ url: acct, headers: { ...basic(), 'if-none-match': a.headers.etag as string } });
      expect(c.statusCode).toBe(304);
      expect(c.body).toBe('');
    });

    it('PROTO_ETAG_IF_MATCH_ENFORCED, PROTO_ETAG_412_WRITE_NOT_APPLIED: a never-issued tag is 412 and changes nothing', async () => {
      const r = await patchRole(acct, 'Operator', '"rpv-never-issued-etag"');
      expect(r.statusCode).toBe(412);
      expect((await get(acct)).json().RoleId).toBe('ReadOnly');
    });

    it('PROTO_ETAG_IF_MATCH_ENFORCED, PROTO_ETAG_LOST_UPDATE, PROTO_ETAG_ROTATES_ON_WRITE', async () => {
      const pre = (await get(acct)).headers.etag as string;
      const w = await patchRole(acct, 'Operator', pre);
      expect(w.statusCode).toBe(200);
      expect((await get(acct)).json().RoleId).toBe('Operator');
      const lost = await patchRole(acct, 'ReadOnly', pre);
      expect(lost.statusCode).toBe(412);
      expect((await get(acct)).json().RoleId).toBe('Operator');
      expect((await get(acct)).headers.etag).not.toBe(pre);
    });

    it('If-Match also guards DELETE: a stale tag is 412 and the account stays', async () => {
      const stale = '"rpv-never-issued-etag"';
      expect((await inject({ method: 'DELETE', url: acct, headers: { ...auth(), 'if-match': stale } })).statusCode).toBe(412);
      expect((await get(acct)).statusCode).toBe(200);
      const etag = (await get(acct)).headers.etag as string;
      expect((await inject({ method: 'DELETE', url: acct, headers: { ...auth(), 'if-match': etag } })).statusCode).toBe(204);
    });
  });
});

/** Sends raw bytes and returns whatever comes back before the socket closes. */
function rawRequest(port: number, text: string, tls: boolean, options: { minVersion?: 'TLSv1.2' | 'TLSv1.3' } = {}): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const sock = tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...options }, () => sock.write(text))
      : tcpConnect({ port, host: '127.0.0.1' }, () => sock.write(text));
    sock.on('data', (d: Buffer) => (out += d.toString('latin1')));
    sock.on('error', () => resolve(out));
    sock.on('close', () => resolve(out));
    setTimeout(() => sock.destroy(), 3000).unref();
  });
}

describe('Redfish Protocol Validator: against the real HTTPS listener', () => {
  let srv: E2eServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(() => srv.close());

  it('PROTO_HTTP_UNSUPPORTED_METHODS: a method the server does not know is 501 with a Redfish error body', async () => {
    const out = await rawRequest(srv.port, 'FAKEMETHODFORTEST /redfish/v1/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', true);
    expect(out).toMatch(/^HTTP\/1\.1 501 /);
    expect(out).toMatch(/\r\nContent-Type: application\/json/i);
    const body = JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4));
    expect(body.error).toMatchObject({ code: 'Base.1.22.OperationNotAllowed', message: expect.any(String) });
    // Other malformed requests keep fastify's 400.
    expect(await rawRequest(srv.port, 'GET /redfish/v1/ HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', true)).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('SEC_BASIC_AUTH_OVER_HTTPS, SEC_SESSION_CREATE_HTTPS_ONLY: plain HTTP gets no answer at all', async () => {
    const out = await rawRequest(srv.port, 'GET /redfish/v1/SessionService/Sessions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', false);
    expect(out).not.toMatch(/^HTTP\/1\.1 2/);
  });

  it('SEC_TLS_1_1, SEC_CERTS_CONFORM_X509V3: TLS 1.2+ connects and the certificate is X.509 v3', async () => {
    const out = await rawRequest(srv.port, 'GET /redfish/v1/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', true, { minVersion: 'TLSv1.2' });
    expect(out).toMatch(/^HTTP\/1\.1 200 /);
    const der = await new Promise<Buffer>((resolve, reject) => {
      const sock = tlsConnect({ port: srv.port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
        resolve(sock.getPeerCertificate().raw);
        sock.destroy();
      });
      sock.on('error', reject);
    });
    // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { version [0] EXPLICIT INTEGER 2 (v3), ... } }
    const tbs = der.subarray(der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2);
    const version = tbs.subarray(tbs[1]! & 0x80 ? 2 + (tbs[1]! & 0x7f) : 2, undefined);
    expect([...version.subarray(0, 5)]).toEqual([0xa0, 0x03, 0x02, 0x01, 0x02]);
  });
});
