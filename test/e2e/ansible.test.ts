import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ansibleWorkDir, missingTool, onPath, runPlaybook, startServer, type E2eServer } from './support.js';

/**
 * Ansible's community.general Redfish modules (Debian packages ansible + ansible-core) against the real HTTPS
 * gateway: redfish_info (Manager, Accounts, Sessions), redfish_command (session create/delete, user administration)
 * and redfish_config (SessionService). Playbooks are written as JSON (valid YAML) into a temp dir, and ansible runs
 * with its home, temp dirs and config confined there.
 */
const COLLECTION_MODULE = '/usr/lib/python3/dist-packages/ansible_collections/community/general/plugins/modules/redfish_info.py';

function ansibleProblem(): string | undefined {
  if (!onPath('ansible-playbook')) return 'ansible-playbook is not on PATH';
  if (!existsSync(COLLECTION_MODULE)) return 'the community.general collection (redfish_info) is not installed';
  return undefined;
}
const skip = missingTool(ansibleProblem(), 'ansible ansible-core');

type Json = Record<string, any>;

// ansible starts slowly (a python interpreter per task): each playbook gets up to 50 s, each test 60 s.
describe.skipIf(skip !== undefined)('ansible community.general.redfish_* (Debian) against the HTTPS gateway', { timeout: 60_000 }, () => {
  let srv: E2eServer;
  let work: string;
  beforeAll(async () => {
    srv = await startServer();
    work = ansibleWorkDir();
  });
  afterAll(async () => {
    await srv?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const playbook = (name: string, tasks: Json[]) => runPlaybook(work, srv.hostPort, name, tasks);

  const creds = { baseuri: '{{ rf_base }}', username: '{{ rf_user }}', password: '{{ rf_pass }}' };

  it('redfish_info reads the manager, its network protocols and health, the users and the sessions', async () => {
    const { results: r } = await playbook('inventory', [
      { name: 'manager', 'community.general.redfish_info': { category: 'Manager', command: ['GetManagerInventory', 'GetNetworkProtocols', 'GetHealthReport'], ...creds }, register: 'manager' },
      { name: 'users', 'community.general.redfish_info': { category: 'Accounts', command: 'ListUsers', ...creds }, register: 'users' },
      { name: 'sessions', 'community.general.redfish_info': { category: 'Sessions', command: 'GetSessions', ...creds }, register: 'sessions' },
    ]);
    const facts = r.manager.redfish_facts;
    expect(facts.manager.ret).toBe(true);
    const [where, inv] = facts.manager.entries[0];
    expect(where).toEqual({ manager_uri: '/redfish/v1/Managers/Shoal' });
    expect(inv).toMatchObject({ ManagerType: 'Service', Model: 'Shoal', UUID: srv.shoal.services.info.uuid, Status: { State: 'Enabled', Health: 'OK' } });
    expect(facts.network_protocols).toMatchObject({ ret: true, entries: { HTTPS: { ProtocolEnabled: true }, HTTP: { ProtocolEnabled: false } } });
    expect(facts.health_report.ret).toBe(true);
    expect(facts.health_report.entries[0][1]).toEqual({ Manager: { Status: { State: 'Enabled', Health: 'OK' } } });

    expect(r.users.redfish_facts.user).toEqual({
      ret: true,
      entries: [{ Id: '1', Name: 'User Account', UserName: 'admin', RoleId: 'Administrator', Enabled: true, Locked: false }],
    });
    // Basic auth throughout: no session was needed, none was left.
    expect(r.sessions.redfish_facts.session).toEqual({ ret: true, entries: [] });
    expect(srv.shoal.services.sessions.list()).toHaveLength(0);
  });

  it('redfish_command creates a session, redfish_info uses its token, and DeleteSession removes it', async () => {
    const { results: r } = await playbook('sessions', [
      { name: 'login', 'community.general.redfish_command': { category: 'Sessions', command: 'CreateSession', ...creds }, register: 'login' },
      {
        name: 'list with the token',
        'community.general.redfish_info': { category: 'Sessions', command: 'GetSessions', baseuri: '{{ rf_base }}', auth_token: '{{ login.session.token }}' },
        register: 'listed',
      },
      {
        name: 'logout',
        'community.general.redfish_command': { category: 'Sessions', command: 'DeleteSession', baseuri: '{{ rf_base }}', auth_token: '{{ login.session.token }}', session_uri: '{{ login.session.uri }}' },
        register: 'logout',
      },
      { name: 'list after logout', 'community.general.redfish_info': { category: 'Sessions', command: 'GetSessions', ...creds }, register: 'after' },
      {
        name: 'the dead token is refused',
        'community.general.redfish_info': { category: 'Sessions', command: 'GetSessions', baseuri: '{{ rf_base }}', auth_token: '{{ login.session.token }}' },
        register: 'dead',
        ignore_errors: true,
      },
    ]);
    expect(r.login.changed).toBe(true);
    expect(r.login.session.uri).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/\w+$/);
    expect(r.login.session.token.length).toBeGreaterThanOrEqual(20);
    const id = r.login.session.uri.split('/').at(-1);
    expect(r.listed.redfish_facts.session).toEqual({ ret: true, entries: [{ Id: id, Name: 'User Session', UserName: 'admin' }] });
    expect(r.logout).toMatchObject({ changed: true, failed: false });
    expect(r.after.redfish_facts.session).toEqual({ ret: true, entries: [] });
    expect(r.dead.redfish_facts?.session?.ret ?? false).toBe(false);
    expect(JSON.stringify(r.dead)).toMatch(/401/);
    expect(srv.shoal.services.sessions.list()).toHaveLength(0);
  });

  it('redfish_config sets the session timeout with an If-Match PATCH, and is idempotent', async () => {
    const cfg = { category: 'Sessions', command: 'SetSessionService', sessions_config: { SessionTimeout: 900 }, ...creds };
    const { results: r } = await playbook('session-config', [
      { name: 'set', 'community.general.redfish_config': cfg, register: 'first' },
      { name: 'set again', 'community.general.redfish_config': cfg, register: 'second' },
    ]);
    expect(r.first).toMatchObject({ changed: true, failed: false });
    expect(r.second).toMatchObject({ changed: false, failed: false });
    expect(srv.shoal.services.sessions.timeoutSeconds()).toBe(900);
  });

  it('redfish_command administers a user: add (POST, as Allow advertises), update, disable, delete', async () => {
    const user = (command: string | string[], extra: Json = {}) => ({ category: 'Accounts', command, ...creds, ...extra });
    const { results: r } = await playbook('accounts', [
      { name: 'add', 'community.general.redfish_command': user('AddUser', { new_username: 'e2e-bob', new_password: 'Bob-pass-1234', roleid: 'Operator' }), register: 'add' },
      { name: 'add again', 'community.general.redfish_command': user('AddUser', { new_username: 'e2e-bob', new_password: 'Bob-pass-1234', roleid: 'Operator' }), register: 'again' },
      { name: 'bob reads the manager', 'community.general.redfish_info': { category: 'Manager', command: 'GetManagerInventory', baseuri: '{{ rf_base }}', username: 'e2e-bob', password: 'Bob-pass-1234' }, register: 'asbob' },
      {
        name: 'update',
        'community.general.redfish_command': user(['UpdateUserPassword', 'UpdateUserRole', 'DisableUser'], { account_username: 'e2e-bob', account_password: 'Bob-pass-5678', roleid: 'ReadOnly' }),
        register: 'update',
      },
      { name: 'list', 'community.general.redfish_info': { category: 'Accounts', command: 'ListUsers', ...creds }, register: 'listed' },
      { name: 'lockout policy', 'community.general.redfish_command': user('UpdateAccountServiceProperties', { account_properties: { AccountLockoutThreshold: 7 } }), register: 'policy' },
      { name: 'delete', 'community.general.redfish_command': user('DeleteUser', { account_username: 'e2e-bob' }), register: 'deleted' },
    ]);
    expect(r.add).toMatchObject({ changed: true, failed: false });
    expect(r.again).toMatchObject({ changed: false, failed: false });
    expect(r.asbob.redfish_facts.manager.ret).toBe(true);
    expect(r.update).toMatchObject({ changed: true, failed: false });
    const bob = r.listed.redfish_facts.user.entries.find((u: Json) => u.UserName === 'e2e-bob');
    expect(bob).toMatchObject({ RoleId: 'ReadOnly', Enabled: false });
    expect(r.policy).toMatchObject({ changed: true, failed: false });
    expect(srv.shoal.services.accounts.policy().lockoutThreshold).toBe(7);
    expect(r.deleted).toMatchObject({ changed: true, failed: false });
    expect(srv.shoal.services.accounts.list().map((a) => a.username)).toEqual(['admin']);
  });
});
