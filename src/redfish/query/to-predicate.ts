/**
 * `$filter` as a store predicate, so a fleet collection is filtered inside the store instead of by reading every
 * member. The translation keeps {@link evaluateFilter}'s meaning exactly; where the two could disagree it gives up
 * and the pipeline evaluates the filter itself, which is slower but never different.
 *
 * What needs care:
 * - `ne` with a value: the evaluator is false when the property has another type (`Count ne 'x'` on a number), the
 *   store's `not eq` would be true. So `P ne v` becomes `P eq null or P lt v or P gt v` (booleans: `P eq !v`).
 * - Strings that look like date-times: the evaluator orders them as instants, the store by bytes. Ordering on one is
 *   not pushed down; neither is equality, since `...Z` and `...+00:00` name the same instant.
 * - A bare boolean property is `P eq true`; anything the store has no form for (a comparison of two properties, of a
 *   comparison, of literals only) is not pushed down.
 */
import type { Predicate, PredicateValue } from '../../inventory/resource-store.js';
import type { ComparisonOp, FilterExpr, FilterLiteral } from './types.js';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const FLIP: Record<ComparisonOp, ComparisonOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };

/** The predicate `expr` means, or undefined when the store cannot evaluate it with the same meaning. */
export function toPredicate(expr: FilterExpr): Predicate | undefined {
  switch (expr.kind) {
    case 'and':
    case 'or': {
      const l = toPredicate(expr.left);
      const r = l && toPredicate(expr.right);
      return r ? { op: expr.kind, args: [l!, r] } : undefined;
    }
    case 'not': {
      // `not` of a non-boolean property is unknown to the evaluator, never true: only comparisons negate cleanly.
      if (expr.operand.kind === 'property') return { op: 'eq', path: expr.operand.path, value: false };
      const inner = toPredicate(expr.operand);
      return inner ? { op: 'not', arg: inner } : undefined;
    }
    case 'property':
      return { op: 'eq', path: expr.path, value: true };
    case 'literal':
      return undefined;
    case 'compare':
      return comparison(expr.op, expr.left, expr.right);
  }
}

function comparison(op: ComparisonOp, left: FilterExpr, right: FilterExpr): Predicate | undefined {
  let path: string[];
  let value: FilterLiteral;
  if (left.kind === 'property' && right.kind === 'literal') {
    path = left.path;
    value = right.value;
  } else if (left.kind === 'literal' && right.kind === 'property') {
    path = right.path;
    value = left.value;
    op = FLIP[op];
  } else return undefined;
  if (typeof value === 'string' && DATE_TIME.test(value)) return undefined;
  // Past U+E000 UTF-16 order (the evaluator's) and UTF-8 byte order (SQLite's) disagree.
  if (typeof value === 'string' && op !== 'eq' && /[\uD800-\uFFFF]/.test(value)) return undefined;
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  if (value === null) {
    if (op === 'eq') return { op: 'eq', path, value: null };
    if (op === 'ne') return { op: 'not', arg: { op: 'eq', path, value: null } };
    return { op: 'or', args: [] }; // null is never ordered
  }
  if (op === 'ne') {
    if (typeof value === 'boolean') return { op: 'or', args: [{ op: 'eq', path, value: null }, { op: 'eq', path, value: !value }] };
    return { op: 'or', args: [{ op: 'eq', path, value: null }, { op: 'lt', path, value }, { op: 'gt', path, value }] };
  }
  if (typeof value === 'boolean' && op !== 'eq') return { op: 'or', args: [] };
  return { op, path, value: value as PredicateValue };
}
