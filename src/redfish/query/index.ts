/**
 * Redfish query parameters (DSP0266 §7.3): parse them, then apply them in the order DSP0266 gives — `$filter`,
 * `$skip`, `$top`, then `$expand`, then `$select`. Pure functions; the HTTP pipeline owns paging and `only`.
 */
export { parseQuery } from './parse.js';
export { parseFilter, evaluateFilter } from './filter.js';
export { applySelect } from './select.js';
export { expandResource, DEFAULT_MAX_EXPANDED, type ExpandLimits } from './expand.js';
export {
  MAX_EXPAND_LEVELS,
  QUERY_FEATURES_SUPPORTED,
  type ComparisonOp,
  type ExpandOptions,
  type FilterExpr,
  type FilterLiteral,
  type QueryOptions,
} from './types.js';
