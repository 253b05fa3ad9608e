import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, ADMIN_USER, missingTool, ok, onPath, parseJson, run, startServer, type E2eServer, type RunResult } from './support.js';

/**
 * DMTF's redfishtool (Debian package `redfishtool`) against the real HTTPS gateway: collection listing, raw GETs,
 * session login/logout, and PATCHes that carry the ETag from the preceding GET as If-Match.
 */
const tool = onPath('redfishtool');
const skip = missingTool(tool ? undefined : 'redfishtool is not on PATH', 'redfishtool');

type Json = Record<string, any>;

/** The pretty-printed resource in redfishtool's output, between -s/-v status lines (which may contain braces). */
function printedJson(out: string): Json {
  const m = /^\{$[\s\S]*?^\}$/m.exec(out);
  if (!m) throw new Error(`no JSON document in:\n${out}`);
  return JSON.parse(m[0]) as Json;
}

describe.skipIf(skip !== undefined)('redfishtool (Debian) against the HTTPS gateway', { timeout: 45_000 }, () => {
  let srv: E2eServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(async () => {
    await srv?.close();
  });

  /** redfishtool with HTTPS always, a per-request timeout, and the given credentials or token. */
  const rft = (args: string[], auth: { user?: string; password?: string; token?: string } = {}): Promise<RunResult> => {
    const a = ['-r', srv.hostPort, '-S', 'Always', '-T', '10'];
    if (auth.token) a.push('-t', auth.token, '-A', 'Session');
    else a.push('-u', auth.user ?? ADMIN_USER, '-p', auth.password ?? ADMIN_PASSWORD);
    return run(tool!, [...a, ...args]);
  };
  const json = async (args: string[], auth?: { user?: string; password?: string; token?: string }): Promise<Json> => {
    const r = await rft(args, auth);
    ok(r);
    return parseJson<Json>(r);
  };
  const sessionCount = () => srv.shoal.services.sessions.list().length;

  it('reads the version document, the service root and the OData service document', async () => {
    expect(await json(['versions'])).toEqual({ v1: '/redfish/v1/' });
    const root = await json(['root']);
    expect(root['@odata.type']).toMatch(/^#ServiceRoot\.v1_\d+_\d+\.ServiceRoot$/);
    expect(root.UUID).toBe(srv.shoal.services.info.uuid);
    expect(root.Links.Sessions['@odata.id']).toBe('/redfish/v1/SessionService/Sessions');
    const odata = await json(['odata']);
    expect(odata.value.map((v: Json) => v.name)).toEqual(expect.arrayContaining(['Managers', 'AccountService', 'SessionService']));
    const meta = await rft(['metadata']);
    expect(ok(meta)).toContain('ServiceRoot.v1_');
  });

  it('lists Managers and reads the Shoal service manager and its NetworkProtocol', async () => {
    const list = await json(['Managers', 'list']);
    expect(list['Members@odata.count']).toBe(1);
    expect(list.Members).toEqual([expect.objectContaining({ Id: 'Shoal', '@odata.id': '/redfish/v1/Managers/Shoal', UUID: srv.shoal.services.info.uuid })]);
    const mgr = await json(['Managers', '-I', 'Shoal']);
    expect(mgr).toMatchObject({ Id: 'Shoal', ManagerType: 'Service', Status: { State: 'Enabled', Health: 'OK' } });
    expect(mgr['@odata.etag']).toMatch(/^"[^"]+"$/);
    const one = await json(['Managers', '-1', 'NetworkProtocol']);
    expect(one.HTTPS).toMatchObject({ ProtocolEnabled: true });
    expect(await json(['-P', 'ManagerType', 'Managers', '-I', 'Shoal'])).toEqual({ ManagerType: 'Service' });
  });

  it('lists the AccountService, its accounts and roles, and the SessionService', async () => {
    const acct = await json(['AccountService']);
    expect(acct).toMatchObject({ Id: 'AccountService', ServiceEnabled: true, MinPasswordLength: 8 });
    const users = await json(['AccountService', 'Accounts', 'list']);
    expect(users.Members).toEqual([expect.objectContaining({ UserName: 'admin', '@odata.id': '/redfish/v1/AccountService/Accounts/1' })]);
    const roles = await json(['AccountService', 'Roles', 'list']);
    expect(roles.Members.map((m: Json) => m.Id)).toEqual(['Administrator', 'Operator', 'ReadOnly']);
    const ss = await json(['SessionService']);
    expect(ss).toMatchObject({ Id: 'SessionService', ServiceEnabled: true, SessionTimeout: 1800 });
    const sessions = await json(['SessionService', 'Sessions']);
    expect(sessions['Members@odata.count']).toBe(sessionCount());
  });

  it('does raw GETs, and fails cleanly on an unknown URI and on bad credentials', async () => {
    const mgr = await json(['raw', 'GET', '/redfish/v1/Managers/Shoal']);
    expect(mgr['@odata.id']).toBe('/redfish/v1/Managers/Shoal');
    const sys = await json(['raw', 'GET', '/redfish/v1/Systems']);
    expect(sys).toMatchObject({ 'Members@odata.count': 0, Members: [] });
    // Response headers (-ssss): a collection that creates members advertises POST in Allow; clients rely on it.
    const accounts = await rft(['-ssss', 'raw', 'GET', '/redfish/v1/AccountService/Accounts']);
    expect(ok(accounts) + accounts.stderr).toMatch(/'allow': 'GET, HEAD, POST'/i);
    expect(ok(accounts) + accounts.stderr).toMatch(/'odata-version': '4\.0'/i);

    const missing = await rft(['raw', 'GET', '/redfish/v1/NoSuchThing']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/404/);
    const denied = await rft(['raw', 'GET', '/redfish/v1/Managers'], { password: 'not-the-password' });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/401/);
  });

  it('logs in and out with session auth (-A Session), leaving no session behind', async () => {
    const before = sessionCount();
    const r = await rft(['-A', 'Session', '-sss', 'Managers', '-I', 'Shoal']);
    const out = ok(r);
    // -sss traces each request: the session POST, then X-Auth-Token use, then the DELETE of the session on exit.
    expect(r.stderr + out).toMatch(/POST\s+https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/SessionService\/Sessions/);
    expect(r.stderr + out).toMatch(/AuthType: Session/);
    expect(r.stderr + out).toMatch(/DELETE\s+https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/SessionService\/Sessions\/\w+/);
    expect(r.stderr + out).not.toMatch(/Authorization': 'Basic/);
    const mgr = printedJson(out);
    expect(mgr.Id).toBe('Shoal');
    expect(sessionCount()).toBe(before);
  });

  it('creates a session with "SessionService login", uses its token, and deletes it with "logout"', async () => {
    const before = sessionCount();
    const login = await json(['SessionService', 'login']);
    expect(login.SessionLocation).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/\w+$/);
    expect(login.SessionLocation).toBe(`/redfish/v1/SessionService/Sessions/${login.SessionId}`);
    const token = login['X-Auth-Token'] as string;
    expect(token.length).toBeGreaterThanOrEqual(20);
    expect(sessionCount()).toBe(before + 1);

    // The token alone authenticates, and the session collection shows it.
    const list = await json(['SessionService', 'Sessions', 'list'], { token });
    expect(list.Members).toEqual(expect.arrayContaining([expect.objectContaining({ Id: login.SessionId, UserName: 'admin' })]));
    const own = await json(['SessionService', 'Sessions', '-i', login.SessionId], { token });
    expect(own).toMatchObject({ Id: login.SessionId, UserName: 'admin', Password: null });
    expect(sessionCount()).toBe(before + 1); // -t reuses the session; it creates none

    ok(await rft(['SessionService', 'logout', '-i', login.SessionId], { token }));
    expect(sessionCount()).toBe(before);
    const stale = await rft(['Managers', 'list'], { token });
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toMatch(/401/);

    // A second session is logged out by its link, as the tool documents (-l <Location from login>).
    const again = await json(['SessionService', 'login']);
    expect(sessionCount()).toBe(before + 1);
    ok(await rft(['SessionService', 'logout', '-l', again.SessionLocation], { token: again['X-Auth-Token'] }));
    expect(sessionCount()).toBe(before);
  });

  it('PATCHes with the ETag of its GET as If-Match, and the change is visible afterwards', async () => {
    const before = await json(['raw', 'GET', '/redfish/v1/Managers/Shoal']);
    const r = await rft(['-ssss', 'raw', 'PATCH', '/redfish/v1/Managers/Shoal', '-d', JSON.stringify({ ServiceIdentification: 'e2e-rack-7' })]);
    const out = ok(r);
    const trace = r.stderr + out;
    // redfishtool reads the resource first and sends its ETag back as If-Match.
    const sent = /'if-match': '("[^"]+")'/i.exec(trace);
    expect(sent, trace).not.toBeNull();
    expect(sent![1]).toBe(before['@odata.etag']);
    expect(trace).toMatch(/PATCH\s+https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/Managers\/Shoal/);
    const patched = printedJson(out);
    expect(patched.ServiceIdentification).toBe('e2e-rack-7');
    expect(patched['@odata.etag']).not.toBe(before['@odata.etag']);

    const after = await json(['raw', 'GET', '/redfish/v1/Managers/Shoal']);
    expect(after.ServiceIdentification).toBe('e2e-rack-7');
    expect(after['@odata.etag']).toBe(patched['@odata.etag']);
    expect(await json(['-P', 'ServiceIdentification', 'Managers', '-I', 'Shoal'])).toEqual({ ServiceIdentification: 'e2e-rack-7' });
  });

  it('gets 412 for a PATCH whose If-Match is stale, and nothing changes', async () => {
    const before = await json(['raw', 'GET', '/redfish/v1/Managers/Shoal']);
    const r = await rft(['-H', JSON.stringify({ 'If-Match': '"stale-etag"' }), 'raw', 'PATCH', '/redfish/v1/Managers/Shoal', '-d', JSON.stringify({ ServiceIdentification: 'never' })]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/412/);
    const after = await json(['raw', 'GET', '/redfish/v1/Managers/Shoal']);
    expect(after.ServiceIdentification).toBe(before.ServiceIdentification);
    expect(after['@odata.etag']).toBe(before['@odata.etag']);
  });

  it('sets the session timeout through its ETag-aware setSessionTimeout operation', async () => {
    const r = await json(['SessionService', 'setSessionTimeout', '600']);
    expect(r.SessionTimeout).toBe(600);
    expect(srv.shoal.services.sessions.timeoutSeconds()).toBe(600);
    const bad = await rft(['SessionService', 'setSessionTimeout', '5']);
    expect(bad.code).not.toBe(0);
    expect(srv.shoal.services.sessions.timeoutSeconds()).toBe(600);
  });

  it('administers a user: adduser, login as it, setpassword, disable, deleteuser', async () => {
    const added = await json(['AccountService', 'adduser', 'e2e-carol', 'Carol-pass-1', 'ReadOnly']);
    expect(added).toMatchObject({ UserName: 'e2e-carol', RoleId: 'ReadOnly', Enabled: true });
    expect(srv.shoal.services.accounts.list().map((a) => a.username)).toContain('e2e-carol');

    const self = await json(['Managers', 'list'], { user: 'e2e-carol', password: 'Carol-pass-1' });
    expect(self.Members[0].Id).toBe('Shoal');
    // A ReadOnly user may not administer accounts.
    const denied = await rft(['AccountService', 'adduser', 'e2e-dave', 'Dave-pass-12'], { user: 'e2e-carol', password: 'Carol-pass-1' });
    expect(denied.code).not.toBe(0);
    expect(srv.shoal.services.accounts.list().map((a) => a.username)).not.toContain('e2e-dave');

    ok(await rft(['AccountService', 'setpassword', 'e2e-carol', 'Carol-pass-2']));
    expect((await rft(['Managers', 'list'], { user: 'e2e-carol', password: 'Carol-pass-1' })).code).not.toBe(0);
    ok(await rft(['Managers', 'list'], { user: 'e2e-carol', password: 'Carol-pass-2' }));

    const disabled = await json(['AccountService', 'useradmin', 'e2e-carol', 'disable']);
    expect(disabled.Enabled).toBe(false);
    expect((await rft(['Managers', 'list'], { user: 'e2e-carol', password: 'Carol-pass-2' })).code).not.toBe(0);

    ok(await rft(['AccountService', 'deleteuser', 'e2e-carol']));
    expect(srv.shoal.services.accounts.list().map((a) => a.username)).not.toContain('e2e-carol');
  });
});
