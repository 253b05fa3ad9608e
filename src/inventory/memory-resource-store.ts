import {
  bodyEtag,
  checkPage,
  checkPredicate,
  mergeBody,
  type Page,
  type Predicate,
  type PredicateValue,
  type ReplaceResult,
  type ResourceDoc,
  type ResourceStore,
  type StoredDoc,
} from './resource-store.js';

interface Entry {
  deviceId: string;
  collection?: string;
  /** Kept as JSON so every read hands out its own copy, as the SQLite adapter does. */
  json: string;
  etag: string;
  updatedAt: number;
}

/**
 * A {@link ResourceStore} in memory, for tests and for running without a database. Member lists are sorted per call,
 * which is fine at test sizes; the SQLite adapter is the one that scales.
 */
export class MemoryResourceStore implements ResourceStore {
  private readonly docs = new Map<string, Entry>();
  private readonly byDevice = new Map<string, Set<string>>();

  replaceDevice(deviceId: string, docs: readonly ResourceDoc[], now: number): ReplaceResult {
    const incoming = new Map<string, ResourceDoc>();
    for (const d of docs) {
      incoming.delete(d.uri); // the last duplicate wins and keeps its position
      incoming.set(d.uri, d);
    }
    const result: ReplaceResult = { added: [], changed: [], removed: [] };
    for (const uri of [...(this.byDevice.get(deviceId) ?? [])]) {
      if (!incoming.has(uri)) {
        this.drop(uri);
        result.removed.push(uri);
      }
    }
    for (const d of incoming.values()) {
      const etag = bodyEtag(d.body);
      const old = this.docs.get(d.uri);
      if (old && old.deviceId === deviceId) {
        if (old.etag === etag && old.collection === d.collection) continue;
        result.changed.push(d.uri);
      } else {
        result.added.push(d.uri);
      }
      this.put(d.uri, { deviceId, ...(d.collection !== undefined ? { collection: d.collection } : {}), json: JSON.stringify(d.body), etag, updatedAt: now });
    }
    return result;
  }

  patch(deviceId: string, patches: readonly { uri: string; set: Record<string, unknown> }[], now: number): string[] {
    const changed = new Set<string>();
    for (const p of patches) {
      const old = this.docs.get(p.uri);
      if (!old || old.deviceId !== deviceId) continue;
      const body = mergeBody(JSON.parse(old.json) as Record<string, unknown>, p.set);
      const etag = bodyEtag(body);
      if (etag === old.etag) continue;
      this.docs.set(p.uri, { ...old, json: JSON.stringify(body), etag, updatedAt: now });
      changed.add(p.uri);
    }
    return [...changed];
  }

  get(uri: string): StoredDoc | undefined {
    const e = this.docs.get(uri);
    return e ? toDoc(uri, e) : undefined;
  }

  members(collection: string, page?: Page): { uris: string[]; total: number } {
    const all = this.collectionUris(collection);
    return { uris: slice(all, page), total: all.length };
  }

  memberDocs(collection: string, page?: Page): { docs: StoredDoc[]; total: number } {
    const all = this.collectionUris(collection);
    return { docs: slice(all, page).map((u) => toDoc(u, this.docs.get(u)!)), total: all.length };
  }

  memberTexts(collection: string, page?: Page): { texts: string[]; etags: string[]; total: number } {
    const all = this.collectionUris(collection);
    const entries = slice(all, page).map((u) => this.docs.get(u)!);
    return { texts: entries.map((e) => e.json), etags: entries.map((e) => e.etag), total: all.length };
  }

  query(collection: string, where: Predicate, page?: Page): { uris: string[]; total: number } {
    checkPredicate(where);
    checkPage(page);
    const all = this.collectionUris(collection).filter((u) => matches(where, JSON.parse(this.docs.get(u)!.json)));
    return { uris: slice(all, page), total: all.length };
  }

  removeDevice(deviceId: string): string[] {
    const uris = [...(this.byDevice.get(deviceId) ?? [])];
    for (const u of uris) this.drop(u);
    return uris;
  }

  deviceOf(uri: string): string | undefined {
    return this.docs.get(uri)?.deviceId;
  }

  private collectionUris(collection: string): string[] {
    const out: string[] = [];
    for (const [uri, e] of this.docs) if (e.collection === collection) out.push(uri);
    return out.sort(byteCompare);
  }

  private put(uri: string, e: Entry): void {
    const prev = this.docs.get(uri);
    if (prev && prev.deviceId !== e.deviceId) this.byDevice.get(prev.deviceId)?.delete(uri);
    this.docs.set(uri, e);
    let set = this.byDevice.get(e.deviceId);
    if (!set) this.byDevice.set(e.deviceId, (set = new Set()));
    set.add(uri);
  }

  private drop(uri: string): void {
    const e = this.docs.get(uri);
    if (!e) return;
    this.docs.delete(uri);
    const set = this.byDevice.get(e.deviceId);
    set?.delete(uri);
    if (set?.size === 0) this.byDevice.delete(e.deviceId);
  }
}

function toDoc(uri: string, e: Entry): StoredDoc {
  return {
    uri,
    deviceId: e.deviceId,
    ...(e.collection !== undefined ? { collection: e.collection } : {}),
    body: JSON.parse(e.json) as Record<string, unknown>,
    etag: e.etag,
    updatedAt: e.updatedAt,
  };
}

function slice<T>(all: T[], page: Page | undefined): T[] {
  const { skip, top } = checkPage(page);
  return all.slice(skip, top === undefined ? undefined : skip + top);
}

/** SQLite's BINARY collation compares UTF-8 bytes, which is code point order, not JS's UTF-16 code unit order. */
function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The property at `path`, or undefined when any step is missing or not an object (as json_extract gives NULL). */
function at(body: unknown, path: readonly string[]): unknown {
  let cur = body;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function eq(v: unknown, value: PredicateValue): boolean {
  if (value === null) return v === undefined || v === null;
  return typeof v === typeof value && v === value;
}

function order(v: unknown, value: PredicateValue): number | undefined {
  if (typeof value === 'number' && typeof v === 'number') return v - value;
  if (typeof value === 'string' && typeof v === 'string') return byteCompare(v, value);
  return undefined;
}

/** The predicate semantics of {@link Predicate}, in JS; the conformance suite holds it equal to the SQL version. */
function matches(p: Predicate, body: unknown): boolean {
  switch (p.op) {
    case 'and':
      return p.args.every((a) => matches(a, body));
    case 'or':
      return p.args.some((a) => matches(a, body));
    case 'not':
      return !matches(p.arg, body);
    case 'eq':
      return eq(at(body, p.path), p.value);
    case 'ne':
      return !eq(at(body, p.path), p.value);
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le': {
      const c = order(at(body, p.path), p.value);
      if (c === undefined) return false;
      return p.op === 'gt' ? c > 0 : p.op === 'ge' ? c >= 0 : p.op === 'lt' ? c < 0 : c <= 0;
    }
    case 'contains':
    case 'startswith':
    case 'endswith': {
      const v = at(body, p.path);
      if (typeof v !== 'string') return false;
      return p.op === 'contains' ? v.includes(p.value) : p.op === 'startswith' ? v.startsWith(p.value) : v.endsWith(p.value);
    }
  }
}
