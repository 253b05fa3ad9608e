/**
 * The DPU links of one device, following DMTF's public-smartnic model: which systems are DPUs, which
 * NetworkDeviceFunctions each offloads (and so which DPU each function names as `OffloadSystem`), and which chassis
 * contain which. Two sources feed them: the snapshot itself when one service shows host and DPU (the mockup), and the
 * caller's context when a DPU's BMC and its host are separate devices.
 */
import { cardsOf } from './card-links.js';
import { chassisIdOf, type Placed } from './placement.js';
import { show } from './show.js';
import type { Topology } from './topology.js';
import type { MapContext, MapNote } from './types.js';
import { validId } from './uris.js';

/** The DPU links of a device, by system id, function URI and chassis. */
export interface DpuLinks {
  dpuSystems: Set<string>;
  /** NetworkDeviceFunction URI → the DPU system that offloads it. */
  offloadSystem: Map<string, string>;
  /** DPU system id → the function URIs it offloads. */
  offloaded: Map<string, string[]>;
  /** Chassis URI → URIs of the chassis it contains. */
  contains: Map<string, string[]>;
  /** Chassis id → URI of the chassis containing it. */
  containedBy: Map<string, string>;
  /** Ids of the chassis that are DPU cards. */
  cardChassis: Set<string>;
}

/** Works out the DPU links of one device from its snapshot and the pairing context. */
export function linkDpus(ctx: MapContext, topo: Topology, placed: readonly Placed[], sink: (n: MapNote) => void): DpuLinks {
  // DPU systems: the driver's judgement, or every system of a DPU BMC the caller paired with a host.
  const flagged = [...topo.systems.values()].filter((s) => s.isDpu === true).map((s) => s.id);
  const dpuSystems = new Set(flagged.length || !ctx.host ? flagged : [...topo.systems.keys()]);
  const offloadSystem = new Map<string, string>();
  const offloaded = new Map<string, string[]>([...dpuSystems].map((s) => [s, [...(ctx.host?.functionUris ?? [])]]));
  const contains = new Map<string, string[]>();
  const addContains = (chassisUri: string, child: string) => contains.set(chassisUri, [...(contains.get(chassisUri) ?? []), child]);

  // A host: each paired DPU's card offloads the card's functions and sits in the card's chassis.
  if (ctx.dpus?.length) {
    const cards = cardsOf(placed, topo);
    for (const d of ctx.dpus) {
      const card = cards.find((k) => k.slot === d.slot);
      if (!card) {
        sink({ source: 'context', path: `dpus/${d.slot}`, reason: `paired DPU ${d.source} is in slot ${show(d.slot)}, which this host does not list as a DPU card` });
        continue;
      }
      addContains(card.chassisUri, d.chassisUri);
      for (const fn of card.functionUris) offloadSystem.set(fn, d.systemUri);
    }
  }
  // One device holding both (public-smartnic): a DPU system offloads the functions of the adapters in its chassis.
  for (const p of placed) {
    if (p.c.kind !== 'NetworkDeviceFunction') continue;
    const chassisId = chassisIdOf(p, topo);
    const owners = chassisId === undefined ? [] : topo.systemsOf(chassisId).filter((s) => dpuSystems.has(s));
    if (owners.length !== 1 || offloadSystem.has(p.uri)) continue;
    offloadSystem.set(p.uri, topo.systemUri(owners[0]!));
    offloaded.get(owners[0]!)!.push(p.uri);
  }

  // Card chassis: those of DPU systems, and any `Card` of a DPU device. Only they go into a paired host's chassis.
  const isDpuDevice = dpuSystems.size > 0;
  const cardChassis = new Set([...topo.chassis.values()].filter((c) => topo.systemsOf(c.id).some((s) => dpuSystems.has(s)) || (isDpuDevice && c.chassisType === 'Card')).map((c) => c.id));
  const containedBy = new Map<string, string>();
  for (const c of topo.chassis.values()) {
    if (c.containedBy === undefined) continue;
    if (validId(c.containedBy) && topo.chassis.has(c.containedBy) && c.containedBy !== c.id) {
      containedBy.set(c.id, topo.chassisUri(c.containedBy));
      addContains(topo.chassisUri(c.containedBy), topo.chassisUri(c.id));
    } else sink({ source: c.source ?? `chassis/${c.id}`, path: 'containedBy', reason: `containing chassis ${show(c.containedBy)} is not in the inventory` });
  }
  if (ctx.host) for (const id of cardChassis) if (!containedBy.has(id)) containedBy.set(id, ctx.host.chassisUri);

  return { dpuSystems, offloadSystem, offloaded, contains, containedBy, cardChassis };
}
