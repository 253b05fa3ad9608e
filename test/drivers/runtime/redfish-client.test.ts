/**
 * The runtime's Redfish transport against the simulator: one pooled session per endpoint, logout on close, transparent
 * re-login after the BMC forgets sessions.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetDevice } from '../../../mock-hardware/src/index.js';
import { DriverError } from '../../../src/drivers/api.js';
import { redfishDriver } from '../../../src/drivers/redfish/index.js';
import { DEFAULT_GUARD, EndpointGuard, type GuardOptions } from '../../../src/drivers/runtime/guard.js';
import { DriverRuntime } from '../../../src/drivers/runtime/index.js';
import { RedfishHttpClient } from '../../../src/drivers/runtime/redfish-client.js';
import { MemoryTrustStore, trustingConnector } from '../../../src/drivers/runtime/tls-trust.js';
import { baseUrlOf, deviceSessions, endpointFor, eventually, processErrorSpy, silentLog } from '../support/runtime.js';

let fleet: Fleet;
let bf: FleetDevice;
let bf2: FleetDevice;
const spy = processErrorSpy();
const clients: RedfishHttpClient[] = [];

function client(d: FleetDevice, guard: Partial<GuardOptions> = {}): RedfishHttpClient {
  const g = new EndpointGuard(d.id, { ...DEFAULT_GUARD, timeoutMs: 3000, retries: 1, backoffMs: 20, breakerThreshold: 3, breakerOpenMs: 100, ...guard });
  const c = new RedfishHttpClient({
    baseUrl: baseUrlOf(d),
    credentials: { kind: 'basic', username: d.credentials.user, password: d.credentials.password },
    guard: g,
    connect: trustingConnector(d.id, { mode: 'pin' }, new MemoryTrustStore(), silentLog, 3000),
    log: silentLog,
    longTimeoutMs: 10_000,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  fleet = await startFleet({ seed: 'runtime-client', timeScale: 0, baseAddress: '127.150.0.1', devices: [{ persona: 'bluefield3', count: 2, options: { bmcBootMs: 5_000 } }] });
  [bf, bf2] = fleet.devices as [FleetDevice, FleetDevice];
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const d of fleet.devices) d.model.sessions.clear();
});
afterAll(async () => {
  await fleet?.stop();
  spy.dispose();
  expect(spy.errors).toEqual([]);
});

describe('pooled Redfish session', () => {
  it('many concurrent GETs share exactly one device session', async () => {
    const c = client(bf);
    const paths = ['/redfish/v1/Systems/Bluefield', '/redfish/v1/Chassis', '/redfish/v1/Managers/Bluefield_BMC', '/redfish/v1/UpdateService'];
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => c.get(paths[i % paths.length]!)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(bf.model.sessions.size).toBe(1);
    expect(await deviceSessions(bf)).toHaveLength(1);
  });

  it('uses the session token, not Basic auth, once logged in', async () => {
    const c = client(bf);
    await c.get('/redfish/v1/Systems');
    const [s] = bf.model.sessions.list();
    const before = s!.lastUsed;
    fleet.clock.advance(1000);
    await c.get('/redfish/v1/Systems');
    expect(bf.model.sessions.list()[0]!.lastUsed).toBeGreaterThan(before);
  });

  it('close() logs the session out', async () => {
    const c = client(bf);
    await Promise.all([c.get('/redfish/v1/Systems'), c.get('/redfish/v1/Chassis')]);
    expect(await deviceSessions(bf)).toHaveLength(1);
    await c.close();
    expect(await deviceSessions(bf)).toHaveLength(0);
    await c.close(); // idempotent
  });

  it('runtime.close() logs out every pooled session', async () => {
    const rt = new DriverRuntime({ log: silentLog, guard: { timeoutMs: 3000, retries: 1, backoffMs: 20 } });
    const a = rt.add(endpointFor(bf), redfishDriver);
    const b = rt.add(endpointFor(bf2), redfishDriver);
    await Promise.all([a.call('inventory', []), a.call('state', []), b.call('state', []), b.call('firmwareInventory', [])]);
    expect(bf.model.sessions.size).toBe(1);
    expect(bf2.model.sessions.size).toBe(1);
    await rt.close();
    expect(await deviceSessions(bf)).toEqual([]);
    expect(await deviceSessions(bf2)).toEqual([]);
  });

  it('re-creates the session transparently when the BMC has forgotten it (401 → login again)', async () => {
    const c = client(bf);
    await c.get('/redfish/v1/Systems');
    const [old] = bf.model.sessions.list();
    bf.model.sessions.clear();
    const r = await c.get('/redfish/v1/Systems/Bluefield');
    expect(r.status).toBe(200);
    const now = bf.model.sessions.list();
    expect(now).toHaveLength(1);
    expect(now[0]!.token).not.toBe(old!.token);
  });

  it('a write after a forgotten session is also re-sent once after logging in again', async () => {
    const c = client(bf);
    await c.get('/redfish/v1/Systems');
    bf.model.sessions.clear();
    const r = await c.patch('/redfish/v1/Systems/Bluefield', { AssetTag: 'rack-7' });
    expect(r.status).toBeLessThan(300);
    expect((await c.get('/redfish/v1/Systems/Bluefield')).body.AssetTag).toBe('rack-7');
    expect(bf.model.sessions.size).toBe(1);
  });

  // Regression (found by this suite, fixed): RedfishHttpClient.authed() retries a 401 only `if (... && this.token)`. The first request to see
  // the 401 clears `this.token`; every other request that was in flight with the same dead token then finds
  // `this.token` undefined and throws AuthenticationFailed to its caller instead of waiting for the new login.
  it('requests in flight when the session dies all succeed after ONE re-login', async () => {
    const c = client(bf);
    await c.get('/redfish/v1/Systems');
    bf.model.sessions.clear();
    const paths = ['/redfish/v1/Systems/Bluefield', '/redfish/v1/Chassis', '/redfish/v1/Managers/Bluefield_BMC', '/redfish/v1/UpdateService'];
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => c.get(paths[i % paths.length]!)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(bf.model.sessions.size).toBe(1);
  });

  it('after a BMC reboot (sessions lost) the next call logs in again without the caller noticing', async () => {
    const c = client(bf2);
    await c.get('/redfish/v1/Systems');
    expect(bf2.model.sessions.size).toBe(1);
    fleet.inject(bf2.id, { kind: 'bmc-reboot', downMs: 5_000 });
    const down = await c.get('/redfish/v1/Systems').catch((e: unknown) => e);
    expect(down).toBeInstanceOf(DriverError);
    expect((down as DriverError).code).toBe('Unavailable');
    fleet.clock.advance(5_000);
    // The listener comes back asynchronously; the breaker (open for 100 ms) may need a trial first.
    const ok = await eventually(async () => (await c.get('/redfish/v1/Systems/Bluefield').then((r) => r.status === 200, () => false)), 5000, 50);
    expect(ok).toBe(true);
    expect(bf2.model.sessions.size).toBe(1);
  });

  it('credentials the device refuses end as AuthenticationFailed, not a loop of logins', async () => {
    const g = new EndpointGuard('bad', { ...DEFAULT_GUARD, timeoutMs: 3000, retries: 2, backoffMs: 20 });
    const c = new RedfishHttpClient({
      baseUrl: baseUrlOf(bf),
      credentials: { kind: 'basic', username: 'root', password: 'wrong' },
      guard: g,
      connect: trustingConnector('bad', { mode: 'insecure' }, new MemoryTrustStore(), silentLog, 3000),
      log: silentLog,
      longTimeoutMs: 10_000,
    });
    clients.push(c);
    await expect(c.get('/redfish/v1/Systems')).rejects.toMatchObject({ code: 'AuthenticationFailed' });
    expect(bf.model.sessions.size).toBe(0);
    expect(g.breaker.state).toBe('closed');
  });

  it('serviceRoot() needs no credentials and creates no session', async () => {
    const c = client(bf);
    const root = await c.serviceRoot();
    expect(root.RedfishVersion).toEqual(expect.any(String));
    expect(bf.model.sessions.size).toBe(0);
  });

  it('refuses to follow a path off the device origin', async () => {
    const c = client(bf);
    await expect(c.get('https://169.254.169.254/latest/meta-data')).rejects.toMatchObject({ code: 'Rejected' });
  });
});
