/**
 * Inventory end to end, in process: the real simulator (an openbmc host carrying two BlueField-3s, and a standalone
 * BlueField-3), discovered by a CIDR sweep, polled through the real drivers, mapped and stored, and read back through
 * the Redfish pipeline. Reads come from the store: the tests stop the simulator's answers and the tree still serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../mock-hardware/src/index.js';
import type { Shoal } from '../../src/app.js';
import { SCHEMAS_DIR } from '../../src/redfish/oem-schemas.js';
import { memberIds as ids, until } from '../support/until.js';
import { basic, testApp } from '../support/app.js';
import { addSchemaDir, validateRedfish } from '../support/redfish-schema.js';

addSchemaDir(SCHEMAS_DIR);

const BASE = `127.172.${(process.pid % 200) + 1}.1`;
const ACTION = '/redfish/v1/AggregationService/Actions/Oem/ShoalAggregationService.Discover';
type Doc = Record<string, any>;

let fleet: Fleet;
let shoal: Shoal;

async function get(url: string): Promise<Doc> {
  const r = await shoal.app.inject({ url, headers: basic() });
  expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
  return r.json() as Doc;
}

beforeAll(async () => {
  fleet = await startFleet({
    seed: 'inventory-service',
    timeScale: 0,
    baseAddress: BASE,
    devices: [
      { persona: 'openbmc-host', count: 1, dpusPerHost: 2 },
      { persona: 'bluefield3', count: 1 },
    ],
  });
  shoal = await testApp({
    discovery: { redfishPorts: [8443], tls: { mode: 'insecure' }, credentials: [{ username: 'root', password: '0penBmc' }] },
    inventory: { startSpreadSeconds: 0 },
  });
  const r = await shoal.app.inject({ method: 'POST', url: ACTION, headers: basic(), payload: { Sources: ['cidr'], CIDR: [`${BASE}/29`] } });
  expect(r.statusCode, r.body).toBe(202);
  // 1 host + 3 DPUs (two carried, one standalone), each with a system; the carried two paired and linked.
  await until('every system, with both carried DPUs linked into the host', async () => {
    const c = await get('/redfish/v1/Systems');
    if (c['Members@odata.count'] !== 4) return undefined;
    const host = (await Promise.all(ids(c).map(get))).find((s) => s.SystemType === 'Physical');
    const chassis = host && (await get(host.Links.Chassis[0]['@odata.id']));
    return chassis?.Links?.Contains?.length === 2 ? true : undefined;
  });
  // Registration shows a device from its identify read; its first poll adds firmware and logs.
  await until('every device wholly inventoried', async () => {
    const pool = shoal.local!.inventory.pool;
    return pool.size === 4 && pool.ids().every((id) => pool.get(id)!.status().hasInventory) ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  await shoal?.close();
  await fleet?.stop();
});

describe('the aggregated tree', () => {
  it('serves hosts as Physical and every BlueField as a DPU, with state and boot progress', async () => {
    const systems = await Promise.all(ids(await get('/redfish/v1/Systems')).map(get));
    expect(systems.filter((s) => s.SystemType === 'Physical')).toHaveLength(1);
    expect(systems.filter((s) => s.SystemType === 'DPU')).toHaveLength(3);
    for (const s of systems) {
      expect(s.PowerState).toBe('On');
      expect(s.BootProgress?.LastState, s['@odata.id']).toBeTypeOf('string');
      expect(s.Id).toMatch(/^[a-z2-7]+_/);
    }
  });

  it('filters the fleet in the store: SystemType, and a firmware version', async () => {
    const dpus = await get(`/redfish/v1/Systems?$filter=${encodeURIComponent("SystemType eq 'DPU'")}`);
    expect(dpus['Members@odata.count']).toBe(3);
    const physical = await get(`/redfish/v1/Systems?$filter=${encodeURIComponent("SystemType ne 'DPU'")}`);
    expect(physical['Members@odata.count']).toBe(1);
    const fw = await get('/redfish/v1/UpdateService/FirmwareInventory');
    expect(fw['Members@odata.count']).toBeGreaterThan(4);
    const one = await get(ids(fw)[0]!);
    const same = await get(`/redfish/v1/UpdateService/FirmwareInventory?$filter=${encodeURIComponent(`Version eq '${one.Version}'`)}`);
    const expected = (await Promise.all(ids(fw).map(get))).filter((f) => f.Version === one.Version).map((f) => f['@odata.id']);
    expect(ids(same).sort()).toEqual(expected.sort());
  });

  it('links every carried DPU both ways: card ContainedBy host chassis, functions offloaded to the DPU system', async () => {
    const systems = await Promise.all(ids(await get('/redfish/v1/Systems')).map(get));
    const host = systems.find((s) => s.SystemType === 'Physical')!;
    const hostChassis = await get(host.Links.Chassis[0]['@odata.id']);
    const cards = await Promise.all((hostChassis.Links.Contains as Doc[]).map((l) => get(l['@odata.id'])));
    for (const card of cards) {
      expect(card.ChassisType).toBe('Card');
      expect(card.Links.ContainedBy['@odata.id']).toBe(hostChassis['@odata.id']);
      const dpu = await get(card.Links.ComputerSystems[0]['@odata.id']);
      expect(dpu.SystemType).toBe('DPU');
      const fns = dpu.Links.OffloadedNetworkDeviceFunctions as Doc[];
      expect(fns.length).toBeGreaterThan(0);
      // The functions the host sees on the card, and the card's own as its BMC reports them.
      expect(fns.some((f) => f['@odata.id'].startsWith(`${hostChassis['@odata.id']}/`)), JSON.stringify(fns)).toBe(true);
      for (const f of fns) {
        const fn = await get(f['@odata.id']);
        expect(fn.Links.OffloadSystem['@odata.id']).toBe(dpu['@odata.id']);
      }
    }
    const standalone = systems.filter((s) => s.SystemType === 'DPU' && !cards.some((c) => c.Links.ComputerSystems[0]['@odata.id'] === s['@odata.id']));
    expect(standalone).toHaveLength(1);
  });

  it('expands a page of Systems from the stored documents, exactly as each reads on its own', async () => {
    const page = await get('/redfish/v1/Systems?$expand=.($levels=1)&$top=2');
    expect(page['Members@odata.count']).toBe(4);
    expect(page.Members).toHaveLength(2);
    expect(page['Members@odata.nextLink']).toContain('$skip=2');
    for (const m of page.Members as Doc[]) {
      const alone = await get(m['@odata.id']);
      delete alone['@odata.etag'];
      expect(m).toEqual(alone);
    }
  });

  it('lists every BMC and DPU BMC beside the gateway among Managers', async () => {
    const managers = ids(await get('/redfish/v1/Managers'));
    expect(managers[0]).toBe('/redfish/v1/Managers/Shoal');
    expect(managers.length).toBe(5);
    const bmc = await get(managers[1]!);
    expect(bmc.ManagerType).toBe('BMC');
  });

  it('validates every document it serves against the DMTF schemas', async () => {
    const seen = new Set<string>();
    const bad: string[] = [];
    const queue = ['/redfish/v1/Systems', '/redfish/v1/Chassis', '/redfish/v1/Managers', '/redfish/v1/UpdateService'];
    while (queue.length) {
      const uri = queue.shift()!;
      if (seen.has(uri) || !uri.startsWith('/redfish/v1/') || uri.includes('#') || uri.startsWith('/redfish/v1/AggregationService')) continue;
      seen.add(uri);
      const doc = await get(uri);
      const r = validateRedfish(doc);
      if (!r.valid) bad.push(`${uri}: ${r.errors.slice(0, 3).join('; ')}`);
      JSON.stringify(doc, (k, v: unknown) => {
        if (k === '@odata.id' && typeof v === 'string') queue.push(v);
        return v;
      });
    }
    expect(seen.size).toBeGreaterThan(60);
    expect(bad).toEqual([]);
  });

  it('journals each new System, Chassis and Manager once as ResourceCreated, and not every part', async () => {
    const created = shoal.store.events.list({ limit: 100_000 }).filter((e) => e.messageId === 'ResourceEvent.1.4.ResourceCreated' && !e.origin?.includes('AggregationSources'));
    const origins = created.map((e) => e.origin!);
    expect(new Set(origins).size).toBe(origins.length);
    for (const coll of ['Systems', 'Chassis']) {
      const members = ids(await get(`/redfish/v1/${coll}`));
      expect(members.every((m) => origins.includes(m)), coll).toBe(true);
    }
    expect(origins.some((o) => o.includes('/Processors/'))).toBe(false);
  });

  it('keeps serving from the store when a device stops answering, and says so in Status.Conditions', async () => {
    const standalone = fleet.devices.find((d) => d.persona === 'bluefield3' && !d.hostId);
    expect(standalone).toBeDefined();
    const sourceId = shoal.local!.discovery.directory.list().find((d) => d.host === standalone!.address)!.id;
    const sysUri = (await Promise.all(ids(await get('/redfish/v1/Systems')).map(get))).find((s) => s.Id.startsWith(`${sourceId}_`))!['@odata.id'] as string;
    fleet.inject(standalone!.id, { kind: 'bmc-crash', downMs: 600_000 });
    void shoal.local!.inventory.pool.get(sourceId)!.pollNow('state');
    const sys = await until('a condition on the hung DPU', async () => {
      const s = await get(sysUri);
      return s.Status?.Conditions?.length ? s : undefined;
    });
    expect(sys.Status.Conditions[0].MessageId).toMatch(/^Base\.1\.22\.Operation(Failed|Timeout)$/);
    expect(sys.Status.Conditions[0].OriginOfCondition['@odata.id']).toBe(`/redfish/v1/AggregationService/AggregationSources/${sourceId}`);
    expect(sys.PowerState).toBe('On');
  }, 30_000);
});
