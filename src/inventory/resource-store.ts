import { createHash } from 'node:crypto';

/**
 * The aggregated Redfish tree as documents. Reads are served from here and never wait on a device; the inventory
 * service writes a device's documents after each poll. This file is the port: the core depends on it, and each
 * adapter (SQLite in `store/resources-repo.ts`, memory in `memory-resource-store.ts`) passes one conformance suite.
 * It imports nothing of the project so an adapter in any layer can implement it without a cycle.
 */

/** A document as written by the inventory service. */
export interface ResourceDoc {
  /** The document's `@odata.id`. */
  uri: string;
  /** The fleet collection a top-level member belongs to (e.g. `/redfish/v1/Systems`); absent for sub-resources. */
  collection?: string;
  body: Record<string, unknown>;
}

/** A document as stored: which device owns it, its strong ETag, and when it last changed. */
export interface StoredDoc extends ResourceDoc {
  deviceId: string;
  etag: string;
  updatedAt: number;
}

/** What a replace or patch did, by URI. */
export interface ReplaceResult {
  added: string[];
  changed: string[];
  removed: string[];
}

/** Paging of a member list; `top` absent means "to the end". */
export interface Page {
  skip?: number;
  top?: number;
}

/** A JSON value a predicate compares with. */
export type PredicateValue = string | number | boolean | null;

/**
 * A filter over document bodies. `path` names a property by its keys (`['Status', 'State']`); keys are taken
 * literally, so `'Members@odata.count'` and keys with dots are fine.
 *
 * Semantics (the same in every adapter, pinned by the conformance suite):
 * - `eq null` matches a property that is absent or JSON null; `ne` is exactly `not eq`.
 * - `eq`/`ne` with a string, number or boolean match only a property of that JSON type (`1` is not `true`, `'1'` is
 *   not `1`).
 * - `gt`/`ge`/`lt`/`le` compare numbers with numbers and strings with strings (by code point, i.e. UTF-8 byte order);
 *   a property of another type, an absent one, or a boolean/null operand never matches.
 * - `contains`/`startswith`/`endswith` are case-sensitive and match only string properties.
 * - An empty `and` is true, an empty `or` is false.
 */
export type Predicate =
  | { op: 'and' | 'or'; args: Predicate[] }
  | { op: 'not'; arg: Predicate }
  | { op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; path: string[]; value: PredicateValue }
  | { op: 'contains' | 'startswith' | 'endswith'; path: string[]; value: string };

/** The port every resource store adapter implements. */
export interface ResourceStore {
  /**
   * Replaces every document of one device with `docs` in one transaction and reports which URIs were added, changed
   * (canonical body or collection differs) and removed. Unchanged documents are not rewritten, so their ETag and
   * `updatedAt` stay. A URI held by another device passes to this one (reported as added). With duplicate URIs in
   * `docs`, the last wins.
   */
  replaceDevice(deviceId: string, docs: readonly ResourceDoc[], now: number): ReplaceResult;
  /**
   * Deep-merges `set` into selected documents of one device (a state poll updating `PowerState`, `Status`,
   * `BootProgress`): plain objects merge key by key, anything else (arrays, scalars, null) replaces, and a key set to
   * `undefined` is removed. URIs the device does not own are ignored. Returns the URIs whose body changed.
   */
  patch(deviceId: string, patches: readonly { uri: string; set: Record<string, unknown> }[], now: number): string[];
  /** One document, or undefined. The body is the caller's own copy. */
  get(uri: string): StoredDoc | undefined;
  /** Members of a fleet collection, ordered by URI (UTF-8 byte order), paged, with the total count. */
  members(collection: string, page?: Page): { uris: string[]; total: number };
  /** Like {@link members} but whole documents (for `$expand`), read in one query. */
  memberDocs(collection: string, page?: Page): { docs: StoredDoc[]; total: number };
  /** Like {@link memberDocs} but each body as its stored JSON text (for `$expand` served without re-serialising). */
  memberTexts(collection: string, page?: Page): { texts: string[]; etags: string[]; total: number };
  /** Members whose body satisfies `where`, evaluated by the store itself (SQLite: json_extract), never the whole fleet in JS. */
  query(collection: string, where: Predicate, page?: Page): { uris: string[]; total: number };
  /** Removes every document of a device; returns their URIs. */
  removeDevice(deviceId: string): string[];
  /** The device that owns a URI. */
  deviceOf(uri: string): string | undefined;
}

/** JSON with object keys sorted at every level: two bodies that differ only in key order hash the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
    return out;
  });
}

/**
 * The strong ETag of a body: SHA-1 (base64url) of its canonical JSON, quoted. Not a security boundary, only change
 * detection, and 160 bits keep accidental collisions out of the question.
 */
export function bodyEtag(body: Record<string, unknown>): string {
  return `"${createHash('sha1').update(canonicalJson(body)).digest('base64url')}"`;
}

/** Limits on a predicate tree: deep or huge trees are a denial of service on the query compiler. */
export const PREDICATE_LIMITS = { maxDepth: 64, maxNodes: 1000 } as const;

/**
 * Checks a predicate's shape and limits, throwing a RangeError on the first problem. Adapters call it before they
 * evaluate, so a malformed tree fails the same way everywhere and never reaches SQL.
 */
export function checkPredicate(p: Predicate): void {
  let nodes = 0;
  const walk = (q: Predicate, depth: number): void => {
    if (++nodes > PREDICATE_LIMITS.maxNodes) throw new RangeError(`predicate has more than ${PREDICATE_LIMITS.maxNodes} nodes`);
    if (depth > PREDICATE_LIMITS.maxDepth) throw new RangeError(`predicate nests deeper than ${PREDICATE_LIMITS.maxDepth}`);
    switch (q.op) {
      case 'and':
      case 'or':
        if (!Array.isArray(q.args)) throw new RangeError(`${q.op} needs an args array`);
        for (const a of q.args) walk(a, depth + 1);
        return;
      case 'not':
        walk(q.arg, depth + 1);
        return;
      case 'eq':
      case 'ne':
      case 'gt':
      case 'ge':
      case 'lt':
      case 'le':
        jsonPath(q.path);
        if (!(q.value === null || ['string', 'boolean'].includes(typeof q.value) || (typeof q.value === 'number' && Number.isFinite(q.value)))) {
          throw new RangeError(`${q.op}: value must be a string, a finite number, a boolean or null`);
        }
        return;
      case 'contains':
      case 'startswith':
      case 'endswith':
        jsonPath(q.path);
        if (typeof q.value !== 'string') throw new RangeError(`${q.op}: value must be a string`);
        return;
      default:
        throw new RangeError(`unknown predicate op ${String((q as { op: unknown }).op)}`);
    }
  };
  walk(p, 0);
}

/**
 * The SQLite JSON path of a property path: every key quoted as a JSON string (`$."Status"."State"`,
 * `$."Members@odata.count"`), which SQLite unescapes, so no key can break out of its label.
 */
export function jsonPath(path: readonly string[]): string {
  if (!Array.isArray(path) || path.length === 0) throw new RangeError('a property path needs at least one key');
  for (const k of path) if (typeof k !== 'string') throw new RangeError('property path keys must be strings');
  return `$${path.map((k) => `.${JSON.stringify(k)}`).join('')}`;
}

/** Checks paging arguments: non-negative integers. */
export function checkPage(page: Page | undefined): { skip: number; top: number | undefined } {
  const skip = page?.skip ?? 0;
  const top = page?.top;
  if (!Number.isInteger(skip) || skip < 0) throw new RangeError(`skip must be a non-negative integer, got ${skip}`);
  if (top !== undefined && (!Number.isInteger(top) || top < 0)) throw new RangeError(`top must be a non-negative integer, got ${top}`);
  return { skip, top };
}

/** Deep merge as {@link ResourceStore.patch} defines it, into a fresh object (inputs untouched). */
export function mergeBody(target: Record<string, unknown>, set: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) delete out[k];
    else if (isPlainObject(v) && isPlainObject(out[k])) out[k] = mergeBody(out[k], v);
    else out[k] = structuredClone(v);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
