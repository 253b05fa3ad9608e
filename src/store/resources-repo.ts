import type Database from 'better-sqlite3';
import {
  bodyEtag,
  checkPage,
  checkPredicate,
  jsonPath,
  mergeBody,
  type Page,
  type Predicate,
  type PredicateValue,
  type ReplaceResult,
  type ResourceDoc,
  type ResourceStore,
  type StoredDoc,
} from '../inventory/resource-store.js';
import { prep, type Db } from './db.js';

interface Raw {
  uri: string;
  device_id: string;
  collection: string | null;
  body: string;
  etag: string;
  updated_at: number;
}

const fromRaw = (r: Raw): StoredDoc => ({
  uri: r.uri,
  deviceId: r.device_id,
  ...(r.collection !== null ? { collection: r.collection } : {}),
  body: JSON.parse(r.body) as Record<string, unknown>,
  etag: r.etag,
  updatedAt: r.updated_at,
});

/** How many compiled fleet queries to keep: their SQL varies with the filter's shape, so an unbounded cache would grow with what clients send. */
const QUERY_CACHE = 64;

/**
 * The aggregated Redfish tree in SQLite (table `resources`, migration 4): the {@link ResourceStore} adapter. Bodies are
 * stored as the JSON the device's mapping produced; the ETag is over the canonical form, so key order alone is not a
 * change. Fleet queries run inside SQLite with json_extract, with every path and value bound as a parameter.
 */
export class ResourcesRepo implements ResourceStore {
  private readonly queries = new Map<string, Database.Statement>();

  constructor(private readonly db: Db) {}

  replaceDevice(deviceId: string, docs: readonly ResourceDoc[], now: number): ReplaceResult {
    return this.db.transaction((): ReplaceResult => {
      const existing = new Map(
        (prep(this.db, 'SELECT uri, collection, etag, body FROM resources WHERE device_id = ?').all(deviceId) as Pick<Raw, 'uri' | 'collection' | 'etag' | 'body'>[]).map(
          (r) => [r.uri, r] as const,
        ),
      );
      const incoming = new Map<string, ResourceDoc>();
      for (const d of docs) {
        incoming.delete(d.uri); // the last duplicate wins and keeps its position
        incoming.set(d.uri, d);
      }
      const result: ReplaceResult = { added: [], changed: [], removed: [] };
      const del = prep(this.db, 'DELETE FROM resources WHERE uri = ?');
      for (const uri of existing.keys()) {
        if (!incoming.has(uri)) {
          del.run(uri);
          result.removed.push(uri);
        }
      }
      const put = prep(
        this.db,
        `INSERT INTO resources (uri, device_id, collection, body, etag, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(uri) DO UPDATE SET device_id = excluded.device_id, collection = excluded.collection, body = excluded.body,
           etag = excluded.etag, updated_at = excluded.updated_at`,
      );
      for (const d of incoming.values()) {
        const text = JSON.stringify(d.body);
        const old = existing.get(d.uri);
        // Most documents of a remap are unchanged: the same text is the same document, with no canonical form or hash
        // to compute (that was 2.6 ms a remap at 10,000 devices). Different text may still be the same document with
        // its keys in another order, which the canonical tag settles.
        if (old && old.body === text && old.collection === (d.collection ?? null)) continue;
        const etag = bodyEtag(d.body);
        if (old) {
          if (old.etag === etag && old.collection === (d.collection ?? null)) continue;
          result.changed.push(d.uri);
        } else {
          result.added.push(d.uri); // new, or taken over from another device
        }
        put.run(d.uri, deviceId, d.collection ?? null, text, etag, now);
      }
      return result;
    })();
  }

  patch(deviceId: string, patches: readonly { uri: string; set: Record<string, unknown> }[], now: number): string[] {
    return this.db.transaction((): string[] => {
      const changed = new Set<string>();
      const read = prep(this.db, 'SELECT body, etag FROM resources WHERE uri = ? AND device_id = ?');
      const write = prep(this.db, 'UPDATE resources SET body = ?, etag = ?, updated_at = ? WHERE uri = ?');
      for (const p of patches) {
        const r = read.get(p.uri, deviceId) as Pick<Raw, 'body' | 'etag'> | undefined;
        if (!r) continue;
        const body = mergeBody(JSON.parse(r.body) as Record<string, unknown>, p.set);
        const etag = bodyEtag(body);
        if (etag === r.etag) continue;
        write.run(JSON.stringify(body), etag, now, p.uri);
        changed.add(p.uri);
      }
      return [...changed];
    })();
  }

  get(uri: string): StoredDoc | undefined {
    const r = prep(this.db, 'SELECT * FROM resources WHERE uri = ?').get(uri) as Raw | undefined;
    return r ? fromRaw(r) : undefined;
  }

  // Count and page are two statements: the page walks the (collection, uri) index and stops at skip + top, where a
  // window count would have to read and sort the whole collection for every page.
  members(collection: string, page?: Page): { uris: string[]; total: number } {
    const { skip, top } = checkPage(page);
    const total = this.count(collection);
    if (top === 0 || skip >= total) return { uris: [], total };
    const rows = prep(this.db, 'SELECT uri FROM resources WHERE collection = ? ORDER BY uri LIMIT ? OFFSET ?').all(collection, top ?? -1, skip) as { uri: string }[];
    return { uris: rows.map((r) => r.uri), total };
  }

  memberDocs(collection: string, page?: Page): { docs: StoredDoc[]; total: number } {
    const { skip, top } = checkPage(page);
    const total = this.count(collection);
    if (top === 0 || skip >= total) return { docs: [], total };
    const rows = prep(this.db, 'SELECT * FROM resources WHERE collection = ? ORDER BY uri LIMIT ? OFFSET ?').all(collection, top ?? -1, skip) as Raw[];
    return { docs: rows.map(fromRaw), total };
  }

  memberTexts(collection: string, page?: Page): { texts: string[]; etags: string[]; total: number } {
    const { skip, top } = checkPage(page);
    const total = this.count(collection);
    if (top === 0 || skip >= total) return { texts: [], etags: [], total };
    const rows = prep(this.db, 'SELECT body, etag FROM resources WHERE collection = ? ORDER BY uri LIMIT ? OFFSET ?').all(collection, top ?? -1, skip) as { body: string; etag: string }[];
    return { texts: rows.map((r) => r.body), etags: rows.map((r) => r.etag), total };
  }

  query(collection: string, where: Predicate, page?: Page): { uris: string[]; total: number } {
    checkPredicate(where);
    const { skip, top } = checkPage(page);
    const params: (string | number)[] = [];
    const cond = compile(where, params);
    // One pass evaluates the predicate once per member and counts the matches beside the page.
    const rows = this.statement(`SELECT uri, COUNT(*) OVER () AS total FROM resources WHERE collection = ? AND ${cond} ORDER BY uri LIMIT ? OFFSET ?`).all(
      collection,
      ...params,
      top ?? -1,
      skip,
    ) as { uri: string; total: number }[];
    if (rows.length > 0) return { uris: rows.map((r) => r.uri), total: rows[0]!.total };
    if (skip === 0 && top !== 0) return { uris: [], total: 0 };
    // An empty page says nothing about the total: count on its own.
    const n = this.statement(`SELECT COUNT(*) AS n FROM resources WHERE collection = ? AND ${cond}`).get(collection, ...params) as { n: number };
    return { uris: [], total: n.n };
  }

  removeDevice(deviceId: string): string[] {
    const rows = prep(this.db, 'DELETE FROM resources WHERE device_id = ? RETURNING uri').all(deviceId) as { uri: string }[];
    return rows.map((r) => r.uri);
  }

  deviceOf(uri: string): string | undefined {
    const r = prep(this.db, 'SELECT device_id FROM resources WHERE uri = ?').get(uri) as { device_id: string } | undefined;
    return r?.device_id;
  }

  private count(collection: string): number {
    return (prep(this.db, 'SELECT COUNT(*) AS n FROM resources WHERE collection = ?').get(collection) as { n: number }).n;
  }

  /** A compiled query from a small LRU: the same filter shape reuses its statement, and odd shapes fall out. */
  private statement(sql: string): Database.Statement {
    let st = this.queries.get(sql);
    if (st) this.queries.delete(sql);
    else st = this.db.prepare(sql);
    this.queries.set(sql, st);
    if (this.queries.size > QUERY_CACHE) this.queries.delete(this.queries.keys().next().value!);
    return st;
  }
}

const ORDER_SQL = { gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

/**
 * Compiles a checked predicate to a SQL condition that is never NULL (each leaf is wrapped in IFNULL(..., 0)), so
 * NOT and `ne` keep two-valued logic over absent properties. Only fixed SQL text is generated; each JSON path and
 * value is pushed to `params` in order.
 */
export function compile(p: Predicate, params: (string | number)[]): string {
  switch (p.op) {
    case 'and':
    case 'or':
      if (p.args.length === 0) return p.op === 'and' ? '1' : '0';
      return `(${p.args.map((a) => compile(a, params)).join(p.op === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${compile(p.arg, params)})`;
    case 'eq':
      return leaf(eqSql(jsonPath(p.path), p.value, params));
    case 'ne':
      return `(NOT ${leaf(eqSql(jsonPath(p.path), p.value, params))})`;
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le': {
      const path = jsonPath(p.path);
      const op = ORDER_SQL[p.op];
      if (typeof p.value === 'number') {
        params.push(path, path, p.value);
        return leaf(`json_type(body, ?) IN ('integer', 'real') AND json_extract(body, ?) ${op} ?`);
      }
      if (typeof p.value === 'string') {
        params.push(path, path, p.value);
        return leaf(`json_type(body, ?) IS 'text' AND json_extract(body, ?) ${op} ?`);
      }
      return '0'; // booleans and null have no order
    }
    case 'contains':
    case 'startswith':
    case 'endswith': {
      const path = jsonPath(p.path);
      if (p.op === 'endswith' && p.value === '') {
        params.push(path);
        return leaf(`json_type(body, ?) IS 'text'`);
      }
      params.push(path, path, p.value);
      // instr() and substr() are case-sensitive and count characters, where LIKE would fold ASCII case and need escaping.
      if (p.op === 'contains') return leaf(`json_type(body, ?) IS 'text' AND instr(json_extract(body, ?), ?) > 0`);
      if (p.op === 'startswith') return leaf(`json_type(body, ?) IS 'text' AND instr(json_extract(body, ?), ?) = 1`);
      params.push(p.value);
      return leaf(`json_type(body, ?) IS 'text' AND substr(json_extract(body, ?), -length(?)) = ?`);
    }
  }
}

const leaf = (sql: string): string => `IFNULL((${sql}), 0)`;

function eqSql(path: string, value: PredicateValue, params: (string | number)[]): string {
  if (value === null) {
    params.push(path);
    return 'json_extract(body, ?) IS NULL'; // absent or JSON null, as OData's `eq null`
  }
  if (typeof value === 'boolean') {
    params.push(path, value ? 'true' : 'false');
    return 'json_type(body, ?) IS ?'; // json_extract would give 1/0, indistinguishable from the numbers
  }
  params.push(path, path, value);
  return typeof value === 'number'
    ? `json_type(body, ?) IN ('integer', 'real') AND json_extract(body, ?) = ?`
    : `json_type(body, ?) IS 'text' AND json_extract(body, ?) = ?`;
}
