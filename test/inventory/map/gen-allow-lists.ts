/**
 * Generates `src/inventory/map/allow-lists.ts` and `src/inventory/map/schema-enums.ts` from the DMTF JSON Schemas in
 * the shared bundle:
 *
 *   npx tsx test/inventory/map/gen-allow-lists.ts
 *
 * The mapper cannot read the bundle at run time (it is not shipped with the gateway), so it carries a static copy of
 * what it needs to keep a device's `properties` bag schema-valid: each component type's properties with their JSON
 * types, the object definitions they nest (recursively), and the enum values and patterns strings must match.
 * `allow-lists.test.ts` renders both files again and fails on any difference, so the copy cannot drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GATEWAY_OWNED, MAP_TYPES, splitType } from '../../../src/inventory/map/odata-types.js';
import { sharedDir } from '../../support/shared-dir.js';

const DMTF = 'http://redfish.dmtf.org/schemas/v1/';
const OUT_DIR = resolve(import.meta.dirname, '../../../src/inventory/map');
/** The generated files. */
export const OUTPUTS = { shapes: join(OUT_DIR, 'allow-lists.ts'), enums: join(OUT_DIR, 'schema-enums.ts') };

/** Component kinds whose `properties` bag is copied (ComponentKind in src/model/inventory.ts). */
export const BAG_KINDS = ['Processor', 'Memory', 'Storage', 'Drive', 'NetworkAdapter', 'NetworkDeviceFunction', 'PCIeDevice', 'AccelerationFunction', 'Sensor'] as const;

/** Enums the mapper checks on the typed fields of systems, chassis and managers: [file namespace, definition]. */
export const EXTRA_ENUMS: [string, string][] = [
  ['Resource', 'State'],
  ['Resource', 'Health'],
  ['Resource', 'PowerState'],
  ['Resource', 'ResetType'],
  ['ComputerSystem', 'SystemType'],
  ['ComputerSystem', 'BootProgressTypes'],
  ['ComputerSystem', 'LastResetCauses'],
  ['ComputerSystem', 'BootSource'],
  ['ComputerSystem', 'BootSourceOverrideEnabled'],
  ['ComputerSystem', 'BootSourceOverrideMode'],
  ['Chassis', 'ChassisType'],
  ['Manager', 'ManagerType'],
];

type Json = Record<string, any>;
interface Shape {
  types: Set<string>;
  enumName?: string;
  pattern?: string;
  /** Object definition (`Ns.Def`), or `@link` for a reference to a resource. */
  def?: string;
  items?: Shape;
}

const TYPE_CODE: Record<string, string> = { string: 's', number: 'n', integer: 'i', boolean: 'b', object: 'o', array: 'a', null: 'z' };
const CODE_ORDER = 'stnibaoz';
const isIdRef = (b: Json) => typeof b.$ref === 'string' && b.$ref.endsWith('odata-v4.json#/definitions/idRef');

class SchemaReader {
  private files = new Map<string, Json>();
  readonly enums = new Map<string, string[]>();
  readonly patterns = new Map<string, string>();
  /** Nested object definitions reached from the bags, rendered as shape tokens. */
  readonly defs = new Map<string, string[]>();
  private chosen = new Map<string, string>();

  constructor(private dir: string) {
    for (const t of Object.values(MAP_TYPES)) {
      const { namespace, version } = splitType(t);
      this.chosen.set(namespace, `${namespace}.${version}.json`);
    }
  }

  file(name: string): Json {
    let f = this.files.get(name);
    if (!f) {
      f = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as Json;
      this.files.set(name, f);
    }
    return f;
  }

  /** An unversioned definition resolves to the chosen version, or the newest one, as the test validator does. */
  private resolveDef(fileName: string, def: string): { fileName: string; def: string; node: Json } {
    const node = this.file(fileName).definitions?.[def] as Json | undefined;
    if (!node) throw new Error(`${fileName}#/definitions/${def} not found`);
    const versioned = Array.isArray(node.anyOf) ? (node.anyOf as Json[]).filter((b) => /\.v\d+_\d+_\d+\.json#/.test(b.$ref ?? '')) : [];
    if (versioned.length === 0) return { fileName, def, node };
    const ns = fileName.replace(/\.json$/, '');
    const pick = versioned.find((b) => b.$ref.startsWith(DMTF + (this.chosen.get(ns) ?? '#'))) ?? versioned.reduce((a, b) => (verKey(b.$ref) > verKey(a.$ref) ? b : a));
    const [f, d] = splitRef(pick.$ref, fileName);
    return this.resolveDef(f, d);
  }

  shape(node: Json, fileName: string): Shape {
    if (typeof node.$ref === 'string') {
      // Swordfish is not in DSP8010; its references are links to resources Shoal never serves.
      if (node.$ref.includes('/schemas/swordfish/') || isIdRef(node)) return { types: new Set(['o']), def: '@link' };
      const [f, def] = splitRef(node.$ref, fileName);
      const raw = this.file(f).definitions?.[def] as Json | undefined;
      if (raw && Array.isArray(raw.anyOf) && (raw.anyOf as Json[]).some(isIdRef)) return { types: new Set(['o']), def: '@link' };
      const r = this.resolveDef(f, def);
      const name = `${namespaceOf(r.fileName)}.${r.def}`;
      if (Array.isArray(r.node.enum)) {
        this.enums.set(name, r.node.enum as string[]);
        return { types: new Set(['s']), enumName: name };
      }
      if (r.node.type === 'object' && r.node.properties) {
        this.defineObject(name, r.node, r.fileName);
        return { types: new Set(['o']), def: name };
      }
      return this.shape(r.node, r.fileName);
    }
    const out: Shape = { types: new Set() };
    if (Array.isArray(node.anyOf)) {
      for (const b of node.anyOf as Json[]) {
        const s = this.shape(b, fileName);
        for (const t of s.types) out.types.add(t);
        out.enumName ??= s.enumName;
        out.pattern ??= s.pattern;
        out.def ??= s.def;
        out.items ??= s.items;
      }
    }
    if (Array.isArray(node.enum)) throw new Error(`inline enum in ${fileName}; name it before generating`);
    const types = node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
    for (const t of types as string[]) out.types.add(t === 'string' && node.format === 'date-time' ? 't' : TYPE_CODE[t]!);
    if (typeof node.pattern === 'string') out.pattern = node.pattern;
    if (types.includes('array') && node.items) out.items = this.shape(node.items as Json, fileName);
    if (out.types.size === 0 && (node.properties || node.patternProperties)) out.types.add('o');
    return out;
  }

  /** Records a nested object definition's property tokens, once (definitions may refer to themselves). */
  private defineObject(name: string, node: Json, fileName: string): void {
    if (this.defs.has(name)) return;
    this.defs.set(name, []);
    this.defs.set(name, this.tokens(name, node.properties as Json, fileName, ['Oem', 'Actions']));
  }

  /** `Name:codes[>itemCodes][~Enum][=Def]` per property, sorted; patterns go to `patterns` under `owner.Name`. */
  private tokens(owner: string, props: Json, fileName: string, skip: readonly string[]): string[] {
    const out: string[] = [];
    for (const [name, node] of Object.entries(props).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (skip.includes(name)) continue;
      const s = this.shape(node as Json, fileName);
      let token = `${name}:${codes(s.types)}`;
      if (s.items) token += `>${codes(s.items.types)}`;
      const enumName = s.items?.enumName ?? s.enumName;
      if (enumName) token += `~${enumName}`;
      const def = s.items?.def ?? s.def;
      if (def) token += `=${def}`;
      const pattern = s.items?.pattern ?? s.pattern;
      if (pattern) this.patterns.set(`${owner}.${name}`, pattern);
      out.push(token);
    }
    return out;
  }

  propertyShapes(type: string): string[] {
    const { namespace, version } = splitType(MAP_TYPES[type as keyof typeof MAP_TYPES]);
    const fileName = `${namespace}.${version}.json`;
    return this.tokens(namespace, (this.file(fileName).definitions[namespace] as Json).properties as Json, fileName, GATEWAY_OWNED);
  }

  extraPattern(ns: string, def: string): void {
    const node = this.file(`${ns}.json`).definitions?.[def] as Json | undefined;
    if (typeof node?.pattern !== 'string') throw new Error(`${ns}.json#/definitions/${def} has no pattern`);
    this.patterns.set(`${ns}.${def}`, node.pattern);
  }

  extraEnum(ns: string, def: string): void {
    // Enums shared by every version (ComputerSystem's BootSource) live in the unversioned file.
    const versioned = this.chosen.get(ns) ?? `${ns}.json`;
    const fileName = (this.file(versioned).definitions?.[def] as Json | undefined) ? versioned : `${ns}.json`;
    const node = this.file(fileName).definitions?.[def] as Json | undefined;
    if (!node?.enum) throw new Error(`${fileName}#/definitions/${def} is not an enum`);
    this.enums.set(`${ns}.${def}`, node.enum as string[]);
  }
}

function codes(types: Set<string>): string {
  return [...types].sort((a, b) => CODE_ORDER.indexOf(a) - CODE_ORDER.indexOf(b)).join('');
}

function verKey(ref: string): number {
  const m = /\.v(\d+)_(\d+)_(\d+)\.json#/.exec(ref)!;
  return Number(m[1]) * 1e6 + Number(m[2]) * 1e3 + Number(m[3]);
}

function splitRef(ref: string, from: string): [string, string] {
  const [file, pointer] = ref.split('#');
  return [file ? file.replace(DMTF, '') : from, (pointer ?? '').replace('/definitions/', '')];
}

const namespaceOf = (fileName: string) => fileName.replace(/(\.v\d+_\d+_\d+)?\.json$/, '');

/** Wraps words into string-literal lines no wider than the repository's 120 columns. */
function literal(words: string[], indent: string): string {
  if (words.length === 0) return `${indent}''`;
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent.length + line.length + w.length + 4 > 118) {
      lines.push(line + ' ');
      line = '';
    }
    line += (line ? ' ' : '') + w;
  }
  lines.push(line);
  return lines.map((l) => `${indent}'${l}'`).join(' +\n');
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const entry = (k: string, words: string[]) => `  ${/^[A-Za-z]+$/.test(k) ? k : quote(k)}:\n${literal(words, '    ')},`;
const HEADER = [
  '/**',
  ' * GENERATED by `npx tsx test/inventory/map/gen-allow-lists.ts` from the DMTF JSON Schemas (DSP8010 2025.4) for the',
  ' * versions in `odata-types.ts`. Do not edit: `allow-lists.test.ts` regenerates it and fails on any difference.',
];

/** The complete text of both generated files. */
export function renderAllowLists(dir = join(sharedDir(), 'redfish-schemas', 'json-schema')): { shapes: string; enums: string } {
  const r = new SchemaReader(dir);
  const kinds = BAG_KINDS.map((k) => entry(k, r.propertyShapes(k)));
  for (const [ns, def] of EXTRA_ENUMS) r.extraEnum(ns, def);
  r.extraPattern('Resource', 'UUID');
  const sorted = <T>(m: Map<string, T>) => [...m.keys()].sort().map((k) => [k, m.get(k)!] as const);
  const shapes = [
    ...HEADER,
    ' *',
    ' * A property is `Name:codes[>itemCodes][~Enum][=Def]`. Codes are the JSON types a value may have: s string,',
    ' * t date-time string, n number, i integer, b boolean, a array, o object, z null. `>` gives the types of array items;',
    ' * `~` names the enum (in `schema-enums.ts`) a string, or each item, must come from; `=` names the object definition',
    ' * (in `DEFS`) an object, or each item, must follow, `@link` being a reference to a resource (`@odata.id` only).',
    ' */',
    "import type { ComponentKind } from '../../model/inventory.js';",
    '',
    '/** The properties a component of each kind may carry. */',
    'export const PROPERTY_SHAPES: Readonly<Record<ComponentKind, string>> = {',
    ...kinds,
    '};',
    '',
    '/** The nested object definitions those properties use, by `Namespace.Definition`. */',
    'export const DEFS: Readonly<Record<string, string>> = {',
    ...sorted(r.defs).map(([k, v]) => entry(k, v)),
    '};',
    '',
  ].join('\n');
  const enums = [
    ...HEADER,
    ' */',
    '',
    '/** Enum values by `Namespace.Definition`, space-separated. */',
    'export const ENUMS: Readonly<Record<string, string>> = {',
    ...sorted(r.enums).map(([k, v]) => entry(k, v)),
    '};',
    '',
    '/** Patterns a string property must match, by `Owner.Property` (owner: a component kind or a definition). */',
    'export const PATTERNS: Readonly<Record<string, string>> = {',
    ...sorted(r.patterns).map(([k, v]) => `  ${quote(k)}:\n    ${quote(v)},`),
    '};',
    '',
  ].join('\n');
  return { shapes, enums };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = renderAllowLists();
  writeFileSync(OUTPUTS.shapes, out.shapes);
  writeFileSync(OUTPUTS.enums, out.enums);
  console.log(`wrote ${OUTPUTS.shapes} and ${OUTPUTS.enums}`);
}
