/**
 * Checks against the generated schema facts (`allow-lists.ts`, `schema-enums.ts`): is a value one of an enum's
 * members, which properties a component kind or nested definition has, and whether a value has a property's JSON type,
 * enum and pattern. Parsed once, on first use.
 */
import type { ComponentKind } from '../../model/inventory.js';
import { DEFS, PROPERTY_SHAPES } from './allow-lists.js';
import { ENUMS, PATTERNS } from './schema-enums.js';
import { show } from './show.js';

/** One property's allowed shape. `def` is a nested definition in `DEFS`, or `@link` for a resource reference. */
export interface PropertyShape {
  codes: string;
  itemCodes?: string;
  enumName?: string;
  def?: string;
  pattern?: RegExp;
}

const enumSets = new Map<string, ReadonlySet<string>>();
const parsed = new Map<string, ReadonlyMap<string, PropertyShape>>();

/** Whether `value` is a member of the DMTF enum `name` (`Namespace.Definition`, as in `ENUMS`). */
export function inEnum(name: string, value: unknown): value is string {
  let set = enumSets.get(name);
  if (!set) {
    const text = ENUMS[name];
    if (text === undefined) throw new Error(`no enum ${name} in schema-enums.ts`);
    set = new Set(text.split(' '));
    enumSets.set(name, set);
  }
  return typeof value === 'string' && set.has(value);
}

const TOKEN = /^([^:]+):([a-z]+)(?:>([a-z]+))?(?:~([^=]+))?(?:=(.+))?$/;

function parse(owner: string, text: string): ReadonlyMap<string, PropertyShape> {
  const m = new Map<string, PropertyShape>();
  for (const token of text.split(' ')) {
    if (!token) continue;
    const match = TOKEN.exec(token);
    if (!match) throw new Error(`bad shape token ${token}`);
    const [, name, codes, itemCodes, enumName, def] = match as unknown as [string, string, string, string?, string?, string?];
    const pattern = PATTERNS[`${owner}.${name}`];
    m.set(name, { codes, ...(itemCodes ? { itemCodes } : {}), ...(enumName ? { enumName } : {}), ...(def ? { def } : {}), ...(pattern ? { pattern: new RegExp(pattern) } : {}) });
  }
  return m;
}

/** The properties a component kind, or a nested definition (`Sensor.Thresholds`), may carry. */
export function shapesOf(owner: ComponentKind | string): ReadonlyMap<string, PropertyShape> {
  let m = parsed.get(owner);
  if (!m) {
    const text = (PROPERTY_SHAPES as Record<string, string>)[owner] ?? DEFS[owner];
    if (text === undefined) throw new Error(`no shapes for ${owner} in allow-lists.ts`);
    m = parse(owner, text);
    parsed.set(owner, m);
  }
  return m;
}

/** RFC 3339 date-time, which the schemas' `date-time` format requires (an offset is mandatory). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Whether a value is a date-time the schemas accept. */
export const isDateTime = (v: unknown): v is string => typeof v === 'string' && DATE_TIME.test(v) && !Number.isNaN(Date.parse(v));

const UUID = new RegExp(PATTERNS['Resource.UUID']!);
/** Whether a value matches Resource.UUID's pattern. */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

/** Whether one value has one of the JSON types in `codes` and, for strings, the enum and pattern. */
export function matchesCodes(v: unknown, codes: string, enumName?: string, pattern?: RegExp): boolean {
  if (v === null) return codes.includes('z');
  switch (typeof v) {
    case 'string':
      if (!codes.includes('s') && !(codes.includes('t') && isDateTime(v))) return false;
      if (enumName && !inEnum(enumName, v)) return false;
      return !pattern || pattern.test(v);
    case 'number':
      return Number.isFinite(v) && (codes.includes('n') || (codes.includes('i') && Number.isInteger(v)));
    case 'boolean':
      return codes.includes('b');
    case 'object':
      return Array.isArray(v) ? codes.includes('a') : codes.includes('o');
    default:
      return false;
  }
}

const NAMES: Record<string, string> = { s: 'string', t: 'date-time', n: 'number', i: 'integer', b: 'boolean', a: 'array', o: 'object', z: 'null' };

/** `expected integer or null from Enum, got "x"`, for notes. */
export function mismatch(v: unknown, codes: string, enumName?: string): string {
  return `expected ${[...codes].map((c) => NAMES[c] ?? c).join(' or ')}${enumName ? ` from ${enumName}` : ''}, got ${show(v)}`;
}
