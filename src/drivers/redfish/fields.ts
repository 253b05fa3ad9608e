import type { UnmappedNote } from '../api.js';

/**
 * Declarative field maps from Redfish payloads to model fields, in the manner of sushy: a map names the payload
 * path and a reader for each model field. A reader returns undefined for a value of the wrong type, and the mismatch is
 * noted, so a device that sends `"SerialNumber": 42` costs one note, not the snapshot.
 */
export type Reader<T> = { kind: string; read(v: unknown): T | undefined };

export const str: Reader<string> = { kind: 'string', read: (v) => (typeof v === 'string' ? v : undefined) };
export const num: Reader<number> = { kind: 'number', read: (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined) };
export const bool: Reader<boolean> = { kind: 'boolean', read: (v) => (typeof v === 'boolean' ? v : undefined) };
export const strList: Reader<string[]> = {
  kind: 'string[]',
  read: (v) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined),
};
/** A value from a closed set, e.g. a DMTF enum the model narrows to. */
export function oneOf<T extends string>(values: readonly T[]): Reader<T> {
  return { kind: `one of ${values.join('|')}`, read: (v) => (typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : undefined) };
}
/** Any JSON value, kept as is (for `properties` bags that carry Redfish values through). */
export const json: Reader<unknown> = { kind: 'json', read: (v) => v };

export interface Field<T> {
  path: string;
  reader: Reader<T>;
}
export const f = <T>(path: string, reader: Reader<T>): Field<T> => ({ path, reader });

export type FieldMap<M> = { [K in keyof M]?: Field<M[K]> };

/** Walks a dotted path (`Status.Health`, `ProcessorSummary.Count`). */
export function at(payload: unknown, path: string): unknown {
  let cur: unknown = payload;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Tracks, per payload, which top-level properties some map consumed, so the rest can be reported. */
export class Mapping {
  readonly notes: UnmappedNote[] = [];
  private readonly used = new Map<string, Set<string>>();

  use(source: string, path: string): void {
    let s = this.used.get(source);
    if (!s) this.used.set(source, (s = new Set()));
    s.add(path.split('.')[0]!);
  }

  private readonly noted = new Set<string>();

  note(source: string, reason: string, path?: string): void {
    const key = `${source}\0${path ?? ''}\0${reason}`;
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.notes.push(path ? { source, path, reason } : { source, reason });
  }

  /** Applies a field map. Absent values are simply absent; present values of the wrong type are noted. */
  apply<M>(source: string, payload: unknown, map: FieldMap<M>): Partial<M> {
    const out: Partial<M> = {};
    for (const key of Object.keys(map) as (keyof M)[]) {
      const field = map[key]!;
      const raw = at(payload, field.path);
      this.use(source, field.path);
      if (raw === undefined || raw === null) continue;
      const v = field.reader.read(raw);
      if (v === undefined) this.note(source, `expected ${field.reader.kind}, got ${JSON.stringify(raw).slice(0, 60)}`, field.path);
      else out[key] = v as M[typeof key];
    }
    return out;
  }

  /**
   * Copies Redfish properties through by name into a `properties` bag (only present, non-null values). Used for
   * component kinds whose properties the inventory layer serves as they are.
   */
  pick(source: string, payload: unknown, names: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const n of names) {
      this.use(source, n);
      const v = at(payload, n);
      if (v !== undefined && v !== null) out[n] = v;
    }
    return out;
  }

  /**
   * One note per payload naming the properties no map used: what the driver could not map. Annotations, links,
   * actions and OEM sections are not data to map; navigation links are followed or deliberately not.
   */
  reportLeftovers(source: string, payload: unknown): void {
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return;
    const used = this.used.get(source) ?? new Set<string>();
    const left = Object.entries(payload as Record<string, unknown>)
      .filter(([k, v]) => !used.has(k) && !IGNORED.has(k) && !k.includes('@') && !isNavigation(v))
      .map(([k]) => k);
    if (left.length) this.note(source, `properties not mapped: ${left.sort().join(', ')}`);
  }
}

const IGNORED = new Set(['Id', 'Name', 'Description', 'Links', 'Actions', 'Oem', 'Members']);

function isNavigation(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0 && v.every(isNavigation);
  return !!v && typeof v === 'object' && Object.keys(v).every((k) => k === '@odata.id' || k.startsWith('@'));
}

/** An action object (`Actions["#ComputerSystem.Reset"]`); action names contain dots, so `at` cannot reach them. */
export function actionOf(payload: unknown, name: string): Record<string, unknown> | undefined {
  const actions = at(payload, 'Actions');
  const a = actions && typeof actions === 'object' ? (actions as Record<string, unknown>)[`#${name}`] : undefined;
  return a && typeof a === 'object' && !Array.isArray(a) ? (a as Record<string, unknown>) : undefined;
}

/** The `@odata.id` of a navigation property, or undefined. */
export function link(payload: unknown, path: string): string | undefined {
  const v = at(payload, path);
  const id = v && typeof v === 'object' ? (v as Record<string, unknown>)['@odata.id'] : undefined;
  return typeof id === 'string' && id.startsWith('/') ? id : undefined;
}

/** The `@odata.id`s of an array of navigation properties. */
export function links(payload: unknown, path: string): string[] {
  const v = at(payload, path);
  if (!Array.isArray(v)) return [];
  return v
    .map((x) => (x && typeof x === 'object' ? (x as Record<string, unknown>)['@odata.id'] : undefined))
    .filter((x): x is string => typeof x === 'string' && x.startsWith('/'));
}

/** The resource id: `Id`, else the last segment of `@odata.id`, else the URI's. */
export function idOf(payload: unknown, uri: string): string {
  const id = at(payload, 'Id');
  if (typeof id === 'string' && id) return id;
  return decodeURIComponent(uri.replace(/\/+$/, '').split('/').pop() ?? uri);
}
