import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, ADMIN_USER, DEBIAN_PYTHON, clientEnv, missingTool, onPath, run, startServer, type E2eServer } from './support.js';

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
    work = mkdtempSync(join(tmpdir(), 'shoal-e2e-ansible-'));
    for (const d of ['home', 'tmp', 'remote-tmp']) mkdirSync(join(work, d));
    writeFileSync(join(work, 'ansible.cfg'), '[defaults]\n');
  });
  afterAll(async () => {
    await srv?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Runs a playbook of `tasks` on localhost and returns every registered result, keyed by register name. */
  async function playbook(name: string, tasks: Json[]): Promise<{ results: Json; log: string }> {
    const out = join(work, `${name}.out.json`);
    const registered = tasks.map((t) => t.register as string | undefined).filter((r): r is string => !!r);
    const dump = `{{ {${registered.map((r) => `'${r}': ${r}`).join(', ')}} | to_json }}`;
    const play = [
      {
        name,
        hosts: 'localhost',
        connection: 'local',
        gather_facts: false,
        vars: { rf_base: srv.hostPort, rf_user: ADMIN_USER, rf_pass: ADMIN_PASSWORD },
        tasks: [...tasks, { name: 'save the results', 'ansible.builtin.copy': { content: dump, dest: out } }],
      },
    ];
    const file = join(work, `${name}.yml`);
    writeFileSync(file, JSON.stringify(play, null, 2));
    const env = clientEnv({
      ANSIBLE_CONFIG: join(work, 'ansible.cfg'),
      ANSIBLE_HOME: join(work, 'home'),
      ANSIBLE_LOCAL_TEMP: join(work, 'tmp'),
      ANSIBLE_REMOTE_TEMP: join(work, 'remote-tmp'),
      ANSIBLE_PYTHON_INTERPRETER: DEBIAN_PYTHON,
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0',
      ANSIBLE_RETRY_FILES_ENABLED: '0',
      ANSIBLE_LOCALHOST_WARNING: '0',
      ANSIBLE_INVENTORY_UNPARSED_WARNING: '0',
      ANSIBLE_DEPRECATION_WARNINGS: '0',
      ANSIBLE_SYSTEM_WARNINGS: '0',
      ANSIBLE_GATHERING: 'explicit',
      ANSIBLE_COLLECTIONS_SCAN_SYS_PATH: '1',
    });
    delete env.ANSIBLE_VAULT_PASSWORD_FILE;
    const r = await run('ansible-playbook', ['-i', 'localhost,', file], { env, cwd: work, timeoutMs: 50_000 });
    const log = `exit ${r.code}\n${r.stdout}\n${r.stderr}`;
    if (r.code !== 0 || !existsSync(out)) throw new Error(`ansible-playbook ${name} failed:\n${log}`);
    return { results: JSON.parse(readFileSync(out, 'utf8')) as Json, log };
  }

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
