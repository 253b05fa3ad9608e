/**
 * The Service Validator's bar, on a managed fleet: the gateway manages a mixed simulated fleet (bluefield3, an
 * openbmc-host carrying a BlueField-3, DMTF's public-smartnic mockup, and an IPMI BMC run by the real ipmi_sim), and
 * every payload reachable from the service root validates against the DMTF JSON Schema its @odata.type names (and
 * Oem.Shoal objects against Shoal's own). Every link resolves: a crawl that meets a 404 fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../mock-hardware/src/index.js';
import { freePort } from '../../mock-hardware/src/discovery/ports.js';
import type { Shoal } from '../../src/app.js';
import { SCHEMAS_DIR } from '../../src/redfish/oem-schemas.js';
import { basic, testApp } from '../support/app.js';
import { crawl, schemaFailures } from '../support/crawl.js';
import { addSchemaDir } from '../support/redfish-schema.js';
import { sharedDir } from '../support/shared-dir.js';

addSchemaDir(SCHEMAS_DIR);

const NET = `127.174.${(process.pid % 200) + 1}`;
const SOURCES = '/redfish/v1/AggregationService/AggregationSources';

let fleet: Fleet;
let ipmi: Fleet;
let stateDir: string;
let shoal: Shoal;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function add(payload: Record<string, unknown>): Promise<void> {
  const r = await shoal.app.inject({ method: 'POST', url: SOURCES, headers: basic(), payload });
  expect(r.statusCode, r.body).toBe(201);
}

beforeAll(async () => {
  fleet = await startFleet({
    seed: 'fleet-crawl',
    timeScale: 0,
    baseAddress: `${NET}.1`,
    devices: [
      { persona: 'openbmc-host', count: 1, dpusPerHost: 1 },
      { persona: 'bluefield3', count: 1 },
      { persona: 'dmtf-mockup', count: 1, options: { mockup: join(sharedDir(), 'mockups', 'public-smartnic') } },
    ],
  });
  // ipmi_sim needs a UDP port of its own: its device gets a fleet and an address of its own.
  stateDir = mkdtempSync(join(tmpdir(), 'shoal-crawl-ipmi-'));
  const ipmiAddr = `${NET}.100`;
  ipmi = await startFleet({ seed: 'fleet-crawl-ipmi', timeScale: 0, baseAddress: ipmiAddr, devices: [{ persona: 'ipmi-legacy', count: 1 }], ipmiStateDir: stateDir, ipmiPort: await freePort(ipmiAddr) });
  shoal = await testApp({ discovery: { tls: { mode: 'insecure' } }, inventory: { startSpreadSeconds: 0 } });
  for (const d of fleet.devices) {
    const method = d.persona === 'bluefield3' ? 'bluefield' : d.persona === 'openbmc-host' ? 'openbmc' : 'redfish';
    await add({ HostName: `https://${d.address}:${d.port}`, UserName: d.credentials.user, Password: d.credentials.password, Links: { ConnectionMethod: { '@odata.id': `${SOURCES.replace('AggregationSources', 'ConnectionMethods')}/${method}` } } });
  }
  const i = ipmi.devices[0]!;
  await add({ HostName: `ipmi://${i.address}:${i.port}`, UserName: i.credentials.user, Password: i.credentials.password, Links: { ConnectionMethod: { '@odata.id': '/redfish/v1/AggregationService/ConnectionMethods/ipmi' } } });
  // Every device inventoried: 5 endpoints, each with at least one system (the mockup has a host and a DPU).
  const want = fleet.devices.length + 1;
  for (let n = 0; ; n++) {
    const polled = shoal.local!.inventory.pool.ids().filter((id) => shoal.local!.inventory.pool.get(id)!.status().hasInventory).length;
    if (polled === want) break;
    if (n > 600) throw new Error(`only ${polled} of ${want} devices inventoried`);
    await sleep(100);
  }
}, 120_000);

afterAll(async () => {
  await shoal?.close();
  await fleet?.stop();
  await ipmi?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('a gateway managing a mixed fleet', () => {
  it('serves every persona in the tree', async () => {
    const systems = (await shoal.app.inject({ url: '/redfish/v1/Systems', headers: basic() })).json() as { Members: { '@odata.id': string }[] };
    // openbmc host + its DPU + standalone DPU + mockup host + mockup DPU + IPMI system.
    expect(systems.Members.length).toBeGreaterThanOrEqual(6);
  });

  it('validates every payload reachable from the service root, with every link resolving', async () => {
    const all = await crawl(shoal.app, basic(), '/redfish/v1', 5000);
    expect(all.size).toBeGreaterThan(150);
    const types = new Set([...all.values()].map((b) => String(b['@odata.type']).replace(/^#([A-Za-z]+)\..*/, '$1')));
    for (const t of ['ComputerSystem', 'Chassis', 'Manager', 'Processor', 'Memory', 'NetworkAdapter', 'NetworkDeviceFunction', 'SoftwareInventory', 'Sensor', 'AccelerationFunction', 'LogService', 'LogEntry']) {
      expect(types.has(t), `no ${t} was crawled`).toBe(true);
    }
    expect(schemaFailures(all)).toEqual([]);
  }, 60_000);
});

/**
 * `docs/redfish-support.md` lists every property served in the aggregated tree: between its markers is, per resource
 * type, each property path (two levels deep) this crawl met. The test fails when a served property is missing from
 * the doc; `UPDATE_DOCS=1 npx vitest run test/redfish/fleet-schema-crawl.test.ts` rewrites the section.
 */
describe('docs/redfish-support.md', () => {
  it('lists every property the managed fleet serves', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const all = await crawl(shoal.app, basic(), '/redfish/v1', 5000);
    const byType = new Map<string, Set<string>>();
    const walk = (v: unknown, prefix: string, depth: number, into: Set<string>) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return;
      for (const [k, x] of Object.entries(v)) {
        if (k.startsWith('@odata') || k.endsWith('@odata.count')) continue;
        const path = prefix ? `${prefix}.${k}` : k;
        into.add(path);
        if (depth < 2 || path.startsWith('Oem.Shoal')) walk(Array.isArray(x) ? x[0] : x, path, depth + 1, into);
      }
    };
    for (const [uri, body] of all) {
      if (!/^\/redfish\/v1\/(Systems|Chassis|Managers|UpdateService)\//.test(uri) || uri === '/redfish/v1/Managers/Shoal' || uri.startsWith('/redfish/v1/Managers/Shoal/')) continue;
      const type = String(body['@odata.type']).replace(/^#([A-Za-z0-9]+)\..*$/, '$1');
      if (!byType.has(type)) byType.set(type, new Set());
      walk(body, '', 1, byType.get(type)!);
    }
    const section = [...byType.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([t, props]) => `| ${t} | ${[...props].sort().map((p) => `\`${p}\``).join(', ') || '(members only)'} |`)
      .join('\n');
    const file = join(process.cwd(), 'docs', 'redfish-support.md');
    const doc = readFileSync(file, 'utf8');
    const begin = '<!-- served-properties:begin -->';
    const end = '<!-- served-properties:end -->';
    if (process.env.UPDATE_DOCS) {
      const table = `${begin}\n| type | properties served (two levels deep) |\n| --- | --- |\n${section}\n${end}`;
      writeFileSync(file, doc.includes(begin) ? doc.replace(new RegExp(`${begin}[\\s\\S]*${end}`), table) : `${doc}\n${table}\n`);
      return;
    }
    const listed = doc.slice(doc.indexOf(begin), doc.indexOf(end));
    const missing: string[] = [];
    for (const [t, props] of byType) {
      const row = listed.split('\n').find((l) => l.startsWith(`| ${t} |`));
      for (const p of props) if (!row?.includes(`\`${p}\``)) missing.push(`${t}: ${p}`);
    }
    expect(missing, 'run UPDATE_DOCS=1 npx vitest run test/redfish/fleet-schema-crawl.test.ts').toEqual([]);
  }, 60_000);
});
