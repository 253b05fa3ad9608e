/**
 * One device's snapshot → the documents of the aggregated Redfish tree. Pure: no I/O, no clock, never throws. The DPU
 * model follows DMTF's public-smartnic mockup: the DPU's ComputerSystem is `SystemType: DPU` and lists the host's
 * NetworkDeviceFunctions it offloads, each of which names it as `OffloadSystem`, and the DPU's card chassis is
 * `ContainedBy` the host chassis, which `Contains` it. Within one device (the mockup itself) the same links come from
 * the snapshot; across a DPU BMC and its host they come from the context the caller builds with `cardLinks`.
 */
import type { InventorySnapshot } from '../../model/inventory.js';
import { systemCapabilities } from './capabilities.js';
import { noteFor } from './common.js';
import { buildComponent, Children } from './components.js';
import { linkDpus } from './dpu-links.js';
import { environmentMetrics } from './environment.js';
import { firmwareDocs } from './firmware.js';
import { placeComponents, type Placed } from './placement.js';
import { show } from './show.js';
import { freshnessConditions } from './status.js';
import { buildChassis, buildManager, buildSystem, type TopExtras } from './top-level.js';
import { buildTopology, type Topology } from './topology.js';
import type { InventoryDoc, MapContext, MapNote, MapResult } from './types.js';
import { FLEET, segment, UriMap, validId } from './uris.js';

const SOURCES = '/redfish/v1/AggregationService/AggregationSources';

/** Maps one device's snapshot into its documents; everything it cannot place is in `unmapped`. */
export function mapDevice(snap: InventorySnapshot, ctx: MapContext): MapResult {
  const unmapped: MapNote[] = [];
  const sink = (n: MapNote) => void unmapped.push(n);
  if (!ctx || !validId(ctx.source)) {
    sink({ source: 'context', reason: `no usable aggregation source id: ${show(ctx?.source)}` });
    return { docs: [], unmapped };
  }
  if (!snap || typeof snap !== 'object') {
    sink({ source: 'snapshot', reason: 'the snapshot is not an object' });
    return { docs: [], unmapped };
  }
  try {
    return { docs: build(snap, checkedContext(ctx, sink), sink), unmapped };
  } catch (e) {
    // A mapper bug must cost this device its documents, not the caller its poll loop.
    sink({ source: 'snapshot', reason: `mapping failed: ${e instanceof Error ? e.message : String(e)}` });
    return { docs: [], unmapped };
  }
}

const isUri = (u: unknown): u is string => typeof u === 'string' && u.startsWith('/redfish/v1/');

/** The context with every URI it links to checked: a bad one would put a broken link into a document. */
function checkedContext(ctx: MapContext, sink: (n: MapNote) => void): MapContext {
  const out: MapContext = { source: ctx.source, ...(ctx.freshness && typeof ctx.freshness === 'object' ? { freshness: ctx.freshness } : {}) };
  const h = ctx.host;
  if (h !== undefined) {
    if (h && isUri(h.chassisUri)) {
      const fns = Array.isArray(h.functionUris) ? h.functionUris : [];
      out.host = { ...h, functionUris: fns.filter(isUri) };
      if (out.host.functionUris.length !== fns.length || !Array.isArray(h.functionUris)) sink({ source: 'context', path: 'host/functionUris', reason: 'function URIs that are not Redfish URIs were left out' });
    } else sink({ source: 'context', path: 'host', reason: 'host has no usable chassisUri; the device is mapped as unpaired' });
  }
  if (ctx.dpus !== undefined) {
    const dpus = Array.isArray(ctx.dpus) ? ctx.dpus : [];
    out.dpus = dpus.filter((d) => d && isUri(d.systemUri) && isUri(d.chassisUri) && validId(d.slot));
    if (out.dpus.length !== dpus.length || !Array.isArray(ctx.dpus)) sink({ source: 'context', path: 'dpus', reason: 'paired DPUs without a slot, systemUri and chassisUri were left out' });
  }
  return out;
}

/** Device URIs of every mapped resource and collection → their aggregated URIs. */
function uriMapOf(topo: Topology, placed: readonly Placed[]): UriMap {
  const uris = new UriMap();
  for (const s of topo.systems.values()) uris.add(s.source, topo.systemUri(s.id));
  for (const c of topo.chassis.values()) uris.add(c.source, topo.chassisUri(c.id));
  for (const m of topo.managers.values()) uris.add(m.source, topo.managerUri(m.id));
  const groups = new Map<string, Set<string | undefined>>();
  for (const p of placed) {
    uris.add(p.c.source, p.uri);
    if (Children.isLinkArray(p.anchor.kind, p.segment)) continue; // no collection document to point at
    const coll = `${p.anchor.uri}/${p.segment}`;
    const dir = p.c.source?.replace(/\/[^/]+$/, '');
    groups.set(coll, (groups.get(coll) ?? new Set()).add(dir));
  }
  for (const [coll, dirs] of groups) {
    const [dir] = dirs;
    if (dirs.size === 1 && dir) uris.add(dir, coll);
  }
  return uris;
}

function build(snap: InventorySnapshot, ctx: MapContext, sink: (n: MapNote) => void): InventoryDoc[] {
  const topo = buildTopology(snap, ctx.source, sink);
  const placed = placeComponents(snap.components, topo, sink);
  const uris = uriMapOf(topo, placed);
  const children = new Children(placed);
  const freshness = ctx.freshness;
  const conditions = freshnessConditions(freshness, `${SOURCES}/${segment(ctx.source)}`);

  const { dpuSystems, offloadSystem, offloaded, contains, containedBy, cardChassis } = linkDpus(ctx, topo, placed, sink);

  const docs: InventoryDoc[] = [];
  const extras = (uri: string, kind: string, more: Record<string, string> = {}): TopExtras => ({
    collections: { ...children.collections(uri, kind), ...more },
    arrays: children.arrays(uri, kind),
    freshness,
    conditions,
  });
  for (const s of topo.systems.values()) {
    const uri = topo.systemUri(s.id);
    const body = buildSystem(s, topo, extras(uri, 'System'), dpuSystems.has(s.id), offloaded.get(s.id) ?? [], noteFor(sink, s.source ?? `systems/${s.id}`));
    const shoal = systemCapabilities(s.id, topo, placed, sink);
    if (shoal) body.Oem = { Shoal: shoal };
    docs.push({ uri, body, collection: FLEET.System });
  }
  for (const c of topo.chassis.values()) {
    const uri = topo.chassisUri(c.id);
    const sensors = placed.filter((p) => p.anchor.uri === uri && p.segment === 'Sensors');
    const env = environmentMetrics(uri, sensors);
    if (env) docs.push({ uri: env['@odata.id'] as string, body: env });
    const x = extras(uri, 'Chassis', env ? { EnvironmentMetrics: env['@odata.id'] as string } : {});
    const body = buildChassis(c, topo, x, cardChassis.has(c.id) ? 'Card' : 'RackMount', containedBy.get(c.id), contains.get(uri) ?? [], noteFor(sink, c.source ?? `chassis/${c.id}`));
    docs.push({ uri, body, collection: FLEET.Chassis });
  }
  for (const m of topo.managers.values()) {
    const uri = topo.managerUri(m.id);
    docs.push({ uri, body: buildManager(m, topo, extras(uri, 'Manager'), noteFor(sink, m.source ?? `managers/${m.id}`)), collection: FLEET.Manager });
  }
  for (const p of placed) docs.push({ uri: p.uri, body: buildComponent(p, { uris, children, freshness, offloadSystem, sink }) });
  const kinds = new Map<string, string>([
    ...[...topo.systems.keys()].map((id) => [topo.systemUri(id), 'System'] as const),
    ...[...topo.chassis.keys()].map((id) => [topo.chassisUri(id), 'Chassis'] as const),
    ...placed.map((p) => [p.uri, p.c.kind] as const),
  ]);
  docs.push(...children.collectionDocs((u) => kinds.get(u)));
  docs.push(...firmwareDocs(snap.firmware, topo, freshness, sink));
  return docs;
}
