/**
 * `$filter` pushed into the store must mean exactly what the pipeline's own evaluator means. Every filter below is run
 * both ways over the same members, in the SQLite and the in-memory store: where `toPredicate` translates, the member
 * sets must be equal; where it declines, the pipeline falls back to the evaluator, so declining is always safe.
 */
import { describe, expect, it } from 'vitest';
import { MemoryResourceStore } from '../../src/inventory/memory-resource-store.js';
import type { ResourceStore } from '../../src/inventory/resource-store.js';
import { evaluateFilter, parseFilter } from '../../src/redfish/query/index.js';
import { toPredicate } from '../../src/redfish/query/to-predicate.js';
import { openStore } from '../../src/store/index.js';

const C = '/redfish/v1/Systems';
const MEMBERS: Record<string, unknown>[] = [
  { Id: 'a', SystemType: 'DPU', PowerState: 'On', Cores: 16, Enabled: true, Status: { State: 'Enabled', Health: 'OK' }, When: '2026-01-01T00:00:00Z' },
  { Id: 'b', SystemType: 'Physical', PowerState: 'Off', Cores: 64, Enabled: false, Status: { State: 'Enabled', Health: 'Warning' }, When: '2026-01-01T01:00:00+02:00' },
  { Id: 'c', SystemType: 'DPU', Cores: '16', Enabled: 'yes', Status: { State: 'UnavailableOffline' } },
  { Id: 'd', SystemType: null, PowerState: 'On', Cores: 8.5, Status: { Health: 'Critical', Conditions: [{ MessageId: 'x' }] }, Tags: ['x'] },
  { Id: 'e', SystemType: 'Physical', Status: 'weird', Cores: null, Enabled: true, Name: 'zé\u{1F600}' },
  { Id: 'f', Name: '\uE000', Obj: { A: 1 } },
];
const FILTERS = [
  "SystemType eq 'DPU'",
  "SystemType ne 'DPU'",
  'SystemType eq null',
  'SystemType ne null',
  'Cores gt 10',
  'Cores le 16',
  "Cores ne 16",
  "Cores eq '16'",
  '16 lt Cores',
  'Enabled',
  'not Enabled',
  'Enabled eq true',
  'Enabled ne true',
  "Status/Health eq 'OK' or Status/Health eq 'Warning'",
  "Status/State eq 'Enabled' and PowerState eq 'On'",
  "not (PowerState eq 'On')",
  "PowerState ne 'On' and SystemType eq 'Physical'",
  'Status eq null',
  "Status ne 'weird'",
  "Obj ne 'x'",
  'Tags eq null',
  "When gt '2025-12-31T23:30:00Z'",
  "When eq '2026-01-01T00:00:00+00:00'",
  "Name gt 'z'",
  "Name lt '\uE001'",
  'Cores eq Cores',
  '(Cores gt 10) eq true',
  'not (not (Enabled eq true))',
];

function stores(): [string, ResourceStore][] {
  const sqlite = openStore(':memory:').resources;
  const memory = new MemoryResourceStore();
  for (const s of [sqlite, memory]) s.replaceDevice('d', MEMBERS.map((b) => ({ uri: `${C}/${b.Id as string}`, collection: C, body: b })), 1);
  return [['sqlite', sqlite], ['memory', memory]];
}

describe('toPredicate', () => {
  const all = stores();
  for (const text of FILTERS) {
    it(`means what the evaluator means: ${text}`, () => {
      const expr = parseFilter(text);
      const expected = MEMBERS.filter((m) => evaluateFilter(expr, m)).map((m) => `${C}/${m.Id as string}`);
      const p = toPredicate(expr);
      if (!p) return; // declined: the pipeline evaluates it member by member
      for (const [name, s] of all) expect(s.query(C, p).uris, name).toEqual(expected);
    });
  }

  it('pushes down the filters fleet tools send, and declines what SQLite would answer differently', () => {
    for (const t of ["SystemType eq 'DPU'", "Version eq '24.40.1000'", "Status/Health ne 'OK'", 'Cores ge 8', 'Updateable eq true']) expect(toPredicate(parseFilter(t)), t).toBeDefined();
    for (const t of ["When gt '2025-12-31T23:30:00Z'", "When eq '2026-01-01T00:00:00+00:00'", 'Cores eq Cores', "Name lt '\uE001'"]) expect(toPredicate(parseFilter(t)), t).toBeUndefined();
  });
});
