/**
 * Where each component goes in the tree. A component hangs under its parent when DMTF allows that kind there (the
 * `uris` of each schema); otherwise it moves up to the nearest ancestor where DMTF allows it (a Sensor reported under
 * a system goes to the system's chassis, Storage reported under a chassis to the chassis' system), and when there is
 * none it is reported, not guessed.
 */
import type { ComponentInfo, ComponentKind } from '../../model/inventory.js';
import { sane } from './common.js';
import { show } from './show.js';
import type { Topology } from './topology.js';
import type { MapNote } from './types.js';
import { segment, validId } from './uris.js';

/** A place a component can hang from: a top-level resource, or another placed component. */
export type Anchor = { kind: 'System' | 'Chassis'; id: string; uri: string } | { kind: ComponentKind; uri: string; placed: Placed };

/** A component with its place in the tree. */
export interface Placed {
  c: ComponentInfo;
  uri: string;
  anchor: Anchor;
  /** The collection segment under the anchor (`Processors`, `Drives`, ...). */
  segment: string;
  /** Nesting depth of SubProcessors, which DMTF allows two levels deep. */
  subDepth: number;
}

const COMPONENT_KINDS = new Set(['Processor', 'Memory', 'Storage', 'Drive', 'NetworkAdapter', 'NetworkDeviceFunction', 'PCIeDevice', 'AccelerationFunction', 'Sensor']);

/** The collection segment `kind` takes under `anchor`, or undefined when DMTF defines no such URI. */
function segmentUnder(kind: ComponentKind, anchor: Anchor): string | undefined {
  const a = anchor.kind;
  switch (kind) {
    case 'Processor':
      if (a === 'System' || a === 'Chassis' || a === 'NetworkAdapter') return 'Processors';
      return a === 'Processor' && 'placed' in anchor && anchor.placed.subDepth < 2 ? 'SubProcessors' : undefined;
    case 'Memory':
      return a === 'System' || a === 'Chassis' ? 'Memory' : undefined;
    case 'Storage':
      return a === 'System' ? 'Storage' : undefined;
    case 'Drive':
      return a === 'Chassis' || a === 'Storage' ? 'Drives' : undefined;
    case 'NetworkAdapter':
      return a === 'Chassis' ? 'NetworkAdapters' : undefined;
    case 'NetworkDeviceFunction':
      return a === 'NetworkAdapter' ? 'NetworkDeviceFunctions' : undefined;
    case 'PCIeDevice':
      return a === 'Chassis' || a === 'System' ? 'PCIeDevices' : undefined;
    case 'AccelerationFunction':
      // Only a system's own processors have AccelerationFunctions (no SubProcessor or chassis form).
      return a === 'Processor' && 'placed' in anchor && anchor.placed.anchor.kind === 'System' ? 'AccelerationFunctions' : undefined;
    case 'Sensor':
      return a === 'Chassis' ? 'Sensors' : undefined;
  }
}

/** The anchor and everything above it, ending with the other top-level kind when that is unambiguous. */
export function ancestry(anchor: Anchor, topo: Topology): Anchor[] {
  const out: Anchor[] = [];
  let a: Anchor | undefined = anchor;
  while (a) {
    out.push(a);
    a = 'placed' in a ? a.placed.anchor : undefined;
  }
  const top = out[out.length - 1]!;
  if (top.kind === 'System' && 'id' in top) {
    const ch = topo.chassisOf(top.id);
    if (ch.length === 1) out.push({ kind: 'Chassis', id: ch[0]!, uri: topo.chassisUri(ch[0]!) });
  } else if (top.kind === 'Chassis' && 'id' in top) {
    const sys = topo.systemsOf(top.id);
    if (sys.length === 1) out.push({ kind: 'System', id: sys[0]!, uri: topo.systemUri(sys[0]!) });
  }
  return out;
}

/** Places every component; returns them in snapshot order, reporting what has no place. */
export function placeComponents(components: unknown, topo: Topology, note: (n: MapNote) => void): Placed[] {
  const list: ComponentInfo[] = [];
  if (!Array.isArray(components)) {
    if (components !== undefined) note({ source: 'components', reason: 'components is not a list' });
  } else {
    components.forEach((x: unknown, i) => {
      const c = x && typeof x === 'object' ? sane(x as ComponentInfo) : null;
      const src = (c && typeof c.source === 'string' ? c.source : undefined) ?? `components[${i}]`;
      if (!c || typeof c !== 'object') return note({ source: src, reason: 'component is not an object' });
      if (!COMPONENT_KINDS.has(c.kind)) return note({ source: src, reason: `unknown component kind ${show(c.kind)}` });
      if (!validId(c.id)) return note({ source: src, reason: `${c.kind} without a usable id: ${show(c.id)}` });
      if (!c.parent || typeof c.parent !== 'object' || !validId(c.parent.id)) return note({ source: src, reason: `${c.kind} ${c.id} has no usable parent` });
      list.push(c);
    });
  }
  const placed = new Map<ComponentInfo, Placed | null>();
  const byUri = new Set<string>();
  const visiting = new Set<ComponentInfo>();
  const srcOf = (c: ComponentInfo) => c.source ?? `${c.kind} ${c.id}`;

  const parentAnchor = (c: ComponentInfo): Anchor | string => {
    const { kind, id } = c.parent;
    if (kind === 'System') return topo.systems.has(id) ? { kind, id, uri: topo.systemUri(id) } : `parent System ${show(id)} is not in the inventory`;
    if (kind === 'Chassis') return topo.chassis.has(id) ? { kind, id, uri: topo.chassisUri(id) } : `parent Chassis ${show(id)} is not in the inventory`;
    let cands = list.filter((p) => p !== c && p.kind === kind && p.id === id);
    // Ids are unique only per parent, so two `Storage 1`s under two systems are told apart by the device URIs.
    if (cands.length > 1 && c.source) cands = cands.filter((p) => p.source && c.source!.startsWith(`${p.source}/`));
    if (cands.length === 0) return `parent ${kind} ${show(id)} is not in the inventory`;
    if (cands.length > 1) return `parent ${kind} ${show(id)} is ambiguous`;
    const p = place(cands[0]!);
    return p ? { kind: p.c.kind, uri: p.uri, placed: p } : `parent ${kind} ${show(id)} has no place in the tree`;
  };

  const place = (c: ComponentInfo): Placed | null => {
    const done = placed.get(c);
    if (done !== undefined) return done;
    if (visiting.has(c)) {
      note({ source: srcOf(c), reason: `${c.kind} ${c.id} is its own ancestor` });
      placed.set(c, null);
      return null;
    }
    visiting.add(c);
    let result: Placed | null = null;
    const anchor = parentAnchor(c);
    if (typeof anchor === 'string') note({ source: srcOf(c), reason: anchor });
    else {
      const target = ancestry(anchor, topo).find((a) => segmentUnder(c.kind, a) !== undefined);
      if (!target) note({ source: srcOf(c), reason: `DMTF defines no ${c.kind} under ${anchor.kind} or anything above it` });
      else {
        const seg = segmentUnder(c.kind, target)!;
        const uri = `${target.uri}/${seg}/${segment(c.id)}`;
        if (byUri.has(uri)) note({ source: srcOf(c), reason: `duplicate ${c.kind} ${show(c.id)} at ${uri}; the first one is kept` });
        else {
          byUri.add(uri);
          const subDepth = seg === 'SubProcessors' && 'placed' in target ? target.placed.subDepth + 1 : 0;
          result = { c, uri, anchor: target, segment: seg, subDepth };
        }
      }
    }
    visiting.delete(c);
    placed.set(c, result);
    return result;
  };

  const out: Placed[] = [];
  for (const c of list) {
    const p = place(c);
    if (p) out.push(p);
  }
  return out;
}

/** The chassis a placed component finally sits in, if any. */
export function chassisIdOf(p: Placed, topo: Topology): string | undefined {
  for (const a of ancestry(p.anchor, topo)) if (a.kind === 'Chassis' && 'id' in a) return a.id;
  return undefined;
}
