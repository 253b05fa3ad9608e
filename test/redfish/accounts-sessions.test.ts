import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Shoal } from '../../src/app.js';
import type { ShoalConfigInput } from '../../src/config/config.js';
import { ADMIN_PASSWORD, basic, testApp } from '../support/app.js';

const ACCOUNTS = '/redfish/v1/AccountService/Accounts';
const SESSIONS = '/redfish/v1/SessionService/Sessions';
const msgIds = (r: { json(): unknown }) =>
  ((r.json() as { error: { '@Message.ExtendedInfo': { MessageId: string }[] } }).error['@Message.ExtendedInfo']).map((m) => m.MessageId);

describe('accounts, roles and sessions', () => {
  let s: Shoal;
  const start = async (cfg: ShoalConfigInput = {}) => {
    s = await testApp(cfg);
  };
  beforeEach(() => start());
  afterEach(() => s.close());

  const create = (UserName: string, RoleId: string, Password = 'long-enough-1') =>
    s.app.inject({ method: 'POST', url: ACCOUNTS, headers: basic(), payload: { UserName, Password, RoleId } });
  const login = (UserName: string, Password: string) =>
    s.app.inject({ method: 'POST', url: SESSIONS, payload: { UserName, Password } });

  it('logs in with 201, X-Auth-Token and Location, and logs out with DELETE', async () => {
    const r = await login('admin', ADMIN_PASSWORD);
    expect(r.statusCode).toBe(201);
    const token = r.headers['x-auth-token'] as string;
    const loc = r.headers.location as string;
    expect(token.length).toBeGreaterThan(20);
    expect(loc).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/\w+$/);
    expect(r.json()).toMatchObject({ UserName: 'admin', '@odata.id': loc });
    const me = await s.app.inject({ url: loc, headers: { 'x-auth-token': token } });
    expect(me.statusCode).toBe(200);
    expect(me.json().Password).toBeNull();
    expect((await s.app.inject({ method: 'DELETE', url: loc, headers: { 'x-auth-token': token } })).statusCode).toBe(204);
    expect((await s.app.inject({ url: '/redfish/v1/Managers', headers: { 'x-auth-token': token } })).statusCode).toBe(401);
  });

  it('refuses a wrong password with 401 and a missing one with PropertyMissing', async () => {
    expect((await login('admin', 'nope-nope')).statusCode).toBe(401);
    expect((await login('ghost', 'nope-nope')).statusCode).toBe(401);
    const r = await s.app.inject({ method: 'POST', url: SESSIONS, payload: { UserName: 'admin' } });
    expect(r.statusCode).toBe(400);
    expect(msgIds(r)).toEqual(['Base.1.22.PropertyMissing']);
  });

  it('expires sessions after SessionTimeout of inactivity', async () => {
    await s.close();
    let now = 1_000_000;
    await start();
    // Swap the clock of the live service: the timeout is checked on use.
    (s.services.sessions as unknown as { now: () => number }).now = () => now;
    const token = (await login('admin', ADMIN_PASSWORD)).headers['x-auth-token'] as string;
    now += 1000 * 1000;
    expect((await s.app.inject({ url: '/redfish/v1/Managers', headers: { 'x-auth-token': token } })).statusCode).toBe(200);
    now += 1801 * 1000;
    expect((await s.app.inject({ url: '/redfish/v1/Managers', headers: { 'x-auth-token': token } })).statusCode).toBe(401);
  });

  it('creates, reads, updates and deletes accounts', async () => {
    const c = await create('op1', 'Operator');
    expect(c.statusCode).toBe(201);
    const loc = c.headers.location as string;
    expect(c.json()).toMatchObject({ UserName: 'op1', RoleId: 'Operator', Enabled: true, Password: null });
    expect((await create('op1', 'Operator')).statusCode).toBe(409);
    const p = await s.app.inject({ method: 'PATCH', url: loc, headers: basic(), payload: { RoleId: 'ReadOnly', UserName: 'reader1' } });
    expect(p.statusCode).toBe(200);
    expect(p.json()).toMatchObject({ RoleId: 'ReadOnly', UserName: 'reader1' });
    expect((await s.app.inject({ url: '/redfish/v1/Managers', headers: basic('reader1', 'long-enough-1') })).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'DELETE', url: loc, headers: basic() })).statusCode).toBe(204);
    expect((await s.app.inject({ url: loc, headers: basic() })).statusCode).toBe(404);
  });

  it('enforces the password length policy', async () => {
    const r = await create('shorty', 'ReadOnly', 'short');
    expect(r.statusCode).toBe(400);
    expect(msgIds(r)).toEqual(['Base.1.22.PasswordIncorrectLength']);
    const missing = await s.app.inject({ method: 'POST', url: ACCOUNTS, headers: basic(), payload: { UserName: 'x' } });
    expect(missing.statusCode).toBe(400);
    expect(msgIds(missing).sort()).toEqual(['Base.1.22.PropertyMissing', 'Base.1.22.PropertyMissing']);
  });

  it('maps privileges from the PrivilegeRegistry, with ConfigureSelf only for one\'s own account', async () => {
    const ro = (await create('ro', 'ReadOnly')).headers.location as string;
    const op = (await create('op', 'Operator')).headers.location as string;
    const asRo = basic('ro', 'long-enough-1');
    // Login privilege reads most things.
    expect((await s.app.inject({ url: '/redfish/v1/Managers/Shoal', headers: asRo })).statusCode).toBe(200);
    // Writes need the entity's configure privilege.
    const w = await s.app.inject({ method: 'PATCH', url: '/redfish/v1/Managers/Shoal', headers: asRo, payload: { ServiceIdentification: 'x' } });
    expect(w.statusCode).toBe(403);
    expect(msgIds(w)).toEqual(['Base.1.22.InsufficientPrivilege']);
    expect((await s.app.inject({ method: 'POST', url: ACCOUNTS, headers: asRo, payload: { UserName: 'z', Password: 'long-enough-1', RoleId: 'ReadOnly' } })).statusCode).toBe(403);
    // Own account: readable, and the password (only) is writable.
    expect((await s.app.inject({ url: ro, headers: asRo })).statusCode).toBe(200);
    expect((await s.app.inject({ url: op, headers: asRo })).statusCode).toBe(403);
    expect((await s.app.inject({ method: 'PATCH', url: ro, headers: asRo, payload: { RoleId: 'Administrator' } })).statusCode).toBe(403);
    expect((await s.app.inject({ method: 'PATCH', url: op, headers: asRo, payload: { Password: 'stolen-pass-1' } })).statusCode).toBe(403);
    const pw = await s.app.inject({ method: 'PATCH', url: ro, headers: asRo, payload: { Password: 'new-password-1' } });
    expect(pw.statusCode).toBe(200);
    expect((await s.app.inject({ url: ro, headers: basic('ro', 'new-password-1') })).statusCode).toBe(200);
    expect((await s.app.inject({ url: ro, headers: asRo })).statusCode).toBe(401);
  });

  it('lets a ReadOnly user delete only their own session', async () => {
    await create('ro', 'ReadOnly');
    const mine = await login('ro', 'long-enough-1');
    const admins = await login('admin', ADMIN_PASSWORD);
    const tok = { 'x-auth-token': mine.headers['x-auth-token'] as string };
    expect((await s.app.inject({ method: 'DELETE', url: admins.headers.location as string, headers: tok })).statusCode).toBe(403);
    expect((await s.app.inject({ method: 'DELETE', url: mine.headers.location as string, headers: tok })).statusCode).toBe(204);
  });

  it('locks an account after repeated failures, and an admin can unlock it', async () => {
    const loc = (await create('victim', 'Operator')).headers.location as string;
    for (let i = 0; i < 5; i++) expect((await login('victim', 'wrong-guess')).statusCode).toBe(401);
    // Now even the right password is refused.
    expect((await login('victim', 'long-enough-1')).statusCode).toBe(401);
    expect((await s.app.inject({ url: loc, headers: basic() })).json().Locked).toBe(true);
    const bad = await s.app.inject({ method: 'PATCH', url: loc, headers: basic(), payload: { Locked: true } });
    expect(bad.statusCode).toBe(400);
    expect((await s.app.inject({ method: 'PATCH', url: loc, headers: basic(), payload: { Locked: false } })).statusCode).toBe(200);
    expect((await login('victim', 'long-enough-1')).statusCode).toBe(201);
  });

  it('unlocks by itself after AccountLockoutDuration', async () => {
    let now = 5_000_000;
    (s.services.accounts as unknown as { now: () => number }).now = () => now;
    await create('victim', 'Operator');
    for (let i = 0; i < 5; i++) await login('victim', 'wrong-guess');
    expect((await login('victim', 'long-enough-1')).statusCode).toBe(401);
    now += 301_000;
    expect((await login('victim', 'long-enough-1')).statusCode).toBe(201);
  });

  it('rate-limits login attempts per client with 429 and Retry-After', async () => {
    await s.close();
    await start({ loginRateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await login('admin', 'wrong-' + i)).statusCode).toBe(401);
    const r = await login('admin', ADMIN_PASSWORD);
    expect(r.statusCode).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('never removes or disables the last enabled Administrator', async () => {
    const self = '/redfish/v1/AccountService/Accounts/1';
    expect((await s.app.inject({ method: 'DELETE', url: self, headers: basic() })).statusCode).toBe(409);
    expect((await s.app.inject({ method: 'PATCH', url: self, headers: basic(), payload: { RoleId: 'ReadOnly' } })).statusCode).toBe(409);
    await create('admin2', 'Administrator');
    expect((await s.app.inject({ method: 'DELETE', url: self, headers: basic('admin2', 'long-enough-1') })).statusCode).toBe(204);
  });

  it('stores passwords only as scrypt hashes', () => {
    const a = s.store.accounts.byUsername('admin')!;
    expect(a.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a.passwordHash).not.toContain(ADMIN_PASSWORD);
  });
});
