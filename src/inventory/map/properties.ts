/**
 * Copies a component's `properties` bag into its document, keeping it schema-valid at every depth: only properties
 * the type (or nested definition) defines, only values of the right JSON type, enum and pattern, and every link the
 * device wrote rewritten into the aggregated tree. Whatever is refused is reported, never thrown.
 */
import type { ComponentKind } from '../../model/inventory.js';
import { GATEWAY_OWNED } from './odata-types.js';
import { matchesCodes, mismatch, shapesOf, type PropertyShape } from './schema-facts.js';
import { show } from './show.js';
import type { MapNote } from './types.js';
import type { UriMap } from './uris.js';

type Note = (n: Omit<MapNote, 'source'>) => void;

const DROP = Symbol('drop');
type Cleaned = unknown | typeof DROP;

/** Redfish annotations (`X@odata.type`, `@Redfish.AllowableValues`, ...), which every definition admits. */
const ANNOTATION = /^([a-zA-Z_][a-zA-Z0-9_]*)?@(odata|Redfish|Message)\.[a-zA-Z_][a-zA-Z0-9_]*$/;
const COUNT = '@odata.count';

/** Nested properties never carried: OEM content lives only under `Oem.Shoal`; device actions target device URIs. */
const NEVER_NESTED = ['Oem', 'Actions'];

interface Walk {
  uris: UriMap;
  note: Note;
}

/** Redfish payloads nest a handful of levels; anything deeper is a cycle or garbage, not inventory. */
const MAX_DEPTH = 16;
const depthOf = (path: string) => path.split('/').length;

/** A link object's aggregated form, or DROP (reported) when the device URI has no counterpart in the tree. */
function translateId(id: unknown, path: string, w: Walk): string | typeof DROP {
  const mapped = typeof id === 'string' ? w.uris.translate(id) : undefined;
  if (mapped !== undefined) return mapped;
  w.note({ path, reason: `link to ${show(id)}, which the aggregated tree does not serve` });
  return DROP;
}

function cleanValue(v: unknown, shape: PropertyShape, path: string, w: Walk): Cleaned {
  if (depthOf(path) > MAX_DEPTH) {
    w.note({ path, reason: `nested deeper than ${MAX_DEPTH} levels` });
    return DROP;
  }
  const array = shape.itemCodes !== undefined;
  if (!matchesCodes(v, shape.codes, array ? undefined : shape.enumName, array ? undefined : shape.pattern)) {
    w.note({ path, reason: mismatch(v, shape.codes, array ? undefined : shape.enumName) });
    return DROP;
  }
  if (Array.isArray(v)) {
    const item: PropertyShape = { codes: shape.itemCodes ?? 'stnibaoz', ...(shape.enumName ? { enumName: shape.enumName } : {}), ...(shape.def ? { def: shape.def } : {}), ...(shape.pattern ? { pattern: shape.pattern } : {}) };
    return v.map((x, i) => cleanValue(x, item, `${path}/${i}`, w)).filter((x) => x !== DROP);
  }
  if (v !== null && typeof v === 'object') return cleanObject(v as Record<string, unknown>, shape.def, path, w);
  return v;
}

/** An object against its definition: a resource link, or a nested definition's properties (recursively). */
function cleanObject(o: Record<string, unknown>, def: string | undefined, path: string, w: Walk): Cleaned {
  if (def === '@link' || def === undefined) {
    const keys = Object.keys(o);
    if (keys.length !== 1 || keys[0] !== '@odata.id') {
      w.note({ path, reason: `not a resource link: ${show(o)}` });
      return DROP;
    }
    const id = translateId(o['@odata.id'], path, w);
    return id === DROP ? DROP : { '@odata.id': id };
  }
  return cleanFields(o, shapesOf(def), def, path, [], w);
}

/** The fields of one object against `shapes`; `owned` are written by the mapper and skipped silently. */
function cleanFields(o: Record<string, unknown>, shapes: ReadonlyMap<string, PropertyShape>, owner: string, path: string, owned: readonly string[], w: Walk): Cleaned {
  const out: Record<string, unknown> = {};
  // An embedded member (a StorageController) names itself; if its device URI has no counterpart, neither does it.
  if ('@odata.id' in o && path !== '') {
    const id = translateId(o['@odata.id'], `${path}/@odata.id`, w);
    if (id === DROP) return DROP;
    out['@odata.id'] = id;
  }
  const at = (k: string) => (path ? `${path}/${k}` : `properties/${k}`);
  for (const [k, v] of Object.entries(o)) {
    if ((k === '@odata.id' && path !== '') || owned.includes(k) || k.endsWith(COUNT)) continue;
    if (path === '' && GATEWAY_OWNED.includes(k)) {
      w.note({ path: at(k), reason: `${k} is written by the gateway, not copied from the device` });
      continue;
    }
    if (NEVER_NESTED.includes(k)) {
      w.note({ path: at(k), reason: `${k} is not carried into the aggregated tree` });
      continue;
    }
    const shape = shapes.get(k);
    if (!shape) {
      if (ANNOTATION.test(k) && k !== '@odata.context' && k !== '@odata.etag') out[k] = v;
      else w.note({ path: at(k), reason: `${owner} has no property ${k}` });
      continue;
    }
    const r = cleanValue(v, shape, at(k), w);
    if (r !== DROP) out[k] = r;
  }
  for (const k of Object.keys(out)) if (Array.isArray(out[k]) && shapes.has(`${k}${COUNT}`)) out[`${k}${COUNT}`] = (out[k] as unknown[]).length;
  return out;
}

/**
 * The bag's properties that fit the schema of `kind`, links rewritten. `owned` names navigation the mapper writes
 * itself (sub-collections it builds), which the bag may not override.
 */
export function copyBag(kind: ComponentKind, bag: unknown, uris: UriMap, owned: readonly string[], note: Note): Record<string, unknown> {
  if (bag === null || typeof bag !== 'object' || Array.isArray(bag)) {
    if (bag !== undefined) note({ path: 'properties', reason: `properties is not an object: ${show(bag)}` });
    return {};
  }
  const r = cleanFields(bag as Record<string, unknown>, shapesOf(kind), kind, '', owned, { uris, note });
  return r === DROP ? {} : (r as Record<string, unknown>);
}
