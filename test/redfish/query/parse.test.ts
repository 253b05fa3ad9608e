import { describe, it, expect } from 'vitest';
import { RedfishError } from '../../../src/redfish/errors.js';
import { MAX_EXPAND_LEVELS, parseQuery } from '../../../src/redfish/query/index.js';

type Query = Record<string, string | string[] | undefined>;

/** Runs parseQuery expecting a RedfishError; returns [status, MessageId without registry prefix, MessageArgs]. */
function failure(query: Query): [number, string, string[]] {
  try {
    parseQuery(query);
  } catch (e) {
    expect(e).toBeInstanceOf(RedfishError);
    const err = e as RedfishError;
    const first = err.messages[0]!;
    return [err.status, first.MessageId.replace(/^Base\.1\.\d+\./, ''), first.MessageArgs];
  }
  throw new Error(`parseQuery accepted ${JSON.stringify(query)}`);
}

describe('parseQuery: parameters', () => {
  it('returns no options for an empty query', () => {
    expect(parseQuery({})).toEqual({});
  });

  it('ignores unknown parameters without $, including excerpt and undefined values', () => {
    expect(parseQuery({ rpvunknown: '', excerpt: '', foo: ['1', '2'], $top: undefined })).toEqual({});
  });

  it('answers every unsupported $ parameter with 501 QueryParameterUnsupported', () => {
    for (const key of ['$count', '$orderby', '$apply', '$excerpt', '$rpvunknown', '$Select', '$']) {
      expect(failure({ [key]: '1' })).toEqual([501, 'QueryParameterUnsupported', [key]]);
    }
  });

  it('lists each unsupported $ parameter in its own message', () => {
    try {
      parseQuery({ $count: 'true', $orderby: 'Name', $top: '1' });
      expect.unreachable();
    } catch (e) {
      const err = e as RedfishError;
      expect(err.status).toBe(501);
      expect(err.messages.map((m) => m.MessageArgs)).toEqual([['$count'], ['$orderby']]);
      expect(err.messages[0]!.Message).toBe("Query parameter '$count' is not supported.");
    }
  });

  it('reports 501 before any other fault', () => {
    expect(failure({ $count: 'x', only: 'x', $top: ['1', '2'] })[0]).toBe(501);
  });

  it('rejects a repeated parameter with 400 QueryCombinationInvalid', () => {
    expect(failure({ $top: ['1', '2'] })).toEqual([400, 'QueryCombinationInvalid', []]);
    expect(failure({ only: ['', ''] })).toEqual([400, 'QueryCombinationInvalid', []]);
  });

  it('treats a one-element array like a plain value and an empty array as absent', () => {
    expect(parseQuery({ $top: ['3'], $skip: [] })).toEqual({ top: 3 });
  });

  it('combines $select, $expand, $filter, $top and $skip', () => {
    const q = parseQuery({
      $select: 'Name,Status/Health',
      $expand: '.',
      $filter: "Name eq 'a'",
      $top: '2',
      $skip: '4',
    });
    expect(q).toEqual({
      select: [['Name'], ['Status', 'Health']],
      expand: { kind: 'subordinate', levels: 1 },
      filter: {
        kind: 'compare',
        op: 'eq',
        left: { kind: 'property', path: ['Name'] },
        right: { kind: 'literal', value: 'a' },
      },
      top: 2,
      skip: 4,
    });
  });
});

describe('parseQuery: only', () => {
  it('accepts only without a value', () => {
    expect(parseQuery({ only: '' })).toEqual({ only: true });
  });

  it('still allows ignored parameters next to only', () => {
    expect(parseQuery({ only: '', excerpt: '', foo: 'bar' })).toEqual({ only: true });
  });

  it('rejects a value on only with 400 QueryParameterValueFormatError', () => {
    expect(failure({ only: 'foo' })).toEqual([400, 'QueryParameterValueFormatError', ['foo', 'only']]);
  });

  it('rejects only with any other supported parameter with 400 QueryCombinationInvalid', () => {
    for (const other of ['$select', '$expand', '$filter', '$top', '$skip']) {
      expect(failure({ only: '', [other]: '1' })).toEqual([400, 'QueryCombinationInvalid', []]);
    }
  });
});

describe('parseQuery: $select', () => {
  it('splits paths on commas and slashes, trims spaces and drops repeats', () => {
    expect(parseQuery({ $select: 'Name, Status/Health,Name' }).select).toEqual([['Name'], ['Status', 'Health']]);
  });

  it('accepts annotation and OEM-style names', () => {
    expect(parseQuery({ $select: '@odata.etag,Members@odata.count,Oem/Contoso_X' }).select).toEqual([
      ['@odata.etag'],
      ['Members@odata.count'],
      ['Oem', 'Contoso_X'],
    ]);
  });

  it('rejects empty or malformed lists with 400 QueryParameterValueFormatError', () => {
    for (const bad of ['', ' ', 'Name,', ',Name', 'Name,,Id', 'Status/', '/Status', 'Status//Health', '*', 'Na me', '1Name', 'Name;Id']) {
      expect(failure({ $select: bad })).toEqual([400, 'QueryParameterValueFormatError', [bad, '$select']]);
    }
  });
});

describe('parseQuery: $expand', () => {
  it('maps *, . and ~ with a default of one level', () => {
    expect(parseQuery({ $expand: '*' }).expand).toEqual({ kind: 'all', levels: 1 });
    expect(parseQuery({ $expand: '.' }).expand).toEqual({ kind: 'subordinate', levels: 1 });
    expect(parseQuery({ $expand: '~' }).expand).toEqual({ kind: 'links', levels: 1 });
  });

  it('reads $levels from 1 to MAX_EXPAND_LEVELS', () => {
    expect(MAX_EXPAND_LEVELS).toBe(6);
    expect(parseQuery({ $expand: '.($levels=1)' }).expand).toEqual({ kind: 'subordinate', levels: 1 });
    expect(parseQuery({ $expand: '*($levels=6)' }).expand).toEqual({ kind: 'all', levels: 6 });
    expect(parseQuery({ $expand: '~($levels=03)' }).expand).toEqual({ kind: 'links', levels: 3 });
  });

  it('rejects $levels outside 1..6 with 400 QueryParameterOutOfRange', () => {
    for (const bad of ['*($levels=0)', '.($levels=7)', '~($levels=-1)', '*($levels=99999999999999999999)']) {
      expect(failure({ $expand: bad })).toEqual([400, 'QueryParameterOutOfRange', [bad, '$expand', '1-6']]);
    }
  });

  it('rejects anything else with 400 QueryParameterValueFormatError', () => {
    const bad = ['', 'Members', '**', '*($levels=)', '*($levels=a)', '*($levels=1', '*($levels=1.5)', '*($LEVELS=2)', ' *', '*()', '.($levels=2)x'];
    for (const value of bad) {
      expect(failure({ $expand: value })).toEqual([400, 'QueryParameterValueFormatError', [value, '$expand']]);
    }
  });

  it('may be combined with $select', () => {
    expect(parseQuery({ $select: 'UUID', $expand: '.($levels=1)' })).toEqual({
      select: [['UUID']],
      expand: { kind: 'subordinate', levels: 1 },
    });
  });
});

describe('parseQuery: $top and $skip', () => {
  it('reads non-negative integers, $top from 1 and $skip from 0', () => {
    expect(parseQuery({ $top: '1', $skip: '0' })).toEqual({ top: 1, skip: 0 });
    expect(parseQuery({ $top: '0030', $skip: '-0' })).toEqual({ top: 30, skip: 0 });
    expect(Object.is(parseQuery({ $skip: '-0' }).skip, 0)).toBe(true);
    expect(parseQuery({ $top: String(Number.MAX_SAFE_INTEGER) }).top).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects non-integers with 400 QueryParameterValueTypeError', () => {
    for (const name of ['$top', '$skip']) {
      for (const bad of ['', 'abc', '1.5', '1e3', '+5', ' 5', '5 ', '0x10', '--1']) {
        expect(failure({ [name]: bad })).toEqual([400, 'QueryParameterValueTypeError', [bad, name]]);
      }
    }
  });

  it('rejects negative $skip with 400 QueryParameterOutOfRange', () => {
    expect(failure({ $skip: '-1' })).toEqual([400, 'QueryParameterOutOfRange', ['-1', '$skip', '0-9007199254740991']]);
  });

  it('rejects $top below 1 with 400 QueryParameterOutOfRange', () => {
    expect(failure({ $top: '0' })).toEqual([400, 'QueryParameterOutOfRange', ['0', '$top', '1-9007199254740991']]);
    expect(failure({ $top: '-3' })).toEqual([400, 'QueryParameterOutOfRange', ['-3', '$top', '1-9007199254740991']]);
  });

  it('rejects values beyond the safe integer range with 400 QueryParameterOutOfRange', () => {
    const huge = '9007199254740992';
    expect(failure({ $skip: huge })).toEqual([400, 'QueryParameterOutOfRange', [huge, '$skip', '0-9007199254740991']]);
  });
});

describe('parseQuery: $filter', () => {
  it('parses the expression into an AST', () => {
    expect(parseQuery({ $filter: 'Count gt 2' }).filter).toEqual({
      kind: 'compare',
      op: 'gt',
      left: { kind: 'property', path: ['Count'] },
      right: { kind: 'literal', value: 2 },
    });
  });

  it('rejects a malformed filter with 400 QueryParameterValueFormatError naming $filter', () => {
    expect(failure({ $filter: 'Name eq' })).toEqual([400, 'QueryParameterValueFormatError', ['Name eq', '$filter']]);
    expect(failure({ $filter: '' })).toEqual([400, 'QueryParameterValueFormatError', ['', '$filter']]);
  });
});
