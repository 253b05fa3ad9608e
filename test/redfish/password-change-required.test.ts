import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Shoal } from '../../src/app.js';
import { basic, testApp } from '../support/app.js';

// DSP0266 "Password change required": the Protocol Validator's SEC_PWD_CHANGE_REQ_* assertions walk this flow.
describe('PasswordChangeRequired', () => {
  let s: Shoal;
  let account: string;
  beforeAll(async () => {
    s = await testApp();
    const r = await s.app.inject({ method: 'POST', url: '/redfish/v1/AccountService/Accounts', headers: basic(), payload: { UserName: 'newbie', Password: 'first-password', RoleId: 'Operator' } });
    account = r.headers.location as string;
    const p = await s.app.inject({ method: 'PATCH', url: account, headers: basic(), payload: { PasswordChangeRequired: true } });
    expect(p.statusCode).toBe(200);
    expect(p.json().PasswordChangeRequired).toBe(true);
  });
  afterAll(() => s.close());

  it('allows login, but says the password must change', async () => {
    const r = await s.app.inject({ method: 'POST', url: '/redfish/v1/SessionService/Sessions', payload: { UserName: 'newbie', Password: 'first-password' } });
    expect(r.statusCode).toBe(201);
    expect(r.json()['@Message.ExtendedInfo'][0]).toMatchObject({ MessageId: 'Base.1.22.PasswordChangeRequired', MessageArgs: [account] });
    const tok = { 'x-auth-token': r.headers['x-auth-token'] as string };
    // Its own account is readable; everything else is refused with the same message.
    expect((await s.app.inject({ url: account, headers: tok })).statusCode).toBe(200);
    const other = await s.app.inject({ url: '/redfish/v1/Managers', headers: tok });
    expect(other.statusCode).toBe(403);
    expect(other.json().error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.22.PasswordChangeRequired');
    // The service root stays public.
    expect((await s.app.inject({ url: '/redfish/v1', headers: tok })).statusCode).toBe(200);
    // Changing the password lifts the restriction for the same session.
    const ch = await s.app.inject({ method: 'PATCH', url: account, headers: tok, payload: { Password: 'second-password' } });
    expect(ch.statusCode).toBe(200);
    expect(ch.json().PasswordChangeRequired).toBe(false);
    expect((await s.app.inject({ url: '/redfish/v1/Managers', headers: tok })).statusCode).toBe(200);
  });

  it('applies to Basic auth too, and logout stays possible', async () => {
    await s.app.inject({ method: 'PATCH', url: account, headers: basic(), payload: { PasswordChangeRequired: true } });
    expect((await s.app.inject({ url: '/redfish/v1/Systems', headers: basic('newbie', 'second-password') })).statusCode).toBe(403);
    const login = await s.app.inject({ method: 'POST', url: '/redfish/v1/SessionService/Sessions', payload: { UserName: 'newbie', Password: 'second-password' } });
    const tok = { 'x-auth-token': login.headers['x-auth-token'] as string };
    expect((await s.app.inject({ method: 'DELETE', url: login.headers.location as string, headers: tok })).statusCode).toBe(204);
  });
});
