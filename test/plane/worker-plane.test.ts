/**
 * The device plane in a worker thread (`devicePlane: 'worker'`, what `shoal serve` runs): the real simulator, discovered
 * and inventoried by the worker on its own store connection, read back through the Redfish pipeline on the main
 * thread. AggregationSource changes cross to the worker and answer once written; a worker that dies is replaced, and
 * the store, not the worker, is what the gateway restarts from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../mock-hardware/src/index.js';
import { build, type Shoal } from '../../src/app.js';
import type { ShoalConfigInput } from '../../src/config/config.js';
import { resolveConfig } from '../../src/config/config.js';
import { PlaneUnavailable, WorkerPlane } from '../../src/plane/worker-plane.js';
import { ADMIN_PASSWORD, basic } from '../support/app.js';
import { memberIds as ids, until } from '../support/until.js';

const BASE = `127.173.${(process.pid % 200) + 1}.1`;
const ACTION = '/redfish/v1/AggregationService/Actions/Oem/ShoalAggregationService.Discover';
const SOURCES = '/redfish/v1/AggregationService/AggregationSources';
type Doc = Record<string, any>;

let fleet: Fleet;
let shoal: Shoal;
let dataDir: string;

const config = (): ShoalConfigInput => ({
  dataDir,
  tls: { enabled: false },
  adminPassword: ADMIN_PASSWORD,
  devicePlane: 'worker',
  discovery: { redfishPorts: [8443], tls: { mode: 'insecure' }, credentials: [{ username: 'root', password: '0penBmc' }] },
  inventory: { startSpreadSeconds: 0 },
});

async function get(url: string): Promise<Doc> {
  const r = await shoal.app.inject({ url, headers: basic() });
  expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
  return r.json() as Doc;
}

async function sourceOf(address: string): Promise<Doc | undefined> {
  const all = await Promise.all(ids(await get(SOURCES)).map((u) => get(u)));
  return all.find((s) => s.HostName === `https://${address}:8443`);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'shoal-worker-plane-'));
  fleet = await startFleet({
    seed: 'worker-plane',
    timeScale: 0,
    baseAddress: BASE,
    devices: [
      { persona: 'openbmc-host', count: 1, dpusPerHost: 2 },
      { persona: 'bluefield3', count: 1 },
    ],
  });
  shoal = await build(config(), { logger: false });
  const r = await shoal.app.inject({ method: 'POST', url: ACTION, headers: basic(), payload: { Sources: ['cidr'], CIDR: [`${BASE}/29`] } });
  expect(r.statusCode, r.body).toBe(202);
  await until('every device whole', async () => {
    const st = await shoal.plane.status();
    return st.whole === 4 ? st : undefined;
  });
}, 120_000);

afterAll(async () => {
  await shoal?.close();
  await fleet?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the device plane in a worker thread', () => {
  it('discovers and inventories in a thread of its own; the HTTP thread serves the tree from the store', async () => {
    expect(shoal.plane.mode).toBe('worker');
    expect(shoal.local).toBeUndefined();
    const thread = (shoal.plane as WorkerPlane).thread;
    expect(thread?.threadId).toBeGreaterThan(0);
    const st = await shoal.plane.status();
    expect(st).toMatchObject({ mode: 'worker', devices: 4, registered: 4, polled: 4, whole: 4, restarts: 0 });
    expect(st.loop!.heapUsedBytes).toBeGreaterThan(0);
    // Polling yields the CPU to the HTTP thread: the worker runs nicer than this thread.
    expect(st.loop!.nice).toBe(Math.min(19, getPriority() + 5));
    expect(st.polls.inventory).toBeGreaterThanOrEqual(4);
    const systems = await get('/redfish/v1/Systems');
    expect(systems['Members@odata.count']).toBe(4);
    const host = (await Promise.all(ids(systems).map((u) => get(u)))).find((s) => s.SystemType === 'Physical')!;
    const chassis = await until('both DPUs linked into the host', async () => {
      const c = await get(host.Links.Chassis[0]['@odata.id']);
      return c.Links?.Contains?.length === 2 ? c : undefined;
    });
    expect(chassis.Links.Contains).toHaveLength(2);
    // The AggregationSource of the host lists the DPUs placed in it, read from the store.
    const hostSource = (await sourceOf(fleet.devices.find((d) => d.persona === 'openbmc-host')!.address))!;
    expect(hostSource.Oem.Shoal.RegistrationState).toBe('Registered');
  });

  it('takes AggregationSource changes through the worker, answering once they are written', async () => {
    const bf = fleet.devices.find((d) => d.persona === 'bluefield3' && !d.hostId)!;
    const s = (await sourceOf(bf.address))!;
    const wrong = await shoal.app.inject({ method: 'PATCH', url: s['@odata.id'], headers: basic(), payload: { UserName: 'root', Password: 'wrong-password' } });
    expect(wrong.statusCode, wrong.body).toBe(200);
    expect(wrong.json().Password).toBeNull();
    await until('the wrong password refused', async () => ((await get(s['@odata.id'])).Oem.Shoal.RegistrationState === 'CredentialsRequired' ? true : undefined));
    const right = await shoal.app.inject({ method: 'PATCH', url: s['@odata.id'], headers: basic(), payload: { Password: '0penBmc' } });
    expect(right.statusCode, right.body).toBe(200);
    await until('registered again', async () => ((await get(s['@odata.id'])).Oem.Shoal.RegistrationState === 'Registered' ? true : undefined));
  }, 60_000);

  it('replaces a worker that dies, and the new one carries on from the store', async () => {
    const bf = fleet.devices.find((d) => d.persona === 'bluefield3' && !d.hostId)!;
    const s = (await sourceOf(bf.address))!;
    const del = await shoal.app.inject({ method: 'DELETE', url: s['@odata.id'], headers: basic() });
    expect(del.statusCode, del.body).toBe(204);
    await until('its system gone', async () => ((await get('/redfish/v1/Systems'))['Members@odata.count'] === 3 ? true : undefined));

    const plane = shoal.plane as WorkerPlane;
    const before = plane.thread!;
    await before.terminate(); // as an uncaught exception in a driver would end it
    // Reads never needed the worker: the tree is served while it is down.
    expect((await get('/redfish/v1/Systems'))['Members@odata.count']).toBe(3);
    const st = await until('a new worker', async () => {
      const x = await shoal.plane.status().catch(() => undefined);
      return x && x.restarts === 1 ? x : undefined;
    });
    expect(plane.thread).not.toBe(before);
    expect(st).toMatchObject({ devices: 4, registered: 3, polled: 3 });

    // The new worker takes changes and polls: the device added again is inventoried again.
    const add = await shoal.app.inject({ method: 'POST', url: SOURCES, headers: basic(), payload: { HostName: `https://${bf.address}:8443`, UserName: 'root', Password: '0penBmc' } });
    expect(add.statusCode, add.body).toBe(201);
    await until('its system back', async () => ((await get('/redfish/v1/Systems'))['Members@odata.count'] === 4 ? true : undefined));
    await until('every device whole again', async () => ((await shoal.plane.status()).whole === 4 ? true : undefined));
  }, 90_000);

  it('answers a call the dying worker held with 503 ServiceTemporarilyUnavailable and Retry-After', async () => {
    const s = (await sourceOf(fleet.devices[0]!.address))!;
    const agg = shoal.services.aggregation;
    const remove = agg.remove;
    agg.remove = async () => {
      throw new PlaneUnavailable('the device plane stopped (exit code 1)');
    };
    try {
      const r = await shoal.app.inject({ method: 'DELETE', url: s['@odata.id'], headers: basic() });
      expect(r.statusCode, r.body).toBe(503);
      expect(r.headers['retry-after']).toBe('5');
      expect(r.json().error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.22.ServiceTemporarilyUnavailable');
    } finally {
      agg.remove = remove;
    }
    // Nothing was removed.
    expect((await get(s['@odata.id'])).Id).toBe(s.Id);
  });

  it('keeps every device and document across a restart of the gateway', async () => {
    await shoal.close();
    shoal = await build(config(), { logger: false });
    // Straight from the store, before the new worker has polled anything.
    expect((await get('/redfish/v1/Systems'))['Members@odata.count']).toBe(4);
    expect((await get(SOURCES))['Members@odata.count']).toBe(4);
    await until('the fleet polled again', async () => ((await shoal.plane.status()).whole === 4 ? true : undefined));
  }, 90_000);
});

describe('devicePlane in the config', () => {
  it('refuses a worker plane on an in-memory store, and an unknown mode', async () => {
    await expect(build({ dataDir: ':memory:', devicePlane: 'worker' }, { logger: false })).rejects.toThrow(/on-disk dataDir/);
    await expect(build({ dataDir: ':memory:', devicePlane: 'thread' as never }, { logger: false })).rejects.toThrow(/inline" or "worker/);
  });
});

describe('WorkerPlane', () => {
  it('fails calls waiting on a restart when it is closed, rather than leaving them hanging', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-worker-plane-close-'));
    const lines: { level: string; msg?: string }[] = [];
    const at = (level: string) => (_o: object, msg?: string) => void lines.push({ level, ...(msg !== undefined ? { msg } : {}) });
    const log = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') };
    try {
      const plane = await WorkerPlane.start({ config: resolveConfig({ dataDir: dir, devicePlane: 'worker' }), log, logLevel: false, restartDelayMs: 60_000 });
      expect((await plane.status()).mode).toBe('worker');
      const exited = new Promise((r) => plane.thread!.once('exit', r));
      await plane.thread!.terminate();
      await exited;
      expect(lines).toContainEqual({ level: 'warn', msg: 'the device plane worker stopped; starting a new one' });
      const waiting = plane.status();
      await plane.close();
      await expect(waiting).rejects.toThrow(PlaneUnavailable);
      await expect(plane.status()).rejects.toThrow(/stopping/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
