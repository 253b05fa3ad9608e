/**
 * Types and limits shared by the Redfish query-parameter module (DSP0266 §7.3).
 *
 * Everything here is plain data so the HTTP pipeline, the resource builders and the tests can all hold a parsed
 * query without pulling in the parser.
 */

/**
 * Deepest `$levels` accepted in `$expand`. Advertised as `ProtocolFeaturesSupported.ExpandQuery.MaxLevels`, so the
 * two must never disagree.
 */
export const MAX_EXPAND_LEVELS = 6;

/**
 * A parsed `$expand`. `kind` maps the DSP0266 options: `*` is `all`, `.` is `subordinate` (hyperlinks outside any
 * `Links` object), `~` is `links` (hyperlinks inside `Links`). `levels` is 1..{@link MAX_EXPAND_LEVELS}.
 */
export interface ExpandOptions {
  kind: 'all' | 'subordinate' | 'links';
  levels: number;
}

/** The comparison operators DSP0266 lists for `$filter`. */
export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** A `$filter` literal: quoted string (or OData enum literal), number, `true`, `false` or `null`. */
export type FilterLiteral = string | number | boolean | null;

/**
 * The `$filter` syntax tree. Property paths keep their `/`-separated segments, so `Status/Health` is
 * `{ kind: 'property', path: ['Status', 'Health'] }`. Comparison operands are full expressions because OData allows
 * `(A eq 1) eq true`; the parser rejects operand combinations whose types can never match.
 */
export type FilterExpr =
  | { kind: 'or' | 'and'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; operand: FilterExpr }
  | { kind: 'compare'; op: ComparisonOp; left: FilterExpr; right: FilterExpr }
  | { kind: 'property'; path: string[] }
  | { kind: 'literal'; value: FilterLiteral };

/**
 * The query parameters of one GET, validated. A key is present only when the client sent that parameter.
 * `select` holds each requested path split on `/`, deduplicated, in request order.
 */
export interface QueryOptions {
  select?: string[][];
  expand?: ExpandOptions;
  filter?: FilterExpr;
  top?: number;
  skip?: number;
  only?: boolean;
}

/**
 * `ProtocolFeaturesSupported` for the service root, matching what this module parses. It is only truthful once the
 * pipeline applies every parsed option (`only`, `$top`/`$skip` paging included); `excerpt` is not implemented.
 */
export const QUERY_FEATURES_SUPPORTED = {
  ExcerptQuery: false,
  ExpandQuery: { ExpandAll: true, Levels: true, Links: true, NoLinks: true, MaxLevels: MAX_EXPAND_LEVELS },
  FilterQuery: true,
  FilterQueryComparisonOperations: true,
  FilterQueryCompoundOperations: true,
  OnlyMemberQuery: true,
  SelectQuery: true,
  TopSkipQuery: true,
} as const;
