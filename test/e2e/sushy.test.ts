import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, ADMIN_USER, DEBIAN_PYTHON, missingTool, ok, parseJson, run, startServer, type E2eServer } from './support.js';

/**
 * OpenStack's sushy (Debian package python3-sushy, the library Ironic drives BMCs with) against the real HTTPS
 * gateway, through test/e2e/sushy-client.py. sushy authenticates with a Redfish session, pins the gateway's
 * self-signed certificate, and PATCHes with If-Match.
 */
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'sushy-client.py');

async function sushyProblem(): Promise<string | undefined> {
  if (!existsSync(DEBIAN_PYTHON)) return `${DEBIAN_PYTHON} does not exist`;
  const r = await run(DEBIAN_PYTHON, ['-c', 'import sushy']);
  return r.code === 0 ? undefined : `${DEBIAN_PYTHON} cannot import sushy (${r.stderr.trim().split('\n').at(-1)})`;
}
const skip = missingTool(await sushyProblem(), 'python3-sushy');

interface SushyOut {
  sushy_version: string | null;
  root: { redfish_version: string; uuid: string; product: string; sessions_path: string };
  session: { key_set: boolean; uri: string };
  managers: string[];
  manager: { identity: string; name: string; manager_type: string; firmware_version: string; uuid: string; etag: string; allow_patch: boolean };
  default_manager: string;
  session_service: { identity: string; enabled: boolean; timeout: number; sessions: string[] };
  own_session: { identity: string; username: string };
  account_service_from: string;
  account_service: { identity: string; min_password_length: number; accounts: string[] };
  accounts: { identity: string; username: string; role_id: string; enabled: boolean }[];
  patch?: { status: number; sent_etag: string; new_etag: string; value: string };
  stale_patch?: { status: number; warnings: string[]; value: string };
  logged_out: string;
  warnings: string[];
}

describe.skipIf(skip !== undefined)('sushy (Debian python3-sushy) against the HTTPS gateway', { timeout: 50_000 }, () => {
  let srv: E2eServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(async () => {
    await srv?.close();
  });

  const sushy = (password: string, ...extra: string[]) =>
    run(DEBIAN_PYTHON, [SCRIPT, srv.baseUrl, ADMIN_USER, password, srv.certFile, ...extra], { timeoutMs: 45_000 });

  it('reads the root, managers, session service and accounts over a session, then logs it out', async () => {
    const before = srv.shoal.services.sessions.list().length;
    const r = await sushy(ADMIN_PASSWORD);
    ok(r);
    const out = parseJson<SushyOut>(r);

    expect(out.root).toEqual({
      redfish_version: '1.22.0',
      uuid: srv.shoal.services.info.uuid,
      product: 'Shoal Redfish gateway for DPUs and BMCs',
      sessions_path: '/redfish/v1/SessionService/Sessions',
    });
    expect(out.managers).toEqual(['/redfish/v1/Managers/Shoal']);
    expect(out.manager).toMatchObject({ identity: 'Shoal', manager_type: 'Service', uuid: srv.shoal.services.info.uuid, allow_patch: true });
    expect(out.manager.etag).toMatch(/^"[^"]+"$/);
    expect(out.default_manager).toBe('Shoal');

    // sushy created a session (SessionAuth has no Basic fallback), saw it in the collection, and could read it.
    expect(out.session.key_set).toBe(true);
    expect(out.session.uri).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/\w+$/);
    expect(out.session_service).toMatchObject({ identity: 'SessionService', enabled: true, timeout: 1800 });
    expect(out.session_service.sessions).toContain(out.session.uri);
    expect(out.session_service.sessions).toHaveLength(before + 1);
    expect(out.own_session).toEqual({ identity: out.session.uri.split('/').at(-1), username: 'admin' });

    expect(out.account_service).toMatchObject({ identity: 'AccountService', min_password_length: 8 });
    expect(out.account_service.accounts).toEqual(['/redfish/v1/AccountService/Accounts/1']);
    expect(out.accounts).toEqual([{ identity: '1', username: 'admin', role_id: 'Administrator', enabled: true }]);

    // The logout deleted the session on the server.
    expect(out.logged_out).toBe(out.session.uri);
    const id = out.session.uri.split('/').at(-1)!;
    expect(srv.shoal.services.sessions.get(id)).toBeUndefined();
    expect(srv.shoal.services.sessions.list()).toHaveLength(before);
    expect(out.warnings).toEqual([]);
  });

  it('PATCHes with the ETag as If-Match; a stale ETag gets 412 (sushy then retries without it)', async () => {
    const r = await sushy(ADMIN_PASSWORD, 'sushy-rack-1');
    ok(r);
    const out = parseJson<SushyOut>(r);
    expect(out.patch).toMatchObject({ status: 200, value: 'sushy-rack-1' });
    expect(out.patch!.new_etag).not.toBe(out.patch!.sent_etag);
    // No warning on the first PATCH: the service accepted sushy's If-Match as it was.
    expect(out.warnings.filter((w) => !out.stale_patch!.warnings.includes(w))).toEqual([]);

    // The second PATCH reused the first ETag: the service refused it, and sushy logged why before retrying.
    expect(out.stale_patch!.warnings.join('\n')).toMatch(/Initial request with eTag failed/);
    expect(out.stale_patch!.warnings.join('\n')).toMatch(/412|Precondition/i);
    expect(out.stale_patch).toMatchObject({ status: 200, value: 'sushy-rack-1-2' });
    const mgr = await srv.shoal.app.inject({ url: '/redfish/v1/Managers/Shoal', headers: { authorization: `Basic ${Buffer.from(`${ADMIN_USER}:${ADMIN_PASSWORD}`).toString('base64')}` } });
    expect(mgr.json().ServiceIdentification).toBe('sushy-rack-1-2');
    expect(srv.shoal.services.sessions.list()).toHaveLength(0);
  });

  it('fails with an AccessError and creates no session when the password is wrong', async () => {
    const r = await sushy('not-the-password');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/AccessError/);
    expect(r.stderr).toMatch(/401/);
    expect(r.stderr).toMatch(/Base\.1\.\d+\.NoValidSession/);
    expect(srv.shoal.services.sessions.list()).toHaveLength(0);
  });
});
