import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryResourceStore } from '../../src/inventory/memory-resource-store.js';
import type { Predicate, PredicateValue, ResourceStore } from '../../src/inventory/resource-store.js';
import { seededRandom } from '../../src/inventory/schedule.js';
import { openStore, type Store } from '../../src/store/index.js';
import { resourceStoreConformance } from './resource-store.conformance.js';

resourceStoreConformance('sqlite', () => {
  const store = openStore(':memory:', 'NORMAL');
  return { store: store.resources, close: () => store.close() };
});

const SYS = '/redfish/v1/Systems';

describe('SQLite resource store', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps documents across close and reopen of a file store', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-resources-'));
    dirs.push(dir);
    let store: Store = openStore(dir);
    expect(store.schemaVersion()).toBeGreaterThanOrEqual(4);
    store.resources.replaceDevice('d1', [{ uri: `${SYS}/a`, collection: SYS, body: { Id: 'a', Status: { State: 'Enabled' } } }], 100);
    store.resources.patch('d1', [{ uri: `${SYS}/a`, set: { PowerState: 'On' } }], 200);
    const etag = store.resources.get(`${SYS}/a`)!.etag;
    store.close();

    store = openStore(dir);
    try {
      expect(store.resources.get(`${SYS}/a`)).toEqual({
        uri: `${SYS}/a`,
        deviceId: 'd1',
        collection: SYS,
        body: { Id: 'a', Status: { State: 'Enabled' }, PowerState: 'On' },
        etag,
        updatedAt: 200,
      });
      expect(store.resources.query(SYS, { op: 'eq', path: ['PowerState'], value: 'On' })).toEqual({ uris: [`${SYS}/a`], total: 1 });
    } finally {
      store.close();
    }
  });

  it('rolls a replace back whole when the surrounding transaction fails', () => {
    const store = openStore(':memory:', 'NORMAL');
    try {
      store.resources.replaceDevice('d1', [{ uri: `${SYS}/a`, collection: SYS, body: { V: 1 } }], 100);
      expect(() =>
        store.transaction(() => {
          store.resources.replaceDevice('d1', [{ uri: `${SYS}/b`, collection: SYS, body: { V: 2 } }], 200);
          throw new Error('journal write failed');
        }),
      ).toThrow('journal write failed');
      expect(store.resources.members(SYS).uris).toEqual([`${SYS}/a`]);
    } finally {
      store.close();
    }
  });

  it('answers random predicates exactly as the in-memory reference does', () => {
    const store = openStore(':memory:', 'NORMAL');
    const mem = new MemoryResourceStore();
    const rnd = seededRandom(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const keys = ['A', 'B', 'k.ey', 'x@odata.count'] as const;
    const scalars: readonly (PredicateValue | undefined | object)[] = [undefined, null, true, false, 0, 1, 2.5, -3, '', 'a', 'ab', 'B', 'ba', '\u{1F600}', [1], { A: 'a' }];
    try {
      for (let i = 0; i < 60; i++) {
        const body: Record<string, unknown> = {};
        for (const k of keys) {
          const v = pick(scalars);
          if (v !== undefined) body[k] = v;
        }
        if (rnd() < 0.5) body.N = { A: pick(scalars), B: pick(scalars) };
        const doc = { uri: `${SYS}/${i.toString().padStart(3, '0')}`, collection: SYS, body };
        for (const s of [store.resources, mem] as ResourceStore[]) s.replaceDevice(`d${i}`, [doc], 1);
      }
      const leaf = (): Predicate => {
        const path = rnd() < 0.3 ? ['N', pick(['A', 'B'])] : [pick(keys)];
        const op = pick(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'contains', 'startswith', 'endswith'] as const);
        if (op === 'contains' || op === 'startswith' || op === 'endswith') return { op, path, value: pick(['', 'a', 'b', 'B', '\u{1F600}']) };
        return { op, path, value: pick([null, true, false, 0, 1, 2.5, -3, '', 'a', 'ab', 'B', '\u{1F600}']) };
      };
      const tree = (depth: number): Predicate => {
        const r = rnd();
        if (depth > 2 || r < 0.4) return leaf();
        if (r < 0.55) return { op: 'not', arg: tree(depth + 1) };
        return { op: r < 0.8 ? 'and' : 'or', args: Array.from({ length: Math.floor(rnd() * 4) }, () => tree(depth + 1)) };
      };
      let nonTrivial = 0;
      for (let i = 0; i < 400; i++) {
        const p = tree(0);
        const page = rnd() < 0.3 ? { skip: Math.floor(rnd() * 5), top: Math.floor(rnd() * 10) } : undefined;
        const want = mem.query(SYS, p, page);
        expect(store.resources.query(SYS, p, page), JSON.stringify(p)).toEqual(want);
        if (want.total > 0 && want.total < 60) nonTrivial++;
      }
      expect(nonTrivial).toBeGreaterThan(100); // the generator does exercise the predicates
    } finally {
      store.close();
    }
  });
});
