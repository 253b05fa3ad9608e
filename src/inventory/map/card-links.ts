/**
 * DPU cards as a host sees them. A host lists one card as several components (a PCIeDevice and a NetworkAdapter with
 * the same serial); discovery pairs the card's own BMC by that serial and names the pairing's slot after the first of
 * them (`discovery/identify.ts`), so cards are grouped the same way here and the slot ids agree.
 */
import { normaliseSerial } from '../../model/discovery.js';
import type { InventorySnapshot } from '../../model/inventory.js';
import { ancestry, chassisIdOf, placeComponents, type Placed } from './placement.js';
import { buildTopology, type Topology } from './topology.js';
import type { CardLink, MapResult } from './types.js';
import { FLEET, validId } from './uris.js';

/** A card with the placed components that make it up. */
export interface Card extends CardLink {
  members: Placed[];
}

/** Groups the placed `isDpu` components into cards and finds each card's chassis, adapter and functions. */
export function cardsOf(placed: readonly Placed[], topo: Topology): Card[] {
  const cards: Card[] = [];
  const bySerial = new Map<string, Card>();
  const byId = new Map<string, Card>();
  for (const p of placed) {
    if (p.c.isDpu !== true) continue;
    const serial = normaliseSerial(typeof p.c.identity?.serialNumber === 'string' ? p.c.identity.serialNumber : undefined);
    let card = (serial ? bySerial.get(serial) : undefined) ?? byId.get(p.c.id);
    if (!card) {
      const chassisId = chassisIdOf(p, topo);
      if (chassisId === undefined) continue; // a card in no chassis has nowhere to be ContainedBy
      card = { slot: p.c.id, chassisUri: topo.chassisUri(chassisId), functionUris: [], members: [] };
      cards.push(card);
    }
    card.members.push(p);
    if (serial) bySerial.set(serial, card);
    byId.set(p.c.id, card);
    if (p.c.kind === 'NetworkAdapter') card.adapterUri ??= p.uri;
  }
  for (const p of placed) {
    if (p.c.kind !== 'NetworkDeviceFunction') continue;
    const chain = ancestry(p.anchor, topo);
    const card = cards.find((k) => k.members.some((m) => chain.some((a) => 'placed' in a && a.placed === m)));
    card?.functionUris.push(p.uri);
  }
  return cards;
}

/**
 * For each DPU card in a host's snapshot: the host chassis it sits in and the URIs of its NetworkDeviceFunctions, as
 * `mapDevice(hostSnap, { source: hostSource })` emits them. The caller fills a paired DPU's `MapContext.host` from the
 * entry whose `slot` is the pairing's slot.
 */
export function cardLinks(hostSnap: InventorySnapshot, hostSource: string): CardLink[] {
  const ignore = () => {};
  if (!hostSnap || typeof hostSnap !== 'object' || !validId(hostSource)) return [];
  try {
    const topo = buildTopology(hostSnap, hostSource, ignore);
    return cardsOf(placeComponents(hostSnap.components, topo, ignore), topo).map(({ slot, chassisUri, adapterUri, functionUris }) => ({
      slot,
      chassisUri,
      ...(adapterUri ? { adapterUri } : {}),
      functionUris,
    }));
  } catch {
    // Same contract as mapDevice: a mapper bug costs this host its card links, not the caller its loop.
    return [];
  }
}

/**
 * Where a mapped DPU device hangs in its host: its DPU system and the chassis of its card (a `Card` among the
 * system's chassis, else the first). The caller puts these into the host's `MapContext.dpus`.
 */
export function dpuAnchors(dpu: MapResult): { systemUri: string; chassisUri?: string } | undefined {
  const sys = dpu.docs.find((d) => d.collection === FLEET.System && d.body.SystemType === 'DPU');
  if (!sys) return undefined;
  const chassis = ((sys.body.Links as { Chassis?: { '@odata.id': string }[] } | undefined)?.Chassis ?? []).map((l) => l['@odata.id']);
  const card = chassis.find((u) => dpu.docs.find((d) => d.uri === u)?.body.ChassisType === 'Card') ?? chassis[0];
  return { systemUri: sys.uri, ...(card ? { chassisUri: card } : {}) };
}
