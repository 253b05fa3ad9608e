/**
 * Small declarative pieces the document builders share: identity fields, Reset actions, link lists, and the
 * per-document context that reports what it could not map.
 */
import { RESET_TYPES, type Identity, type ResetType } from '../../model/inventory.js';
import { isDateTime, isUuid } from './schema-facts.js';
import { show } from './show.js';
import type { MapNote } from './types.js';
import { link } from './uris.js';

/** Reports a note about the current document; `source` is filled in by whoever made it. */
export type Note = (n: Omit<MapNote, 'source'>) => void;

/** Binds a note function to one source. */
export const noteFor = (sink: (n: MapNote) => void, source: string): Note => (n) => sink({ source, ...n });

/** A field map entry: target Redfish property ← source value, through a check that says why a value is refused. */
export type Check = (v: unknown) => string | undefined;

/** Field checks for `apply` rows: each returns why a value is refused, or undefined. */
export const isString: Check = (v) => (typeof v === 'string' ? undefined : 'not a string');
export const isBool: Check = (v) => (typeof v === 'boolean' ? undefined : 'not a boolean');
export const isUuidValue: Check = (v) => (isUuid(v) ? undefined : 'not a UUID');
export const isDateTimeValue: Check = (v) => (isDateTime(v) ? undefined : 'not an RFC 3339 date-time with offset');
export const isCount: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : 'not a non-negative integer');
export const isNumber: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'not a non-negative number');

/**
 * Applies `[target, value, check]` rows: undefined values are skipped, refused ones reported under `path` + target.
 * Sushy-style maps keep each document's shape readable as a table.
 */
export function apply(out: Record<string, unknown>, rows: [string, unknown, Check][], note: Note, path = ''): Record<string, unknown> {
  for (const [target, value, check] of rows) {
    if (value === undefined) continue;
    const why = check(value);
    if (why) note({ path: path + target, reason: `${why}: ${show(value)}` });
    else out[target] = value;
  }
  return out;
}

/** Identity fields by their Redfish names; `only` limits them to those the target schema defines. */
export function identityRows(id: Identity | undefined, only?: (name: string) => boolean): [string, unknown, Check][] {
  const i = (id && typeof id === 'object' ? id : {}) as Identity;
  const rows: [string, unknown, Check][] = [
    ['Manufacturer', i.manufacturer, isString],
    ['Model', i.model, isString],
    ['SerialNumber', i.serialNumber, isString],
    ['PartNumber', i.partNumber, isString],
    ['SKU', i.sku, isString],
    ['UUID', i.uuid, isUuidValue],
  ];
  return only ? rows.filter(([name, v]) => v !== undefined && only(name)) : rows;
}

/** The reset types a device listed that Redfish knows, in its order, without repeats. */
export function resetTypes(v: unknown, note: Note): ResetType[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    note({ path: 'resetTypes', reason: 'resetTypes is not a list' });
    return [];
  }
  const out: ResetType[] = [];
  for (const t of v) {
    if (!RESET_TYPES.includes(t as ResetType)) note({ path: 'resetTypes', reason: `not a Redfish ResetType: ${show(t)}` });
    else if (!out.includes(t as ResetType)) out.push(t as ResetType);
  }
  return out;
}

/** `Actions` with one Reset action, or undefined when the device accepts no reset (nothing is advertised then). */
export function resetActions(uri: string, action: string, types: ResetType[]): Record<string, unknown> | undefined {
  if (types.length === 0) return undefined;
  const [ns, name] = action.split('.') as [string, string];
  return { [`#${action}`]: { target: `${uri}/Actions/${ns}.${name}`, 'ResetType@Redfish.AllowableValues': types } };
}

/** A list of links, or undefined when empty (an empty list would claim knowledge the device did not give). */
export const links = (uris: readonly string[]) => (uris.length ? [...new Set(uris)].map(link) : undefined);

/** Drops undefined values, so documents carry no `"X": undefined` keys. */
export function compact(o: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A shallow copy of a snapshot entry whose shared fields have their declared types, so later steps can trust them:
 * a `source`, `name` or `containedBy` that is not a string is dropped, a non-object `identity` becomes `{}`, a
 * non-object `status` or `bootProgress` is dropped. Drivers check types already; this is for the ones that did not.
 */
export function sane<T extends object>(x: T): T {
  const o = { ...x } as Record<string, unknown>;
  for (const k of ['source', 'name', 'containedBy']) if (o[k] !== undefined && typeof o[k] !== 'string') delete o[k];
  if (!isObject(o.identity)) o.identity = {};
  for (const k of ['status', 'bootProgress', 'processorSummary', 'memorySummary', 'parent']) if (o[k] !== undefined && !isObject(o[k])) delete o[k];
  return o as T;
}
