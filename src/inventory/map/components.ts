/**
 * Documents for placed components and the sub-collections that hold them. A component's document is its schema-checked
 * `properties` bag, its identity and Status, plus the navigation the mapper owns (its own sub-collections, Storage's
 * Drives list, a NetworkDeviceFunction's OffloadSystem).
 */
import type { ComponentKind } from '../../model/inventory.js';
import { apply, compact, identityRows, isString, links, noteFor } from './common.js';
import { COLLECTION_TYPES, MAP_TYPES } from './odata-types.js';
import type { Placed } from './placement.js';
import { copyBag } from './properties.js';
import { shapesOf } from './schema-facts.js';
import { buildStatus } from './status.js';
import type { DeviceFreshness, InventoryDoc, MapNote } from './types.js';
import { link, type UriMap } from './uris.js';

/** Segments that are arrays of links on their parent, not collection resources (no DMTF collection URI exists). */
const LINK_ARRAYS: Record<string, ComponentKind> = { 'Storage/Drives': 'Storage', 'System/PCIeDevices': 'PCIeDevice' };

const COLLECTION_NAMES: Record<string, string> = {
  Processors: 'Processor Collection',
  SubProcessors: 'Sub-Processor Collection',
  Memory: 'Memory Collection',
  Storage: 'Storage Collection',
  Drives: 'Drive Collection',
  NetworkAdapters: 'Network Adapter Collection',
  NetworkDeviceFunctions: 'Network Device Function Collection',
  PCIeDevices: 'PCIe Device Collection',
  AccelerationFunctions: 'Acceleration Function Collection',
  Sensors: 'Sensor Collection',
};

/** The parts under each parent URI, grouped by segment: what a parent links to and which collections exist. */
export class Children {
  private byParent = new Map<string, Map<string, Placed[]>>();

  constructor(placed: readonly Placed[]) {
    for (const p of placed) {
      const m = this.byParent.get(p.anchor.uri) ?? new Map<string, Placed[]>();
      this.byParent.set(p.anchor.uri, m);
      m.set(p.segment, [...(m.get(p.segment) ?? []), p]);
    }
  }

  /** Whether `segment` under a parent of `parentKind` is an array of links rather than a collection. */
  static isLinkArray(parentKind: string, segment: string): boolean {
    return `${parentKind}/${segment}` in LINK_ARRAYS;
  }

  /** Sub-collection URIs by property name, for a parent of `parentKind`. */
  collections(parentUri: string, parentKind: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const seg of this.byParent.get(parentUri)?.keys() ?? []) if (!Children.isLinkArray(parentKind, seg)) out[seg] = `${parentUri}/${seg}`;
    return out;
  }

  /** Member URIs for segments that are link arrays on the parent. */
  arrays(parentUri: string, parentKind: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [seg, ps] of this.byParent.get(parentUri) ?? []) if (Children.isLinkArray(parentKind, seg)) out[seg] = ps.map((p) => p.uri);
    return out;
  }

  /** One collection document per parent and segment (link arrays excepted). */
  collectionDocs(kindOf: (parentUri: string) => string | undefined): InventoryDoc[] {
    const out: InventoryDoc[] = [];
    for (const [parentUri, segs] of this.byParent) {
      const parentKind = kindOf(parentUri);
      if (parentKind === undefined) continue;
      for (const [seg, ps] of segs) {
        if (Children.isLinkArray(parentKind, seg)) continue;
        const uri = `${parentUri}/${seg}`;
        const kind = ps[0]!.c.kind;
        out.push({ uri, body: { '@odata.id': uri, '@odata.type': COLLECTION_TYPES[kind], Name: COLLECTION_NAMES[seg] ?? `${kind} Collection`, 'Members@odata.count': ps.length, Members: ps.map((p) => link(p.uri)) } });
      }
    }
    return out;
  }
}

/** Navigation the mapper writes on each kind; a bag's own values for these are ignored, not copied. */
const OWNED: Partial<Record<ComponentKind, readonly string[]>> = {
  Processor: ['AccelerationFunctions', 'SubProcessors'],
  Storage: ['Drives', 'Drives@odata.count'],
  NetworkAdapter: ['NetworkDeviceFunctions', 'Processors'],
};

/** What a component document needs from the rest of the run. */
export interface ComponentExtras {
  uris: UriMap;
  children: Children;
  freshness: DeviceFreshness | undefined;
  /** NetworkDeviceFunction URI → the DPU system that offloads it. */
  offloadSystem: Map<string, string>;
  sink: (n: MapNote) => void;
}

/** The document of one placed component. */
export function buildComponent(p: Placed, x: ComponentExtras): Record<string, unknown> {
  const { c } = p;
  const note = noteFor(x.sink, c.source ?? `${c.kind} ${c.id}`);
  const shapes = shapesOf(c.kind);
  const body: Record<string, unknown> = {
    '@odata.id': p.uri,
    '@odata.type': MAP_TYPES[c.kind],
    Id: c.id,
    Name: typeof c.name === 'string' && c.name ? c.name : c.id,
    ...copyBag(c.kind, c.properties, x.uris, OWNED[c.kind] ?? [], note),
  };
  const rows = identityRows(c.identity);
  for (const [name, value] of rows) if (value !== undefined && !shapes.has(name)) note({ path: `identity/${name}`, reason: `${c.kind} has no ${name} property` });
  apply(body, rows.filter(([name]) => shapes.has(name)), note);
  const fw = c.identity?.firmwareVersion;
  if (fw !== undefined) {
    if (shapes.has('FirmwareVersion')) apply(body, [['FirmwareVersion', fw, isString]], note);
    else note({ path: 'identity/firmwareVersion', reason: `${c.kind} has no FirmwareVersion property` });
  }
  body.Status = buildStatus({ status: c.status, freshness: x.freshness, note });
  const kindName = c.kind as string;
  for (const [k, uri] of Object.entries(x.children.collections(p.uri, kindName))) body[k] = link(uri);
  for (const [k, uris] of Object.entries(x.children.arrays(p.uri, kindName))) {
    body[k] = links(uris);
    body[`${k}@odata.count`] = uris.length;
  }
  if (c.kind === 'NetworkDeviceFunction') {
    const offload = x.offloadSystem.get(p.uri);
    if (offload) body.Links = { OffloadSystem: link(offload) };
  }
  return compact(body);
}
