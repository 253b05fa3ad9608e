/**
 * The mapper on real snapshots: every simulator persona (bluefield3, openbmc-host, ipmi-legacy, and dmtf-mockup serving
 * DMTF's public-smartnic) is started, read through its built-in driver and the DriverRuntime, and mapped. Every
 * document must validate against the DMTF JSON Schema its @odata.type names, sit at a URI DMTF defines for its type,
 * and link only to documents that exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventorySnapshot } from '../../../src/drivers/api.js';
import { mapDevice, type DeviceFreshness, type MapResult } from '../../../src/inventory/map/index.js';
import { ipmiToolsMissing } from '../../conformance/targets/ipmi-legacy.js';
import { capture, danglingLinks, docAt, ids, misplaced, mockupDir, ofType, schemaFailures, type Captured } from './support.js';

const SOURCE: Record<string, string> = { 'openbmc-host': 'hosta2', bluefield3: 'dpuab3', 'dmtf-mockup': 'mocka4', 'ipmi-legacy': 'ipmia5' };
const ORIGIN = (src: string) => `/redfish/v1/AggregationService/AggregationSources/${src}`;
const ipmiMissing = ipmiToolsMissing();
if (ipmiMissing) console.warn(`ipmi-legacy persona not mapped: ${ipmiMissing}`);

const snaps = new Map<string, InventorySnapshot>();
let redfish: Captured | undefined;
let ipmi: Captured | undefined;

beforeAll(async () => {
  redfish = await capture(0, [
    { persona: 'openbmc-host', count: 1, dpusPerHost: 1 },
    { persona: 'dmtf-mockup', count: 1, options: { mockup: mockupDir() } },
  ]);
  for (const { device, snap } of redfish.snaps.values()) snaps.set(device.persona, snap);
  if (!ipmiMissing) {
    ipmi = await capture(1, [{ persona: 'ipmi-legacy', count: 1 }]);
    for (const { device, snap } of ipmi.snaps.values()) snaps.set(device.persona, snap);
  }
}, 90_000);

afterAll(async () => {
  await redfish?.stop();
  await ipmi?.stop();
});

const PERSONAS = ['bluefield3', 'openbmc-host', 'dmtf-mockup', ...(ipmiMissing ? [] : ['ipmi-legacy'])];
const map = (persona: string, freshness?: DeviceFreshness): MapResult => mapDevice(snaps.get(persona)!, { source: SOURCE[persona]!, ...(freshness ? { freshness } : {}) });

describe.each(PERSONAS)('%s through its driver', (persona) => {
  it('maps every system, chassis and manager to an aggregated top-level document', () => {
    const snap = snaps.get(persona)!;
    const { docs } = map(persona);
    const src = SOURCE[persona]!;
    const top = (kind: string, list: { id: string }[]) => {
      const members = docs.filter((d) => d.collection === `/redfish/v1/${kind}`);
      expect(members.map((d) => d.body.Id).sort()).toEqual(list.map((x) => `${src}_${x.id}`).sort());
      for (const d of members) expect(d.uri).toBe(`/redfish/v1/${kind}/${encodeURIComponent(d.body.Id as string)}`);
    };
    top('Systems', snap.systems);
    top('Chassis', snap.chassis);
    top('Managers', snap.managers);
    expect(docs.filter((d) => d.collection === '/redfish/v1/UpdateService/FirmwareInventory')).toHaveLength(snap.firmware.length);
  });

  it('produces only documents that validate against their DMTF JSON Schema, collections included', () => {
    const { docs } = map(persona);
    expect(schemaFailures(docs)).toEqual([]);
    if (snaps.get(persona)!.components.length > 0) expect(docs.some((d) => (d.body['@odata.type'] as string).includes('Collection.'))).toBe(true);
  });

  it('puts every document at a URI DMTF defines for its type', () => {
    expect(misplaced(map(persona).docs)).toEqual([]);
  });

  it('links only to documents of the same run', () => {
    expect(danglingLinks(map(persona).docs)).toEqual([]);
  });

  it('places every component, and loses no property without saying so', () => {
    const snap = snaps.get(persona)!;
    const { docs, unmapped } = map(persona);
    const componentDocs = docs.filter((d) => !d.collection && !(d.body['@odata.type'] as string).includes('Collection.') && !d.uri.endsWith('/EnvironmentMetrics'));
    expect(componentDocs).toHaveLength(snap.components.length);
    for (const c of snap.components) {
      const reported = (k: string) => unmapped.some((n) => n.source === c.source && n.path?.startsWith(`properties/${k}`));
      // Ids repeat across parents (two systems' CPU1), so the document is the one of this kind and id carrying this bag.
      const carries = (body: Record<string, unknown>) =>
        Object.entries(c.properties).every(([k, v]) => reported(k) || JSON.stringify(body[k]) === JSON.stringify(v) || JSON.stringify(v).includes('@odata.id'));
      const doc = componentDocs.find((d) => d.body.Id === c.id && (d.body['@odata.type'] as string).startsWith(`#${c.kind}.`) && carries(d.body));
      expect(doc, `${c.kind} ${c.id} from ${c.source}`).toBeDefined();
      for (const k of Object.keys(c.properties)) expect(k in doc!.body || reported(k), `${c.source} ${k}`).toBe(true);
    }
  });

  it('validates with Conditions and UnavailableOffline when the device is unreachable', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5);
    const { docs } = map(persona, { error: { code: 'Unavailable', message: 'connect ECONNREFUSED', at }, availability: 'unavailable', stale: true, inventoryAt: at - 60_000 });
    expect(schemaFailures(docs)).toEqual([]);
    expect(danglingLinks(docs, [ORIGIN(SOURCE[persona]!)])).toEqual([]);
    for (const d of docs.filter((x) => x.collection && x.collection.endsWith('/FirmwareInventory') === false)) {
      const status = d.body.Status as { State: string; Conditions: { MessageId: string; Timestamp?: string }[] };
      expect(status.State).toBe('UnavailableOffline');
      expect(status.Conditions.map((c) => c.MessageId).sort()).toEqual(['Base.1.22.OperationFailed', 'Base.1.22.OperationTimeout']);
      expect(status.Conditions.find((c) => c.MessageId.endsWith('OperationFailed'))!.Timestamp).toBe('2026-01-02T03:04:05+00:00');
    }
  });
});

describe('what each persona leaves unmapped', () => {
  it('reports only bag properties and links it cannot serve: every resource is placed, every typed field mapped', () => {
    for (const p of PERSONAS) {
      const { unmapped } = map(p);
      expect(unmapped.filter((n) => !n.path?.startsWith('properties/')), p).toEqual([]);
      for (const n of unmapped) expect(n.source, p).toMatch(/^\/redfish\/v1\//);
    }
    // public-smartnic's adapter links its Ports collection, which the driver does not read.
    expect(map('dmtf-mockup').unmapped).toContainEqual({
      source: '/redfish/v1/Chassis/Card1/NetworkAdapters/Slot1',
      path: 'properties/Ports',
      reason: expect.stringContaining('/redfish/v1/Chassis/Card1/NetworkAdapters/Slot1/Ports'),
    });
  });
});

describe('DPU and host shapes', () => {
  it('calls BlueField a DPU although it says Physical, offloading exactly the functions that name it', () => {
    const snap = snaps.get('bluefield3')!;
    expect(snap.systems[0]!.systemType).toBe('Physical');
    const { docs } = map('bluefield3');
    const [sys] = ofType(docs, 'ComputerSystem');
    expect(sys!.body.SystemType).toBe('DPU');
    const naming = ofType(docs, 'NetworkDeviceFunction').filter((d) => (d.body.Links as Record<string, any> | undefined)?.OffloadSystem?.['@odata.id'] === sys!.uri);
    expect(naming).toHaveLength(snap.components.filter((c) => c.kind === 'NetworkDeviceFunction').length);
    // An empty list would claim knowledge, so no functions means no property.
    const listed = (sys!.body.Links as Record<string, unknown>).OffloadedNetworkDeviceFunctions;
    expect(listed === undefined ? [] : ids(listed)).toEqual(naming.map((d) => d.uri));
  });

  it('keeps the openbmc host Physical with a RackMount chassis and its DIMMs under the system', () => {
    const snap = snaps.get('openbmc-host')!;
    const { docs } = map('openbmc-host');
    const sys = docAt(docs, '/redfish/v1/Systems/hosta2_system');
    expect(sys.SystemType).toBe('Physical');
    expect(sys.Memory).toEqual({ '@odata.id': '/redfish/v1/Systems/hosta2_system/Memory' });
    expect(docAt(docs, '/redfish/v1/Systems/hosta2_system/Memory')['Members@odata.count']).toBe(snap.components.filter((c) => c.kind === 'Memory').length);
    expect(sys.Actions['#ComputerSystem.Reset']['ResetType@Redfish.AllowableValues']).toEqual(snap.systems[0]!.resetTypes);
    expect(docAt(docs, '/redfish/v1/Chassis/hosta2_chassis').ChassisType).toBe('RackMount');
  });

  it.skipIf(ipmiMissing !== undefined)('summarises the IPMI chassis sensors in EnvironmentMetrics', () => {
    const { docs } = map('ipmi-legacy');
    const chassis = ofType(docs, 'Chassis')[0]!;
    const env = docAt(docs, (chassis.body.EnvironmentMetrics as { '@odata.id': string })['@odata.id']);
    expect(env.TemperatureCelsius.DataSourceUri).toBe(`${chassis.uri}/Sensors/InletTemp`);
  });
});

describe('public-smartnic (one device holding a host and its DPU)', () => {
  const M = (p: string) => JSON.parse(readFileSync(join(mockupDir(), p, 'index.json'), 'utf8')) as Record<string, any>;
  const last = (u: string) => u.split('/').pop()!;

  it('has the DPU system, its card chassis ContainedBy the host chassis, and the offload links both ways', () => {
    const { docs } = map('dmtf-mockup');
    const dpu = docAt(docs, '/redfish/v1/Systems/mocka4_Card1-SoC');
    expect(dpu.SystemType).toBe('DPU');
    expect(docAt(docs, '/redfish/v1/Systems/mocka4_437XR1138R2').SystemType).toBe('Physical');
    const card = docAt(docs, '/redfish/v1/Chassis/mocka4_Card1');
    expect(card.ChassisType).toBe('Card');
    expect(card.Links.ContainedBy).toEqual({ '@odata.id': '/redfish/v1/Chassis/mocka4_1U' });
    expect(ids(docAt(docs, '/redfish/v1/Chassis/mocka4_1U').Links.Contains)).toEqual(['/redfish/v1/Chassis/mocka4_Card1']);
    // The same functions DMTF's mockup lists, each naming the DPU back.
    const offloaded = ids(dpu.Links.OffloadedNetworkDeviceFunctions);
    expect(offloaded.map(last).sort()).toEqual(ids(M('Systems/Card1-SoC').Links.OffloadedNetworkDeviceFunctions).map(last).sort());
    for (const f of offloaded) expect(docAt(docs, f).Links.OffloadSystem).toEqual({ '@odata.id': '/redfish/v1/Systems/mocka4_Card1-SoC' });
    expect(ids(dpu.Links.Chassis)).toEqual(['/redfish/v1/Chassis/mocka4_Card1']);
  });

  it('summarises chassis power as DMTF does, from the chassis-wide sensor', () => {
    const { docs } = map('dmtf-mockup');
    const env = docAt(docs, '/redfish/v1/Chassis/mocka4_1U/EnvironmentMetrics');
    const dmtf = M('Chassis/1U/EnvironmentMetrics');
    expect(env.PowerWatts.Reading).toBe(dmtf.PowerWatts.Reading);
    expect(last(env.PowerWatts.DataSourceUri)).toBe(last(dmtf.PowerWatts.DataSourceUri));
  });

  it('keeps the drive the mockup files under the card chassis with the storage it belongs to', () => {
    const { docs } = map('dmtf-mockup');
    const storage = docAt(docs, '/redfish/v1/Systems/mocka4_Card1-SoC/Storage/1');
    expect(ids(storage.Drives)).toEqual(['/redfish/v1/Systems/mocka4_Card1-SoC/Storage/1/Drives/1']);
    expect(storage['Drives@odata.count']).toBe(1);
    expect(storage.StorageControllers[0]['@odata.id']).toBe('/redfish/v1/Systems/mocka4_Card1-SoC/Storage/1#/StorageControllers/0');
  });
});
