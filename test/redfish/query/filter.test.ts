import { describe, it, expect } from 'vitest';
import { RedfishError } from '../../../src/redfish/errors.js';
import { evaluateFilter, parseFilter, type FilterExpr } from '../../../src/redfish/query/index.js';

const systems = [
  {
    Id: 'a',
    SystemType: 'Physical',
    PowerState: 'On',
    Status: { State: 'Enabled', Health: 'OK' },
    ProcessorSummary: { Count: 2 },
    MemorySummary: { TotalSystemMemoryGiB: 128 },
    Created: '2024-03-01T10:00:00Z',
    Enabled: true,
    Links: { Chassis: [{ '@odata.id': '/redfish/v1/Chassis/1' }] },
  },
  {
    Id: 'b',
    SystemType: 'DPU',
    PowerState: 'Off',
    Status: { State: 'Enabled', Health: 'Warning' },
    ProcessorSummary: { Count: 4 },
    MemorySummary: { TotalSystemMemoryGiB: 16.5 },
    Created: '2024-03-01T12:00:00+02:00',
    Enabled: false,
  },
  {
    Id: 'c',
    SystemType: 'Physical',
    Status: { State: 'Absent', Health: null },
    ProcessorSummary: { Count: 1 },
    Created: "O'Brien",
  },
];

/** Ids of the members that match `filter`. */
function matching(filter: string): string[] {
  const expr = parseFilter(filter);
  return systems.filter((s) => evaluateFilter(expr, s)).map((s) => s.Id);
}

function rejects(filter: string): void {
  try {
    parseFilter(filter);
  } catch (e) {
    expect(e).toBeInstanceOf(RedfishError);
    const err = e as RedfishError;
    expect(err.status).toBe(400);
    expect(err.messages[0]!.MessageId).toBe('Base.1.22.QueryParameterValueFormatError');
    expect(err.messages[0]!.MessageArgs).toEqual([filter, '$filter']);
    return;
  }
  throw new Error(`parseFilter accepted ${JSON.stringify(filter)}`);
}

describe('$filter: operators from DSP0266', () => {
  it('eq and ne on strings, including enum-like values', () => {
    expect(matching("SystemType eq 'Physical'")).toEqual(['a', 'c']);
    expect(matching("SystemType ne 'Physical'")).toEqual(['b']);
    expect(matching("Status/Health eq 'OK'")).toEqual(['a']);
  });

  it('accepts OData enum literals as their member name', () => {
    expect(matching("Status/Health eq Resource.Health'Warning'")).toEqual(['b']);
  });

  it('gt, ge, lt, le on integers and decimals', () => {
    expect(matching('ProcessorSummary/Count gt 2')).toEqual(['b']);
    expect(matching('ProcessorSummary/Count ge 2')).toEqual(['a', 'b']);
    expect(matching('ProcessorSummary/Count lt 2')).toEqual(['c']);
    expect(matching('ProcessorSummary/Count le 2')).toEqual(['a', 'c']);
    expect(matching('MemorySummary/TotalSystemMemoryGiB le 16.5')).toEqual(['b']);
    expect(matching('MemorySummary/TotalSystemMemoryGiB gt 1.28e2')).toEqual([]);
    expect(matching('ProcessorSummary/Count gt -1')).toEqual(['a', 'b', 'c']);
  });

  it('orders strings by code unit', () => {
    expect(matching("SystemType lt 'E'")).toEqual(['b']);
    expect(matching("SystemType ge 'P'")).toEqual(['a', 'c']);
  });

  it('compares ISO 8601 date-times as instants', () => {
    // 12:00+02:00 is 10:00Z, the same instant as a's timestamp.
    expect(matching("Created eq '2024-03-01T10:00:00Z'")).toEqual(['a', 'b']);
    expect(matching("Created gt '2024-03-01T09:59:59Z'")).toEqual(['a', 'b', 'c']); // c is plain text: 'O' > '2'
    expect(matching("Created gt '2024-03-01T10:00:00+01:00'")).toEqual(['a', 'b', 'c']);
    expect(matching("Created ge '2024-03-01T11:00:00+00:00'")).toEqual(['c']);
    expect(matching("Created lt '2024-03-01T10:00:00.001+00:00'")).toEqual(['a', 'b']);
  });

  it('true and false literals against boolean properties, and bare boolean properties', () => {
    expect(matching('Enabled eq true')).toEqual(['a']);
    expect(matching('Enabled eq false')).toEqual(['b']);
    expect(matching('Enabled')).toEqual(['a']);
    expect(matching('not Enabled')).toEqual(['b']);
    expect(matching('true')).toEqual(['a', 'b', 'c']);
  });

  it('and, or, not and grouping', () => {
    expect(matching("(Status/State eq 'Enabled' and Status/Health eq 'OK') or SystemType eq 'DPU'")).toEqual(['a', 'b']);
    expect(matching('ProcessorSummary/Count eq 2 and MemorySummary/TotalSystemMemoryGiB gt 64')).toEqual(['a']);
    expect(matching('ProcessorSummary/Count eq 2 or ProcessorSummary/Count eq 4')).toEqual(['a', 'b']);
    expect(matching('not (ProcessorSummary/Count eq 2)')).toEqual(['b', 'c']);
    expect(matching("not(PowerState eq 'On')")).toEqual(['b', 'c']);
    expect(matching('not not (ProcessorSummary/Count eq 2)')).toEqual(['a']);
  });

  it('binds and tighter than or', () => {
    // a or (b and c), not (a or b) and c
    expect(matching("Id eq 'a' or Id eq 'b' and Id eq 'c'")).toEqual(['a']);
    expect(matching("(Id eq 'a' or Id eq 'b') and Id eq 'c'")).toEqual([]);
  });

  it('binds relational operators tighter than equality', () => {
    const expr = parseFilter('ProcessorSummary/Count gt 1 eq true');
    expect(expr).toMatchObject({ kind: 'compare', op: 'eq', left: { kind: 'compare', op: 'gt' } });
    expect(matching('ProcessorSummary/Count gt 1 eq true')).toEqual(['a', 'b']);
  });

  it('reads doubled quotes as one quote', () => {
    expect(matching("Created eq 'O''Brien'")).toEqual(['c']);
    expect(parseFilter("Name eq ''''")).toMatchObject({ right: { kind: 'literal', value: "'" } });
  });

  it('tolerates extra whitespace', () => {
    expect(matching("  Id\teq  'a'  ")).toEqual(['a']);
  });
});

describe('$filter: null and missing properties', () => {
  it('treats a missing property as null', () => {
    expect(matching('PowerState eq null')).toEqual(['c']);
    expect(matching('PowerState ne null')).toEqual(['a', 'b']);
    expect(matching('Status/Health eq null')).toEqual(['c']);
    expect(matching('Nope/Deeper eq null')).toEqual(['a', 'b', 'c']);
  });

  it('never satisfies an ordering with a missing or null property', () => {
    expect(matching('MemorySummary/TotalSystemMemoryGiB gt 0')).toEqual(['a', 'b']);
    expect(matching('MemorySummary/TotalSystemMemoryGiB lt 1000')).toEqual(['a', 'b']);
    expect(matching("Status/Health le 'Z'")).toEqual(['a', 'b']);
  });

  it('lets not match members where the compared property is missing', () => {
    expect(matching("not (PowerState eq 'On')")).toEqual(['b', 'c']);
  });

  it('does not reach inherited properties', () => {
    expect(matching('constructor eq null')).toEqual(['a', 'b', 'c']);
    expect(matching('Id/length eq 1')).toEqual([]);
  });
});

describe('$filter: type mismatches in data are false, not errors', () => {
  it('string against number, number against string', () => {
    expect(matching('SystemType gt 5')).toEqual([]);
    expect(matching("ProcessorSummary/Count eq '2'")).toEqual([]);
    expect(matching("ProcessorSummary/Count ne '2'")).toEqual([]);
  });

  it('objects and arrays compare with nothing', () => {
    expect(matching("Status eq 'OK'")).toEqual([]);
    expect(matching('Links/Chassis eq null')).toEqual(['b', 'c']);
    expect(matching('Status ne null')).toEqual([]);
  });

  it('booleans are not ordered', () => {
    expect(matching('Enabled gt 0')).toEqual([]);
  });

  it('not of a non-boolean property never matches', () => {
    expect(matching('not SystemType')).toEqual([]);
  });

  it('works on non-object members', () => {
    const expr = parseFilter('Id eq null');
    expect(evaluateFilter(expr, 'text')).toBe(true);
    expect(evaluateFilter(expr, null)).toBe(true);
    expect(evaluateFilter(parseFilter("Id eq 'a'"), [1])).toBe(false);
  });

  it('compares two properties and two literals', () => {
    const expr: FilterExpr = parseFilter('ProcessorSummary/Count lt MemorySummary/TotalSystemMemoryGiB');
    expect(systems.filter((s) => evaluateFilter(expr, s)).map((s) => s.Id)).toEqual(['a', 'b']);
    expect(matching("'x' eq 'x' and 1 lt 2")).toEqual(['a', 'b', 'c']);
  });
});

describe('$filter: rejected with 400 QueryParameterValueFormatError', () => {
  it('syntax errors', () => {
    const bad = [
      '',
      '   ',
      'Name eq',
      'eq 1',
      "Name eq 'unterminated",
      "Name eq 'a' and",
      "(Name eq 'a'",
      "Name eq 'a')",
      '()',
      "Name eq 'a' Name",
      "Name == 'a'",
      "Name eq \"a\"",
      'Count gt 5gt',
      'Count gt 1.2.3',
      'Count gt 1.',
      'Count gt -',
      'Status/ eq 1',
      'Status//Health eq 1',
      '/Status eq 1',
      "Name EQ 'a'",
      "Name eq Health'OK'",
      "Name eq 'a' && Id eq 'b'",
      'Name eq 1 or',
      'and eq 1',
      'not',
      "Name eq 'a' not",
    ];
    for (const filter of bad) rejects(filter);
  });

  it('literals where a boolean is needed', () => {
    for (const filter of ["'abc'", '5', 'null', "not 'x'", "Name eq 'a' and 'b'", "1 or Name eq 'a'"]) rejects(filter);
  });

  it('comparisons whose literal types can never match', () => {
    for (const filter of ["'a' eq 5", 'true eq 1', "not Status/Health eq 'OK'", "(Name eq 'a') eq 'b'", 'Name gt true', 'Name le null', "null gt 'a'"]) {
      rejects(filter);
    }
  });

  it('nesting deeper than 32', () => {
    const deep = (n: number) => '('.repeat(n) + "Id eq 'a'" + ')'.repeat(n);
    expect(matching(deep(32))).toEqual(['a']);
    rejects(deep(33));
    rejects('not '.repeat(33) + 'Enabled');
    rejects('('.repeat(100_000));
  });
});

describe('$filter: AST', () => {
  it('is left-associative for and/or and keeps property paths split', () => {
    expect(parseFilter("A eq 1 or B eq 'x' or C/D ne null")).toEqual({
      kind: 'or',
      left: {
        kind: 'or',
        left: { kind: 'compare', op: 'eq', left: { kind: 'property', path: ['A'] }, right: { kind: 'literal', value: 1 } },
        right: { kind: 'compare', op: 'eq', left: { kind: 'property', path: ['B'] }, right: { kind: 'literal', value: 'x' } },
      },
      right: { kind: 'compare', op: 'ne', left: { kind: 'property', path: ['C', 'D'] }, right: { kind: 'literal', value: null } },
    });
  });

  it('accepts annotation property names', () => {
    expect(parseFilter("@odata.id eq '/redfish/v1/Systems/1'")).toMatchObject({ left: { path: ['@odata.id'] } });
  });
});
