/**
 * Host ↔ DPU across two devices: an openbmc-host with a BlueField-3 in slot 1, each read through its own driver. The
 * contexts are built the way the gateway will: `cardLinks` on the host snapshot, the slot chosen by card serial (as
 * discovery pairs them), the DPU mapped first, `dpuAnchors` of its result feeding the host's context. The links must
 * hold both ways, and every URI in either tree must resolve in the union of both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComponentInfo, InventorySnapshot } from '../../../src/drivers/api.js';
import { cardLinks, dpuAnchors, mapDevice, type CardLink, type MapResult } from '../../../src/inventory/map/index.js';
import { capture, danglingLinks, docAt, ids, misplaced, ofType, schemaFailures, type Captured } from './support.js';

const HOST = 'hostc2';
const DPU = 'dpucc3';

let fleet: Captured | undefined;
let host: InventorySnapshot;
let dpu: InventorySnapshot;

beforeAll(async () => {
  fleet = await capture(2, [{ persona: 'openbmc-host', count: 1, dpusPerHost: 1 }]);
  for (const { device, snap } of fleet.snaps.values()) {
    if (device.persona === 'openbmc-host') host = snap;
    else dpu = snap;
  }
}, 60_000);
afterAll(() => fleet?.stop());

/** The host's card whose serial is the DPU card's serial: discovery's pairing rule. */
function pairedCard(hostSnap: InventorySnapshot, cards: CardLink[]): CardLink {
  const serials = new Set(dpu.chassis.map((c) => c.identity.serialNumber).filter(Boolean));
  const slot = hostSnap.components.find((c) => c.isDpu && serials.has(c.identity.serialNumber))!.id;
  return cards.find((c) => c.slot === slot)!;
}

/** Maps both devices the way the gateway will, and returns both results. */
function mapPair(hostSnap: InventorySnapshot): { card: CardLink; d: MapResult; h: MapResult } {
  const card = pairedCard(hostSnap, cardLinks(hostSnap, HOST));
  const d = mapDevice(dpu, { source: DPU, host: { source: HOST, slot: card.slot, chassisUri: card.chassisUri, functionUris: card.functionUris } });
  const anchors = dpuAnchors(d)!;
  const h = mapDevice(hostSnap, { source: HOST, dpus: [{ source: DPU, slot: card.slot, systemUri: anchors.systemUri, chassisUri: anchors.chassisUri! }] });
  return { card, d, h };
}

const isFunction = (c: ComponentInfo) => c.kind === 'NetworkDeviceFunction';

/** The same snapshot without NetworkDeviceFunctions, as a BMC that does not report them would give it. */
const withoutFunctions = (snap: InventorySnapshot): InventorySnapshot => ({ ...snap, components: snap.components.filter((c) => !isFunction(c)) });

/**
 * The host snapshot with functions under its DPU card: as read when the persona serves them, otherwise with the card's
 * two port functions added the way a host BMC that reports them would list them (so the test keeps its meaning).
 */
function withFunctions(snap: InventorySnapshot): InventorySnapshot {
  const adapter = snap.components.find((c) => c.kind === 'NetworkAdapter' && c.isDpu)!;
  if (snap.components.some((c) => isFunction(c) && c.parent.id === adapter.id)) return snap;
  const fn = (n: number): ComponentInfo => ({
    kind: 'NetworkDeviceFunction',
    id: `${adapter.id}f${n}`,
    parent: { kind: 'NetworkAdapter', id: adapter.id },
    identity: {},
    properties: { NetDevFuncType: 'Ethernet', Ethernet: { MACAddress: `aa:bb:cc:00:00:0${n}` } },
    source: `${adapter.source}/NetworkDeviceFunctions/${adapter.id}f${n}`,
  });
  return { ...snap, components: [...snap.components, fn(0), fn(1)] };
}

/** Notes that are not about a device's own bag (a link to a Port the driver does not read is fine; anything else is not). */
const structural = (r: MapResult) => r.unmapped.filter((n) => !n.path?.startsWith('properties/'));

describe('a BlueField-3 paired with its openbmc host', () => {
  it('finds the card in the host: its slot, host chassis, adapter and functions', () => {
    const cards = cardLinks(host, HOST);
    const adapter = `/redfish/v1/Chassis/${HOST}_chassis/NetworkAdapters/slot1`;
    const fns = host.components.filter((c) => isFunction(c) && c.parent.id === 'slot1').map((c) => `${adapter}/NetworkDeviceFunctions/${c.id}`);
    expect(cards).toEqual([{ slot: 'slot1', chassisUri: `/redfish/v1/Chassis/${HOST}_chassis`, adapterUri: adapter, functionUris: fns }]);
    expect(pairedCard(host, cards).slot).toBe('slot1');
  });

  it('makes the DPU a DPU and links the card chassis into the host chassis both ways', () => {
    const { d, h } = mapPair(host);
    const [sys] = ofType(d.docs, 'ComputerSystem');
    expect(sys!.body.SystemType).toBe('DPU');
    const anchors = dpuAnchors(d)!;
    expect(anchors).toEqual({ systemUri: `/redfish/v1/Systems/${DPU}_Bluefield`, chassisUri: `/redfish/v1/Chassis/${DPU}_Card1` });
    expect(docAt(d.docs, anchors.chassisUri!).Links.ContainedBy).toEqual({ '@odata.id': `/redfish/v1/Chassis/${HOST}_chassis` });
    expect(ids(docAt(h.docs, `/redfish/v1/Chassis/${HOST}_chassis`).Links.Contains)).toEqual([anchors.chassisUri]);
    // The DPU BMC's own chassis is not the card; it stays where the device put it.
    expect(docAt(d.docs, `/redfish/v1/Chassis/${DPU}_Bluefield_BMC`).Links.ContainedBy).toBeUndefined();
    expect(danglingLinks([...d.docs, ...h.docs])).toEqual([]);
    expect(schemaFailures([...d.docs, ...h.docs])).toEqual([]);
    expect([...structural(d), ...structural(h)]).toEqual([]);
  });

  it('links OffloadedNetworkDeviceFunctions and OffloadSystem both ways', () => {
    const { card, d, h } = mapPair(withFunctions(host));
    expect(card.functionUris.length).toBeGreaterThan(0);
    const sys = docAt(d.docs, `/redfish/v1/Systems/${DPU}_Bluefield`);
    const offloaded = ids(sys.Links.OffloadedNetworkDeviceFunctions);
    expect(offloaded).toEqual(expect.arrayContaining(card.functionUris));
    for (const f of card.functionUris) expect(docAt(h.docs, f).Links.OffloadSystem).toEqual({ '@odata.id': sys['@odata.id'] });
    // And back, over both trees: the functions naming the DPU are exactly the ones it lists (the host's view of the
    // card, plus the card's own view where the DPU BMC reports it).
    const union = [...d.docs, ...h.docs];
    const naming = union.filter((x) => (x.body.Links as { OffloadSystem?: { '@odata.id': string } } | undefined)?.OffloadSystem?.['@odata.id'] === sys['@odata.id']);
    expect(naming.map((x) => x.uri).sort()).toEqual([...offloaded].sort());
    expect(docAt(h.docs, `${card.adapterUri}/NetworkDeviceFunctions`)['Members@odata.count']).toBe(card.functionUris.length);
    expect(danglingLinks(union)).toEqual([]);
    expect(schemaFailures(union)).toEqual([]);
    expect(misplaced(union)).toEqual([]);
    // Each tree alone links only into itself and the other device's URIs given in its context.
    expect(danglingLinks(d.docs, [card.chassisUri, ...card.functionUris])).toEqual([]);
    expect(danglingLinks(h.docs, [sys['@odata.id'], dpuAnchors(d)!.chassisUri!])).toEqual([]);
  });

  it('claims no offload list when neither side reports functions', () => {
    const bare = withoutFunctions(host);
    const card = pairedCard(bare, cardLinks(bare, HOST));
    expect(card.functionUris).toEqual([]);
    const d = mapDevice(withoutFunctions(dpu), { source: DPU, host: { source: HOST, slot: card.slot, chassisUri: card.chassisUri, functionUris: card.functionUris } });
    expect(docAt(d.docs, `/redfish/v1/Systems/${DPU}_Bluefield`).Links).not.toHaveProperty('OffloadedNetworkDeviceFunctions');
    expect(docAt(d.docs, `/redfish/v1/Chassis/${DPU}_Card1`).Links.ContainedBy).toEqual({ '@odata.id': card.chassisUri });
  });

  it('reports a paired DPU whose slot the host does not list, and links nothing for it', () => {
    const h = mapDevice(host, { source: HOST, dpus: [{ source: DPU, slot: 'slot9', systemUri: `/redfish/v1/Systems/${DPU}_Bluefield`, chassisUri: `/redfish/v1/Chassis/${DPU}_Card1` }] });
    expect(structural(h)).toEqual([{ source: 'context', path: 'dpus/slot9', reason: expect.stringContaining('slot9') }]);
    expect(docAt(h.docs, `/redfish/v1/Chassis/${HOST}_chassis`).Links.Contains).toBeUndefined();
    expect(danglingLinks(h.docs)).toEqual([]);
  });

  it('calls every system of a paired DPU BMC a DPU even when the driver does not say so', () => {
    const plain = { ...dpu, systems: dpu.systems.map((s) => ({ ...s, isDpu: false })) };
    const card = cardLinks(host, HOST)[0]!;
    const alone = mapDevice(plain, { source: DPU });
    expect(ofType(alone.docs, 'ComputerSystem')[0]!.body.SystemType).toBe('Physical');
    const paired = mapDevice(plain, { source: DPU, host: { source: HOST, slot: card.slot, chassisUri: card.chassisUri, functionUris: [] } });
    expect(ofType(paired.docs, 'ComputerSystem')[0]!.body.SystemType).toBe('DPU');
    expect(docAt(paired.docs, `/redfish/v1/Chassis/${DPU}_Card1`).Links.ContainedBy).toEqual({ '@odata.id': card.chassisUri });
  });
});
