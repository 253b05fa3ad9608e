/**
 * Discovery end to end on loopback, against the real simulator: a CIDR sweep, SSDP (the simulator's responder,
 * searched by unicast) and static targets all see the same devices; each device becomes exactly one
 * AggregationSource; every DPU BMC is paired with the host that carries it; hand registration works through
 * POST/PATCH/DELETE; everything served validates against the DMTF schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../mock-hardware/src/index.js';
import { createDiscovery, type CombinedDiscovery } from '../../mock-hardware/src/discovery/index.js';
import type { Shoal } from '../../src/app.js';
import { basic, testApp } from '../support/app.js';
import { SCHEMAS_DIR } from '../../src/redfish/oem-schemas.js';
import { addSchemaDir, validateRedfish } from '../support/redfish-schema.js';

addSchemaDir(SCHEMAS_DIR);

/** Schema errors of a payload and of its Oem.Shoal object. */
function validatePayload(doc: Record<string, any>): string[] {
  const errs = validateRedfish(doc).errors;
  if (doc.Oem?.Shoal) errs.push(...validateRedfish(doc.Oem.Shoal).errors.map((e) => `Oem.Shoal: ${e}`));
  return errs;
}

const BASE = `127.163.${(process.pid % 200) + 1}.1`;
const SOURCES = '/redfish/v1/AggregationService/AggregationSources';
const ACTION = '/redfish/v1/AggregationService/Actions/Oem/ShoalAggregationService.Discover';

let fleet: Fleet;
let ssdp: CombinedDiscovery;
let shoal: Shoal;

async function get(url: string) {
  const r = await shoal.app.inject({ url, headers: basic() });
  expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
  return r.json() as Record<string, any>;
}

/** Runs the OEM Discover action and waits for its task; returns the task monitor's final body. */
async function discover(body: Record<string, unknown>) {
  const r = await shoal.app.inject({ method: 'POST', url: ACTION, headers: basic(), payload: body });
  expect(r.statusCode, r.body).toBe(202);
  const monitor = r.headers.location as string;
  for (;;) {
    const m = await shoal.app.inject({ url: monitor, headers: basic() });
    if (m.statusCode !== 202) {
      expect(m.statusCode, m.body).toBe(200);
      return m.json() as Record<string, any>;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function sources() {
  const c = await get(SOURCES);
  return Promise.all((c.Members as { '@odata.id': string }[]).map((m) => get(m['@odata.id'])));
}

beforeAll(async () => {
  ssdp = createDiscovery({ ssdp: { port: 0, bindAddress: '127.0.0.1' } });
  fleet = await startFleet({
    seed: 'agg-test',
    timeScale: 0,
    baseAddress: BASE,
    devices: [
      { persona: 'openbmc-host', count: 2, dpusPerHost: 2 },
      { persona: 'bluefield3', count: 1 },
    ],
    discovery: [ssdp],
  });
  const port = ssdp.ssdp!.address().port;
  shoal = await testApp({
    discovery: {
      redfishPorts: [8443],
      tls: { mode: 'insecure' },
      credentials: [{ username: 'root', password: '0penBmc' }],
      sources: { ssdp: { unicastTargets: [`127.0.0.1:${port}`], windowMs: 1500, mx: 1 } },
    },
  });
}, 60_000);

afterAll(async () => {
  await shoal?.close();
  await fleet?.stop();
});

describe('discovery into the AggregationService', () => {
  it('registers every device exactly once from CIDR, SSDP and static targets together', async () => {
    const first = fleet.devices[0]!;
    const report = await discover({ Sources: ['cidr', 'ssdp', 'static'], CIDR: [`${BASE}/28`], Targets: [`https://${first.address}:${first.port}`] });
    expect(report.Failed).toEqual([]);
    const all = await sources();
    expect(all).toHaveLength(fleet.devices.length);
    const hosts = all.map((s) => s.HostName).sort();
    expect(hosts).toEqual(fleet.devices.map((d) => `https://${d.address}:${d.port}`).sort());
    for (const s of all) {
      expect(s.Status).toEqual({ State: 'Enabled', Health: 'OK' });
      expect(s.Password).toBeNull();
      expect(s.UserName).toBe('root');
      const dev = fleet.devices.find((d) => `https://${d.address}:${d.port}` === s.HostName)!;
      expect(s.Oem.Shoal.Identity.UUID).toBe(dev.uuid.toLowerCase());
      // The device seen by two or three sources is still one source with all of them listed.
      expect(s.Oem.Shoal.DiscoveredBy).toEqual(expect.arrayContaining(['cidr', 'ssdp']));
    }
    const firstSource = all.find((s) => s.HostName === `https://${first.address}:${first.port}`)!;
    expect(firstSource.Oem.Shoal.DiscoveredBy).toEqual(['cidr', 'ssdp', 'static']);
    // Discovering again changes nothing: no duplicates, ever.
    const again = await discover({ Sources: ['cidr', 'ssdp'], CIDR: [`${BASE}/28`] });
    expect(again.Created).toEqual([]);
    expect(await sources()).toHaveLength(fleet.devices.length);
  }, 60_000);

  it('pairs every DPU BMC with the host and slot that carry it', async () => {
    const all = await sources();
    const byHost = new Map(all.map((s) => [s.HostName as string, s]));
    const url = (id: string) => {
      const d = fleet.devices.find((x) => x.id === id)!;
      return `https://${d.address}:${d.port}`;
    };
    let dpus = 0;
    for (const d of fleet.devices) {
      const s = byHost.get(url(d.id))!;
      if (d.hostId) {
        dpus++;
        const host = byHost.get(url(d.hostId))!;
        expect(s.Oem.Shoal.Host).toEqual({ '@odata.id': host['@odata.id'] });
        expect(s.Oem.Shoal.HostSlot).toBe(`slot${d.id.slice(-1)}`);
      } else {
        expect(s.Oem.Shoal.Host).toBeUndefined();
        const want = (d.dpuIds ?? []).map((x) => byHost.get(url(x))!['@odata.id']).sort();
        expect(s.Oem.Shoal.DPUs.map((l: { '@odata.id': string }) => l['@odata.id']).sort()).toEqual(want);
      }
    }
    expect(dpus).toBe(4);
  });

  it('serves schema-valid AggregationService, sources and connection methods', async () => {
    const svc = await get('/redfish/v1/AggregationService');
    for (const doc of [svc, await get(SOURCES), ...(await sources()), await get('/redfish/v1/AggregationService/ConnectionMethods'), await get('/redfish/v1/AggregationService/ConnectionMethods/bluefield')]) {
      expect(validatePayload(doc), JSON.stringify(doc)).toEqual([]);
    }
    const cm = await get('/redfish/v1/AggregationService/ConnectionMethods/bluefield');
    expect(cm.ConnectionMethodType).toBe('Redfish');
    expect(cm.Links.AggregationSources.length).toBe(5);
  });

  it('journals each discovered device as ResourceCreated and AggregationSourceDiscovered', async () => {
    const events = shoal.store.events.list({ limit: 10_000 });
    // Inventory journals the devices' Systems, Chassis and Managers too; these are the AggregationSources.
    const created = events.filter((e) => e.messageId === 'ResourceEvent.1.4.ResourceCreated' && e.origin?.startsWith(SOURCES));
    expect(new Set(created.map((e) => e.origin)).size).toBe(fleet.devices.length);
    const found = events.filter((e) => e.messageId === 'ResourceEvent.1.4.AggregationSourceDiscovered');
    expect(found.map((e) => e.args[1]).sort()).toEqual(fleet.devices.map((d) => `https://${d.address}:${d.port}`).sort());
  });

  it('removes by DELETE, keeps the id on a hand re-add, and answers conflicts and bad input with Base messages', async () => {
    const all = await sources();
    const bf = all.find((s) => s.Oem.Shoal.Identity.Model?.includes('BlueField') && !s.Oem.Shoal.Host)!;
    const del = await shoal.app.inject({ method: 'DELETE', url: bf['@odata.id'], headers: basic() });
    expect(del.statusCode).toBe(204);
    expect((await get(SOURCES)).Members).toHaveLength(fleet.devices.length - 1);
    // Rediscovery does not bring a removed device back by itself.
    await discover({ Sources: ['cidr'], CIDR: [`${BASE}/28`] });
    expect((await get(SOURCES)).Members).toHaveLength(fleet.devices.length - 1);

    const add = await shoal.app.inject({ method: 'POST', url: SOURCES, headers: basic(), payload: { HostName: bf.HostName, UserName: 'root', Password: '0penBmc' } });
    expect(add.statusCode, add.body).toBe(201);
    expect(add.headers.location).toBe(bf['@odata.id']);
    const dup = await shoal.app.inject({ method: 'POST', url: SOURCES, headers: basic(), payload: { HostName: bf.HostName } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.22.ResourceAlreadyExists');
    const bad = await shoal.app.inject({ method: 'POST', url: SOURCES, headers: basic(), payload: { UserName: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error['@Message.ExtendedInfo'].map((m: { MessageId: string }) => m.MessageId)).toEqual(
      expect.arrayContaining(['Base.1.22.PropertyMissing']),
    );
    const dead = await shoal.app.inject({ method: 'POST', url: SOURCES, headers: basic(), payload: { HostName: `https://${BASE.replace(/\.1$/, '.250')}:8443` } });
    expect(dead.statusCode).toBe(400);
    expect(dead.json().error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.22.CouldNotEstablishConnection');
  }, 30_000);

  it('takes new credentials by PATCH and never shows the password', async () => {
    const s = (await sources())[0]!;
    const wrong = await shoal.app.inject({ method: 'PATCH', url: s['@odata.id'], headers: basic(), payload: { UserName: 'root', Password: 'wrong-password' } });
    expect(wrong.statusCode, wrong.body).toBe(200);
    await shoal.local!.discovery.ingest.settled();
    const after = await get(s['@odata.id']);
    expect(after.Password).toBeNull();
    expect(after.Oem.Shoal.RegistrationState, JSON.stringify(after.Oem.Shoal)).toBe('CredentialsRequired');
    expect(after.Status.State).toBe('StandbyOffline');
    const right = await shoal.app.inject({ method: 'PATCH', url: s['@odata.id'], headers: basic(), payload: { Password: '0penBmc' } });
    expect(right.statusCode, right.body).toBe(200);
    await shoal.local!.discovery.ingest.settled();
    expect((await get(s['@odata.id'])).Oem.Shoal.RegistrationState).toBe('Registered');
  }, 30_000);
});
