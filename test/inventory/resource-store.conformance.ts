import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Predicate, ResourceStore } from '../../src/inventory/resource-store.js';

/** What a conformance run needs from an adapter: a fresh, empty store and a way to release it. */
export interface StoreUnderTest {
  store: ResourceStore;
  close(): void;
}

const SYS = '/redfish/v1/Systems';
const sys = (id: string, extra: Record<string, unknown> = {}): { uri: string; collection: string; body: Record<string, unknown> } => ({
  uri: `${SYS}/${id}`,
  collection: SYS,
  body: { '@odata.id': `${SYS}/${id}`, Id: id, ...extra },
});
const sorted = (a: string[]) => [...a].sort();

/**
 * The one suite every {@link ResourceStore} adapter passes. Call it from a `*.test.ts` file with a factory that
 * returns an empty store.
 */
export function resourceStoreConformance(name: string, open: () => StoreUnderTest): void {
  describe(`ResourceStore conformance: ${name}`, () => {
    let t: StoreUnderTest;
    let s: ResourceStore;
    beforeEach(() => {
      t = open();
      s = t.store;
    });
    afterEach(() => t.close());

    describe('replaceDevice', () => {
      it('adds documents and reads them back with owner, collection, a quoted ETag and the write time', () => {
        const r = s.replaceDevice('d1', [sys('a', { Name: 'A' }), { uri: `${SYS}/a/Bios`, body: { X: 1 } }], 100);
        expect(r).toEqual({ added: [`${SYS}/a`, `${SYS}/a/Bios`], changed: [], removed: [] });
        const doc = s.get(`${SYS}/a`)!;
        expect(doc).toMatchObject({ uri: `${SYS}/a`, deviceId: 'd1', collection: SYS, body: { Id: 'a', Name: 'A' }, updatedAt: 100 });
        expect(doc.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
        expect(s.get(`${SYS}/a/Bios`)).not.toHaveProperty('collection');
        expect(s.get('/nope')).toBeUndefined();
      });

      it('does not rewrite unchanged documents, and key order alone is no change', () => {
        s.replaceDevice('d1', [sys('a', { P: 1, Q: { x: 1, y: 2 } })], 100);
        const before = s.get(`${SYS}/a`)!;
        const reordered = { uri: `${SYS}/a`, collection: SYS, body: { Q: { y: 2, x: 1 }, P: 1, Id: 'a', '@odata.id': `${SYS}/a` } };
        expect(s.replaceDevice('d1', [reordered], 200)).toEqual({ added: [], changed: [], removed: [] });
        const after = s.get(`${SYS}/a`)!;
        expect(after.etag).toBe(before.etag);
        expect(after.updatedAt).toBe(100);
      });

      it('reports changed bodies and collections, with a new ETag and time', () => {
        s.replaceDevice('d1', [sys('a', { P: 1 }), sys('b')], 100);
        const etag = s.get(`${SYS}/a`)!.etag;
        const r = s.replaceDevice('d1', [sys('a', { P: 2 }), { ...sys('b'), collection: '/redfish/v1/Chassis' }], 200);
        expect(sorted(r.changed)).toEqual([`${SYS}/a`, `${SYS}/b`]);
        expect(r.added).toEqual([]);
        expect(s.get(`${SYS}/a`)).toMatchObject({ body: { P: 2 }, updatedAt: 200 });
        expect(s.get(`${SYS}/a`)!.etag).not.toBe(etag);
        expect(s.members('/redfish/v1/Chassis').uris).toEqual([`${SYS}/b`]);
      });

      it('removes what the device no longer reports and leaves other devices alone', () => {
        s.replaceDevice('d1', [sys('a'), sys('b')], 100);
        s.replaceDevice('d2', [sys('c')], 100);
        expect(s.replaceDevice('d1', [sys('b')], 200)).toEqual({ added: [], changed: [], removed: [`${SYS}/a`] });
        expect(s.get(`${SYS}/a`)).toBeUndefined();
        expect(s.deviceOf(`${SYS}/c`)).toBe('d2');
        expect(s.replaceDevice('d1', [], 300).removed).toEqual([`${SYS}/b`]);
        expect(s.members(SYS)).toEqual({ uris: [`${SYS}/c`], total: 1 });
      });

      it('passes a URI held by another device to the writer', () => {
        s.replaceDevice('d1', [sys('a')], 100);
        expect(s.replaceDevice('d2', [sys('a', { New: true })], 200).added).toEqual([`${SYS}/a`]);
        expect(s.deviceOf(`${SYS}/a`)).toBe('d2');
        expect(s.removeDevice('d1')).toEqual([]);
        expect(s.get(`${SYS}/a`)!.body).toMatchObject({ New: true });
      });

      it('keeps the last of duplicate URIs', () => {
        const r = s.replaceDevice('d1', [sys('a', { V: 1 }), sys('a', { V: 2 })], 100);
        expect(r.added).toEqual([`${SYS}/a`]);
        expect(s.get(`${SYS}/a`)!.body).toMatchObject({ V: 2 });
      });

      it('hands out copies: neither the written nor the read body aliases the stored one', () => {
        const d = sys('a', { Status: { State: 'Enabled' } });
        s.replaceDevice('d1', [d], 100);
        (d.body.Status as Record<string, unknown>).State = 'Absent';
        const got = s.get(`${SYS}/a`)!;
        (got.body.Status as Record<string, unknown>).State = 'Disabled';
        expect(s.get(`${SYS}/a`)!.body.Status).toEqual({ State: 'Enabled' });
      });
    });

    describe('patch', () => {
      beforeEach(() => {
        s.replaceDevice('d1', [sys('a', { PowerState: 'Off', Status: { State: 'Enabled', Health: 'OK' }, Boot: { Order: ['a', 'b'] }, Gone: 1 })], 100);
        s.replaceDevice('d2', [sys('z', { PowerState: 'Off' })], 100);
      });

      it('deep-merges objects, replaces arrays and scalars, removes undefined keys, keeps null', () => {
        const changed = s.patch('d1', [{ uri: `${SYS}/a`, set: { PowerState: 'On', Status: { Health: 'Warning' }, Boot: { Order: ['c'] }, Gone: undefined, Extra: null } }], 200);
        expect(changed).toEqual([`${SYS}/a`]);
        const doc = s.get(`${SYS}/a`)!;
        expect(doc.body).toEqual({
          '@odata.id': `${SYS}/a`,
          Id: 'a',
          PowerState: 'On',
          Status: { State: 'Enabled', Health: 'Warning' },
          Boot: { Order: ['c'] },
          Extra: null,
        });
        expect(doc.updatedAt).toBe(200);
      });

      it('reports nothing and keeps the ETag when the patch changes nothing', () => {
        const etag = s.get(`${SYS}/a`)!.etag;
        expect(s.patch('d1', [{ uri: `${SYS}/a`, set: { PowerState: 'Off', Status: { State: 'Enabled' } } }], 200)).toEqual([]);
        expect(s.get(`${SYS}/a`)).toMatchObject({ etag, updatedAt: 100 });
      });

      it('changes the ETag when the body changes, and reports a URI once for several patches', () => {
        const etag = s.get(`${SYS}/a`)!.etag;
        const changed = s.patch('d1', [{ uri: `${SYS}/a`, set: { PowerState: 'On' } }, { uri: `${SYS}/a`, set: { PowerState: 'PoweringOff' } }], 200);
        expect(changed).toEqual([`${SYS}/a`]);
        expect(s.get(`${SYS}/a`)!.etag).not.toBe(etag);
        expect(s.get(`${SYS}/a`)!.body.PowerState).toBe('PoweringOff');
      });

      it("ignores unknown URIs and another device's documents", () => {
        expect(s.patch('d1', [{ uri: `${SYS}/z`, set: { PowerState: 'On' } }, { uri: '/nope', set: { X: 1 } }], 200)).toEqual([]);
        expect(s.get(`${SYS}/z`)!.body.PowerState).toBe('Off');
        expect(s.get('/nope')).toBeUndefined();
      });
    });

    describe('members and memberDocs', () => {
      beforeEach(() => {
        // Code point order: U+FFFD sorts before U+1F600, though its UTF-16 code unit is higher than a surrogate's.
        const ids = ['b', 'a', 'C', '\uFFFD', '\u{1F600}', 'a0'];
        ids.forEach((id, i) => s.replaceDevice(`d${i}`, [sys(id, { N: i }), { uri: `${SYS}/${id}/Sub`, body: {} }], 100));
        s.replaceDevice('m', [{ uri: '/redfish/v1/Managers/m', collection: '/redfish/v1/Managers', body: {} }], 100);
      });
      const order = ['C', 'a', 'a0', 'b', '\uFFFD', '\u{1F600}'].map((id) => `${SYS}/${id}`);

      it('lists a collection in URI byte order with its total', () => {
        expect(s.members(SYS)).toEqual({ uris: order, total: 6 });
        expect(s.members('/redfish/v1/Managers')).toEqual({ uris: ['/redfish/v1/Managers/m'], total: 1 });
        expect(s.members('/redfish/v1/Nothing')).toEqual({ uris: [], total: 0 });
      });

      it('pages with skip and top, the total unaffected', () => {
        expect(s.members(SYS, { skip: 1, top: 2 })).toEqual({ uris: order.slice(1, 3), total: 6 });
        expect(s.members(SYS, { skip: 4 })).toEqual({ uris: order.slice(4), total: 6 });
        expect(s.members(SYS, { top: 0 })).toEqual({ uris: [], total: 6 });
        expect(s.members(SYS, { skip: 10, top: 5 })).toEqual({ uris: [], total: 6 });
      });

      it('gives whole documents in the same order', () => {
        const r = s.memberDocs(SYS, { skip: 2, top: 3 });
        expect(r.total).toBe(6);
        expect(r.docs.map((d) => d.uri)).toEqual(order.slice(2, 5));
        expect(r.docs[0]).toMatchObject({ deviceId: 'd5', collection: SYS, body: { Id: 'a0', N: 5 }, updatedAt: 100 });
        expect(r.docs[0]!.etag).toBe(s.get(order[2]!)!.etag);
        expect(s.memberDocs(SYS, { skip: 6 })).toEqual({ docs: [], total: 6 });
      });

      it('gives the same bodies as JSON text, in the same order', () => {
        const r = s.memberTexts(SYS, { skip: 2, top: 3 });
        expect(r.total).toBe(6);
        expect(r.texts.map((t) => JSON.parse(t) as unknown)).toEqual(s.memberDocs(SYS, { skip: 2, top: 3 }).docs.map((d) => d.body));
        expect(r.etags).toEqual(s.memberDocs(SYS, { skip: 2, top: 3 }).docs.map((d) => d.etag));
        expect(s.memberTexts(SYS, { top: 0 })).toEqual({ texts: [], etags: [], total: 6 });
        expect(() => s.memberTexts(SYS, { skip: -1 })).toThrow(RangeError);
      });

      it('refuses negative or fractional paging', () => {
        expect(() => s.members(SYS, { skip: -1 })).toThrow(RangeError);
        expect(() => s.memberDocs(SYS, { top: 1.5 })).toThrow(RangeError);
        expect(() => s.query(SYS, { op: 'and', args: [] }, { top: -2 })).toThrow(RangeError);
      });
    });

    describe('query', () => {
      beforeEach(() => {
        s.replaceDevice('d1', [sys('1', { SystemType: 'DPU', Status: { State: 'Enabled', Health: 'OK' }, 'Members@odata.count': 3, 'a.b': 'dot', Cores: 8, On: true })], 1);
        s.replaceDevice('d2', [sys('2', { SystemType: 'Physical', Status: { State: 'Disabled', Health: 'Warning' }, 'Members@odata.count': 10, Cores: 64.5, On: false })], 1);
        s.replaceDevice('d3', [sys('3', { SystemType: 'DPU', Status: { State: 'Enabled', Health: null }, Cores: '8', On: 1, 'q"k': 'quoted' })], 1);
        s.replaceDevice('d4', [sys('4', { SystemType: 'dpu-lower', Status: 'flat', Cores: [8] })], 1);
        s.replaceDevice('d5', [{ uri: '/redfish/v1/Chassis/5', collection: '/redfish/v1/Chassis', body: { SystemType: 'DPU' } }], 1);
      });
      const ids = (where: Predicate, page?: { skip?: number; top?: number }) => s.query(SYS, where, page).uris.map((u) => u.slice(SYS.length + 1));
      const total = (where: Predicate) => s.query(SYS, where).total;

      it('matches eq on strings, nested paths and quoted keys, within one collection', () => {
        expect(ids({ op: 'eq', path: ['SystemType'], value: 'DPU' })).toEqual(['1', '3']);
        expect(ids({ op: 'eq', path: ['Status', 'State'], value: 'Enabled' })).toEqual(['1', '3']);
        expect(ids({ op: 'eq', path: ['Members@odata.count'], value: 10 })).toEqual(['2']);
        expect(ids({ op: 'eq', path: ['a.b'], value: 'dot' })).toEqual(['1']);
        expect(ids({ op: 'eq', path: ['q"k'], value: 'quoted' })).toEqual(['3']);
        expect(s.query('/redfish/v1/Chassis', { op: 'eq', path: ['SystemType'], value: 'DPU' }).uris).toEqual(['/redfish/v1/Chassis/5']);
      });

      it('keeps JSON types apart: 8 is not "8", true is not 1', () => {
        expect(ids({ op: 'eq', path: ['Cores'], value: 8 })).toEqual(['1']);
        expect(ids({ op: 'eq', path: ['Cores'], value: '8' })).toEqual(['3']);
        expect(ids({ op: 'eq', path: ['On'], value: true })).toEqual(['1']);
        expect(ids({ op: 'eq', path: ['On'], value: false })).toEqual(['2']);
        expect(ids({ op: 'eq', path: ['On'], value: 1 })).toEqual(['3']);
      });

      it('treats eq null as absent-or-null, and ne as exactly not eq', () => {
        expect(ids({ op: 'eq', path: ['Status', 'Health'], value: null })).toEqual(['3', '4']);
        expect(ids({ op: 'ne', path: ['Status', 'Health'], value: null })).toEqual(['1', '2']);
        expect(ids({ op: 'ne', path: ['SystemType'], value: 'DPU' })).toEqual(['2', '4']);
        expect(ids({ op: 'ne', path: ['Missing'], value: 'x' })).toEqual(['1', '2', '3', '4']);
        expect(ids({ op: 'not', arg: { op: 'gt', path: ['Cores'], value: 10 } })).toEqual(['1', '3', '4']);
        expect(ids({ op: 'not', arg: { op: 'gt', path: ['Members@odata.count'], value: 5 } })).toEqual(['1', '3', '4']);
      });

      it('orders numbers with numbers and strings with strings only', () => {
        expect(ids({ op: 'gt', path: ['Cores'], value: 8 })).toEqual(['2']);
        expect(ids({ op: 'ge', path: ['Cores'], value: 8 })).toEqual(['1', '2']);
        expect(ids({ op: 'lt', path: ['Members@odata.count'], value: 10 })).toEqual(['1']);
        expect(ids({ op: 'le', path: ['Members@odata.count'], value: 10 })).toEqual(['1', '2']);
        expect(ids({ op: 'lt', path: ['SystemType'], value: 'Q' })).toEqual(['1', '2', '3']);
        expect(ids({ op: 'ge', path: ['Cores'], value: '7' })).toEqual(['3']);
        expect(ids({ op: 'gt', path: ['On'], value: false })).toEqual([]);
        expect(ids({ op: 'lt', path: ['Cores'], value: null })).toEqual([]);
      });

      it('matches contains, startswith and endswith case-sensitively on strings only', () => {
        expect(ids({ op: 'contains', path: ['SystemType'], value: 'PU' })).toEqual(['1', '3']);
        expect(ids({ op: 'contains', path: ['SystemType'], value: 'pu' })).toEqual(['4']);
        expect(ids({ op: 'startswith', path: ['SystemType'], value: 'Ph' })).toEqual(['2']);
        expect(ids({ op: 'endswith', path: ['SystemType'], value: 'lower' })).toEqual(['4']);
        expect(ids({ op: 'endswith', path: ['SystemType'], value: 'DPU-lower-x' })).toEqual([]);
        expect(ids({ op: 'contains', path: ['Cores'], value: '8' })).toEqual(['3']);
        expect(ids({ op: 'startswith', path: ['Status', 'State'], value: '' })).toEqual(['1', '2', '3']);
        expect(ids({ op: 'endswith', path: ['Status', 'State'], value: '' })).toEqual(['1', '2', '3']);
        expect(ids({ op: 'contains', path: ['SystemType'], value: '%' })).toEqual([]);
      });

      it('combines with and, or, not; empty and is true, empty or is false', () => {
        const dpu: Predicate = { op: 'eq', path: ['SystemType'], value: 'DPU' };
        const ok: Predicate = { op: 'eq', path: ['Status', 'Health'], value: 'OK' };
        expect(ids({ op: 'and', args: [dpu, ok] })).toEqual(['1']);
        expect(ids({ op: 'or', args: [ok, { op: 'eq', path: ['Status', 'State'], value: 'Disabled' }] })).toEqual(['1', '2']);
        expect(ids({ op: 'and', args: [dpu, { op: 'not', arg: ok }] })).toEqual(['3']);
        expect(ids({ op: 'and', args: [] })).toEqual(['1', '2', '3', '4']);
        expect(ids({ op: 'or', args: [] })).toEqual([]);
      });

      it('pages the matches and counts them all', () => {
        const all: Predicate = { op: 'ne', path: ['SystemType'], value: 'x' };
        expect(s.query(SYS, all, { skip: 1, top: 2 })).toEqual({ uris: [`${SYS}/2`, `${SYS}/3`], total: 4 });
        expect(s.query(SYS, all, { skip: 9 })).toEqual({ uris: [], total: 4 });
        expect(s.query(SYS, all, { top: 0 })).toEqual({ uris: [], total: 4 });
        expect(total({ op: 'eq', path: ['SystemType'], value: 'none' })).toBe(0);
      });

      it('does not descend into non-objects', () => {
        expect(ids({ op: 'eq', path: ['Status', 'State'], value: null })).toEqual(['4']);
        expect(ids({ op: 'eq', path: ['Cores', '0'], value: 8 })).toEqual([]);
      });

      it('treats values as data, never as query text', () => {
        expect(ids({ op: 'eq', path: ['SystemType'], value: "DPU' OR 1=1 --" })).toEqual([]);
        expect(ids({ op: 'eq', path: ["SystemType') OR 1=1 --"], value: 'DPU' })).toEqual([]);
        expect(s.members(SYS).total).toBe(4);
      });

      it('refuses malformed predicates', () => {
        expect(() => s.query(SYS, { op: 'eq', path: [], value: 1 })).toThrow(RangeError);
        expect(() => s.query(SYS, { op: 'eq', path: ['X'], value: Number.NaN })).toThrow(RangeError);
        expect(() => s.query(SYS, { op: 'bogus' } as unknown as Predicate)).toThrow(RangeError);
        expect(() => s.query(SYS, { op: 'contains', path: ['X'], value: 3 } as unknown as Predicate)).toThrow(RangeError);
        let deep: Predicate = { op: 'eq', path: ['X'], value: 1 };
        for (let i = 0; i < 100; i++) deep = { op: 'not', arg: deep };
        expect(() => s.query(SYS, deep)).toThrow(RangeError);
      });
    });

    describe('removeDevice and deviceOf', () => {
      it('removes every document of one device and says which', () => {
        s.replaceDevice('d1', [sys('a'), { uri: `${SYS}/a/Sub`, body: {} }], 100);
        s.replaceDevice('d2', [sys('b')], 100);
        expect(s.deviceOf(`${SYS}/a/Sub`)).toBe('d1');
        expect(sorted(s.removeDevice('d1'))).toEqual([`${SYS}/a`, `${SYS}/a/Sub`]);
        expect(s.deviceOf(`${SYS}/a`)).toBeUndefined();
        expect(s.members(SYS)).toEqual({ uris: [`${SYS}/b`], total: 1 });
        expect(s.removeDevice('d1')).toEqual([]);
        expect(s.replaceDevice('d1', [sys('a')], 200).added).toEqual([`${SYS}/a`]);
      });
    });
  });
}
