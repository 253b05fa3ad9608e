/**
 * FirmwareInventory and SoftwareInventory members: one SoftwareInventory per firmware or software component the device
 * reports, with no OEM content.
 * A staged image (BlueField's `<id>_pending`) is `Staged` and not `Active`; nothing else is claimed about activity,
 * because a device that does not say which image runs has not told us.
 */
import type { FirmwareComponent } from '../../model/inventory.js';
import { apply, compact, isBool, isDateTimeValue, isString, links, noteFor, sane } from './common.js';
import { MAP_TYPES } from './odata-types.js';
import { show } from './show.js';
import { buildStatus } from './status.js';
import type { Topology } from './topology.js';
import type { DeviceFreshness, InventoryDoc, MapNote } from './types.js';
import { aggregatedId, FLEET, topUri, validId } from './uris.js';

/** The resources a firmware role belongs to, when the device has exactly one of them. */
function relatedItems(role: unknown, topo: Topology): string[] {
  if (role === 'BMC' && topo.managers.size === 1) return [...topo.managers.keys()].map(topo.managerUri);
  if ((role === 'BIOS' || role === 'UEFI') && topo.systems.size === 1) return [...topo.systems.keys()].map(topo.systemUri);
  return [];
}

/** One FirmwareInventory member per firmware component; duplicates and entries without ids are reported. */
export function firmwareDocs(list: unknown, topo: Topology, freshness: DeviceFreshness | undefined, sink: (n: MapNote) => void): InventoryDoc[] {
  if (!Array.isArray(list)) {
    if (list !== undefined) sink({ source: 'firmware', reason: 'firmware is not a list' });
    return [];
  }
  const out: InventoryDoc[] = [];
  const seen = new Set<string>();
  list.forEach((x: unknown, i) => {
    const f = x && typeof x === 'object' ? sane(x as FirmwareComponent) : null;
    const src = (f && typeof f.source === 'string' ? f.source : undefined) ?? `firmware[${i}]`;
    if (!f || typeof f !== 'object' || !validId(f.id)) return sink({ source: src, reason: `firmware entry without a usable id: ${show(f?.id)}` });
    if (seen.has(f.id)) return sink({ source: src, reason: `duplicate firmware id ${show(f.id)}; the first one is kept` });
    seen.add(f.id);
    const note = noteFor(sink, src);
    // What the device lists as software (an OS, an application) stays software; everything else is firmware.
    const kind = typeof f.source === 'string' && f.source.includes('/SoftwareInventory/') ? 'Software' : 'Firmware';
    const uri = topUri(kind, topo.source, f.id);
    const body: Record<string, unknown> = { '@odata.id': uri, '@odata.type': MAP_TYPES.SoftwareInventory, Id: aggregatedId(topo.source, f.id), Name: typeof f.name === 'string' && f.name ? f.name : f.id };
    apply(
      body,
      [
        ['Version', f.version, isString],
        ['Manufacturer', f.manufacturer, isString],
        ['Updateable', f.updateable, isBool],
        ['ReleaseDate', f.releaseDate, isDateTimeValue],
      ],
      note,
    );
    if (f.staged === true) Object.assign(body, { Staged: true, Active: false });
    else if (f.staged === false) body.Staged = false;
    body.Status = buildStatus({ status: f.status, freshness, note });
    const related = relatedItems(f.componentRole, topo);
    if (related.length) Object.assign(body, { RelatedItem: links(related), 'RelatedItem@odata.count': related.length });
    out.push({ uri, body: compact(body), collection: FLEET[kind] });
  });
  return out;
}
