/**
 * Validation of a request's query parameters (DSP0266 §7.3) into {@link QueryOptions}.
 *
 * Checks run in a fixed order so a request with several faults always gets the same answer:
 * 1. unsupported `$` parameters (501), 2. repeated parameters (400), 3. `only` with anything else (400),
 * 4. each value, in the order `$select`, `$expand`, `$filter`, `$top`, `$skip`, `only` (400).
 */
import { baseMessage, RedfishError } from '../errors.js';
import { parseFilter } from './filter.js';
import { MAX_EXPAND_LEVELS, type ExpandOptions, type QueryOptions } from './types.js';

const SUPPORTED: ReadonlySet<string> = new Set(['$select', '$expand', '$filter', '$top', '$skip', 'only']);

const SELECT_SEGMENT = /^[A-Za-z_@#][A-Za-z0-9_@#.]*$/;
const EXPAND = /^([*.~])(?:\(\$levels=(-?\d+)\))?$/;
const EXPAND_KINDS = { '*': 'all', '.': 'subordinate', '~': 'links' } as const;
const INTEGER = /^-?\d+$/;

/**
 * Parses fastify's query object (a repeated key arrives as an array).
 *
 * Parameters without a leading `$` other than `only` are ignored, as DSP0266 requires for unknown ones; that includes
 * `excerpt`, which Shoal does not implement. Whether a parameter suits the target resource (for example `$top` on a
 * singleton, which DSP0266 answers with `QueryNotSupportedOnResource`) is for the caller to decide.
 *
 * @throws RedfishError 501 `QueryParameterUnsupported` (one message per unsupported `$` parameter), or 400 with
 *   `QueryCombinationInvalid`, `QueryParameterValueFormatError`, `QueryParameterValueTypeError` or
 *   `QueryParameterOutOfRange`; see README.md for which input gives which.
 */
export function parseQuery(query: Record<string, string | string[] | undefined>): QueryOptions {
  const params = new Map<string, string[]>();
  for (const [key, raw] of Object.entries(query)) {
    if (raw === undefined || (!key.startsWith('$') && key !== 'only')) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length > 0) params.set(key, values);
  }

  const unsupported = [...params.keys()].filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) {
    throw new RedfishError(501, unsupported.map((key) => baseMessage('QueryParameterUnsupported', [key])));
  }
  // OData (Part 2 §5.1) forbids repeating a system query option; which copy wins would otherwise be a guess.
  if ([...params.values()].some((values) => values.length > 1)) {
    throw RedfishError.of(400, 'QueryCombinationInvalid');
  }
  if (params.has('only') && params.size > 1) throw RedfishError.of(400, 'QueryCombinationInvalid');

  const value = (key: string): string | undefined => params.get(key)?.[0];
  const options: QueryOptions = {};
  const select = value('$select');
  if (select !== undefined) options.select = parseSelect(select);
  const expand = value('$expand');
  if (expand !== undefined) options.expand = parseExpand(expand);
  const filter = value('$filter');
  if (filter !== undefined) options.filter = parseFilter(filter);
  const top = value('$top');
  // DSP0266's table gives $top a minimum of 1; $skip may be 0.
  if (top !== undefined) options.top = parseCount(top, '$top', 1);
  const skip = value('$skip');
  if (skip !== undefined) options.skip = parseCount(skip, '$skip', 0);
  const only = value('only');
  if (only !== undefined) {
    // DSP0266 defines no value for `only`; `?only` and `?only=` both arrive as ''.
    if (only !== '') throw RedfishError.of(400, 'QueryParameterValueFormatError', [only, 'only']);
    options.only = true;
  }
  return options;
}

/** `Name,Status/Health` becomes `[['Name'], ['Status', 'Health']]`; repeats are dropped. */
function parseSelect(raw: string): string[][] {
  const paths: string[][] = [];
  const seen = new Set<string>();
  for (const item of raw.split(',')) {
    const text = item.trim();
    const segments = text.split('/');
    if (!segments.every((s) => SELECT_SEGMENT.test(s))) {
      throw RedfishError.of(400, 'QueryParameterValueFormatError', [raw, '$select']);
    }
    if (seen.has(text)) continue;
    seen.add(text);
    paths.push(segments);
  }
  return paths;
}

function parseExpand(raw: string): ExpandOptions {
  const match = EXPAND.exec(raw);
  if (!match) throw RedfishError.of(400, 'QueryParameterValueFormatError', [raw, '$expand']);
  const levels = match[2] === undefined ? 1 : Number(match[2]);
  if (levels < 1 || levels > MAX_EXPAND_LEVELS) {
    throw RedfishError.of(400, 'QueryParameterOutOfRange', [raw, '$expand', `1-${MAX_EXPAND_LEVELS}`]);
  }
  return { kind: EXPAND_KINDS[match[1] as keyof typeof EXPAND_KINDS], levels };
}

function parseCount(raw: string, name: '$top' | '$skip', min: number): number {
  if (!INTEGER.test(raw)) throw RedfishError.of(400, 'QueryParameterValueTypeError', [raw, name]);
  // Adding 0 turns "-0" into 0 rather than -0.
  const n = Number(raw) + 0;
  if (n < min || n > Number.MAX_SAFE_INTEGER) {
    throw RedfishError.of(400, 'QueryParameterOutOfRange', [raw, name, `${min}-${Number.MAX_SAFE_INTEGER}`]);
  }
  return n;
}
