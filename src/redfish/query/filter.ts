/**
 * `$filter` (DSP0266 §7.3, "The $filter query parameter"): lexer, recursive-descent parser, static type check and
 * evaluator.
 *
 * Precedence is the one DSP0266 prescribes, tightest first: grouping, `not`, relational (`gt ge lt le`), equality
 * (`eq ne`), `and`, `or`. Note that this makes `not A eq 'x'` mean `(not A) eq 'x'`; the type check rejects it because
 * a boolean never equals a string, so the client learns to write `not (A eq 'x')` instead of getting silently empty
 * results.
 */
import { RedfishError } from '../errors.js';
import type { ComparisonOp, FilterExpr, FilterLiteral } from './types.js';

type Token = { t: '(' } | { t: ')' } | { t: 'word'; v: string } | { t: 'literal'; v: FilterLiteral };

/** Parentheses and `not` nest at most this deep, so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 32;

const WHITESPACE = /\s+/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// A word is a keyword or a property path; '@', '#' and '.' appear in annotation names such as @odata.id.
const WORD = /[A-Za-z_@#][A-Za-z0-9_@#./]*/y;
const SEGMENT = /^[A-Za-z_@#][A-Za-z0-9_@#.]*$/;
const WORD_CHAR = /[A-Za-z0-9_@#.]/;

const EQUALITY: ReadonlySet<string> = new Set(['eq', 'ne']);
const RELATIONAL: ReadonlySet<string> = new Set(['gt', 'ge', 'lt', 'le']);
const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', ...EQUALITY, ...RELATIONAL]);
const CONSTANTS = new Map<string, FilterLiteral>([['true', true], ['false', false], ['null', null]]);

/**
 * Parses a `$filter` value into a {@link FilterExpr}.
 * @throws RedfishError 400 `QueryParameterValueFormatError` with args `[text, '$filter']` on any syntax or type error.
 */
export function parseFilter(text: string): FilterExpr {
  const fail = (): never => {
    throw RedfishError.of(400, 'QueryParameterValueFormatError', [text, '$filter']);
  };
  const parser = new Parser(tokenize(text, fail), fail);
  const expr = parser.parseOr();
  if (!parser.atEnd()) fail();
  const type = typeOf(expr, fail);
  if (type !== 'boolean' && type !== 'unknown') fail();
  return expr;
}

function tokenize(text: string, fail: () => never): Token[] {
  const tokens: Token[] = [];
  const match = (re: RegExp, at: number): string | undefined => {
    re.lastIndex = at;
    return re.exec(text)?.[0];
  };
  let i = 0;
  while (i < text.length) {
    const ws = match(WHITESPACE, i);
    if (ws) {
      i += ws.length;
      continue;
    }
    const c = text[i];
    if (c === '(' || c === ')') {
      tokens.push({ t: c });
      i++;
      continue;
    }
    if (c === "'") {
      const [value, next] = readString(text, i, fail);
      tokens.push({ t: 'literal', v: value });
      i = next;
      continue;
    }
    const num = match(NUMBER, i);
    if (num) {
      i += num.length;
      // "5gt" or "1.2.3" is a typo, not a number followed by something.
      if (i < text.length && WORD_CHAR.test(text[i]!)) fail();
      tokens.push({ t: 'literal', v: Number(num) });
      continue;
    }
    const word = match(WORD, i);
    if (!word) return fail();
    i += word.length;
    // An OData enum literal such as Resource.Health'OK' means its member name: drop the qualifier and let the next
    // turn read the quoted part as a string.
    const enumQualifier = text[i] === "'" && word.includes('.') && !word.includes('/');
    if (!enumQualifier) tokens.push({ t: 'word', v: word });
  }
  return tokens;
}

/** Reads a single-quoted string starting at `start`; a doubled quote is one literal quote, as in OData. */
function readString(text: string, start: number, fail: () => never): [string, number] {
  let value = '';
  let i = start + 1;
  for (;;) {
    const end = text.indexOf("'", i);
    if (end < 0) return fail();
    value += text.slice(i, end);
    if (text[end + 1] !== "'") return [value, end + 1];
    value += "'";
    i = end + 2;
  }
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly fail: () => never,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  parseOr(): FilterExpr {
    let left = this.parseAnd();
    while (this.acceptWord('or')) left = { kind: 'or', left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): FilterExpr {
    let left = this.parseEquality();
    while (this.acceptWord('and')) left = { kind: 'and', left, right: this.parseEquality() };
    return left;
  }

  private parseEquality(): FilterExpr {
    return this.parseComparisons(EQUALITY, () => this.parseRelational());
  }

  private parseRelational(): FilterExpr {
    return this.parseComparisons(RELATIONAL, () => this.parseUnary());
  }

  /** One precedence level of left-associative comparisons: `operand (op operand)*`. */
  private parseComparisons(ops: ReadonlySet<string>, operand: () => FilterExpr): FilterExpr {
    let left = operand();
    for (let op = this.acceptOp(ops); op; op = this.acceptOp(ops)) left = { kind: 'compare', op, left, right: operand() };
    return left;
  }

  private parseUnary(): FilterExpr {
    if (!this.acceptWord('not')) return this.parsePrimary();
    this.enter();
    const operand = this.parseUnary();
    this.depth--;
    return { kind: 'not', operand };
  }

  private parsePrimary(): FilterExpr {
    const token = this.tokens[this.pos++] ?? this.fail();
    if (token.t === 'literal') return { kind: 'literal', value: token.v };
    if (token.t === '(') {
      this.enter();
      const inner = this.parseOr();
      if (this.tokens[this.pos++]?.t !== ')') this.fail();
      this.depth--;
      return inner;
    }
    if (token.t === ')') return this.fail();
    const constant = CONSTANTS.get(token.v);
    if (constant !== undefined) return { kind: 'literal', value: constant };
    if (KEYWORDS.has(token.v)) return this.fail();
    const path = token.v.split('/');
    if (!path.every((s) => SEGMENT.test(s))) this.fail();
    return { kind: 'property', path };
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail();
  }

  private acceptWord(word: string): boolean {
    const token = this.tokens[this.pos];
    if (token?.t !== 'word' || token.v !== word) return false;
    this.pos++;
    return true;
  }

  private acceptOp(ops: ReadonlySet<string>): ComparisonOp | undefined {
    const token = this.tokens[this.pos];
    if (token?.t !== 'word' || !ops.has(token.v)) return undefined;
    this.pos++;
    return token.v as ComparisonOp;
  }
}

type StaticType = 'boolean' | 'string' | 'number' | 'null' | 'unknown';

/**
 * Infers what an expression yields and rejects combinations that could never be true whatever the data says
 * (`'a' eq 5`, `not 'x'`, `true gt false`). Property values are only known at evaluation time, so they are 'unknown'.
 */
function typeOf(expr: FilterExpr, fail: () => never): StaticType {
  switch (expr.kind) {
    case 'literal':
      return expr.value === null ? 'null' : (typeof expr.value as 'string' | 'number' | 'boolean');
    case 'property':
      return 'unknown';
    case 'not':
      return requireBoolean(typeOf(expr.operand, fail), fail);
    case 'and':
    case 'or':
      requireBoolean(typeOf(expr.left, fail), fail);
      return requireBoolean(typeOf(expr.right, fail), fail);
    case 'compare': {
      const left = typeOf(expr.left, fail);
      const right = typeOf(expr.right, fail);
      if (RELATIONAL.has(expr.op) && [left, right].some((t) => t === 'boolean' || t === 'null')) fail();
      const known = left !== 'unknown' && right !== 'unknown' && left !== 'null' && right !== 'null';
      if (known && left !== right) fail();
      return 'boolean';
    }
  }
}

function requireBoolean(type: StaticType, fail: () => never): 'boolean' {
  if (type !== 'boolean' && type !== 'unknown') fail();
  return 'boolean';
}

/** Stands for an object or array value: present, but not comparable with any literal. */
const OPAQUE = Symbol('opaque');
type Value = FilterLiteral | typeof OPAQUE;

/**
 * True if `member` (a resource's JSON) satisfies `expr`. A missing property is `null`, so `X eq null` matches members
 * without X. Comparisons between different types, or with objects and arrays, are false rather than errors, because
 * members of one collection legitimately differ in shape. Strings order by UTF-16 code unit, except that two ISO 8601
 * date-times with offsets compare as instants.
 */
export function evaluateFilter(expr: FilterExpr, member: unknown): boolean {
  return valueOf(expr, member) === true;
}

function valueOf(expr: FilterExpr, member: unknown): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'property':
      return lookup(member, expr.path);
    case 'not': {
      const v = valueOf(expr.operand, member);
      // not of a non-boolean is unknown; unknown never satisfies the filter.
      return typeof v === 'boolean' ? !v : null;
    }
    case 'and':
      return valueOf(expr.left, member) === true && valueOf(expr.right, member) === true;
    case 'or':
      return valueOf(expr.left, member) === true || valueOf(expr.right, member) === true;
    case 'compare':
      return compare(expr.op, valueOf(expr.left, member), valueOf(expr.right, member));
  }
}

function lookup(member: unknown, path: string[]): Value {
  let current: unknown = member;
  for (const segment of path) {
    // Own properties only: a filter on "constructor" must not reach Object.prototype.
    if (!isRecord(current) || !Object.hasOwn(current, segment)) return null;
    current = current[segment];
  }
  if (current === null || ['string', 'number', 'boolean'].includes(typeof current)) return current as FilterLiteral;
  return OPAQUE;
}

function compare(op: ComparisonOp, a: Value, b: Value): boolean {
  if (a === OPAQUE || b === OPAQUE) return false;
  // null equals only null and is never ordered.
  if (a === null || b === null) return op === 'eq' ? a === b : op === 'ne' ? a !== b : false;
  if (typeof a !== typeof b) return false;
  if (typeof a === 'boolean' && op !== 'eq' && op !== 'ne') return false;
  const order = typeof a === 'string' ? compareStrings(a, b as string) : compareScalars(a, b as number | boolean);
  return ORDER_MEANS[op](order);
}

/** What each operator requires of a three-way comparison result. */
const ORDER_MEANS: Record<ComparisonOp, (order: number) => boolean> = {
  eq: (o) => o === 0,
  ne: (o) => o !== 0,
  gt: (o) => o > 0,
  ge: (o) => o >= 0,
  lt: (o) => o < 0,
  le: (o) => o <= 0,
};

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

function compareStrings(a: string, b: string): number {
  if (DATE_TIME.test(a) && DATE_TIME.test(b)) {
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (!Number.isNaN(ta) && !Number.isNaN(tb)) return compareScalars(ta, tb);
  }
  return compareScalars(a, b);
}

function compareScalars<T extends string | number | boolean>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
