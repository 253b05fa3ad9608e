import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { sharedDir } from './shared-dir.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const DMTF = 'http://redfish.dmtf.org/schemas/v1/';

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();
/** Shoal's own OEM schemas (`schemas/Shoal*.json`), always loaded so every `Oem.Shoal` object is checked, not skipped. */
const SHOAL_SCHEMAS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');
const extraSchemaDirs: string[] = [];

/** Add a folder of project-owned JSON Schemas (OEM extensions) so payloads that reference them resolve. */
export function addSchemaDir(dir: string): void {
  extraSchemaDirs.push(dir);
  ajv = undefined;
  compiled.clear();
}

function load(): Ajv {
  if (ajv) return ajv;
  const a = new Ajv({ strict: false, validateSchema: false, allErrors: true, inlineRefs: false, code: { optimize: false }, unicodeRegExp: false, loadSchema: undefined });
  addFormats(a);
  const dirs = [join(sharedDir(), 'redfish-schemas', 'json-schema'), SHOAL_SCHEMAS, ...extraSchemaDirs];
  const texts: string[] = [];
  for (const dir of dirs) {
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.json') || (dir === SHOAL_SCHEMAS && !f.startsWith('Shoal'))) continue;
      const text = readFileSync(join(dir, f), 'utf8');
      texts.push(text);
      const schema = JSON.parse(text) as AnySchemaObject;
      // Files are referenced by name, and some share an $id (odata-v4.json claims odata.v4_0_5.json), so the file
      // name is the key and the embedded $id is dropped.
      const id = DMTF + f;
      delete schema.$schema;
      delete schema.$id;
      if (!/\.v\d+_\d+_\d+\.json$/.test(f)) pruneToNewest(schema);
      if (!a.getSchema(id)) a.addSchema(schema, id);
    }
  }
  addSwordfishStubs(a, texts);
  ajv = a;
  return a;
}

/** Maps `#ServiceRoot.v1_19_0.ServiceRoot` to the schema id and definition that validate it. */
export function schemaRefFor(odataType: string): string {
  const m = /^#([A-Za-z0-9-]+)(?:\.(v\d+_\d+_\d+))?\.([A-Za-z0-9]+)$/.exec(odataType);
  if (!m) throw new Error(`not a Redfish @odata.type: ${odataType}`);
  const [, ns, ver, type] = m;
  const file = ver ? `${ns}.${ver}.json` : `${ns}.json`;
  return `${DMTF}${file}#/definitions/${type}`;
}

export interface SchemaResult {
  valid: boolean;
  errors: string[];
}

/**
 * Validates a payload against the DMTF JSON Schema its `@odata.type` names (or an explicit type). DMTF's schemas accept
 * any object under `Oem`, so the payload's `Oem.Shoal` is validated too, against the Shoal schema its own
 * `@odata.type` names.
 */
export function validateRedfish(payload: unknown, odataType?: string): SchemaResult {
  const a = load();
  const type = odataType ?? (payload as { '@odata.type'?: string })['@odata.type'];
  if (!type) return { valid: false, errors: ['payload has no @odata.type'] };
  const ref = schemaRefFor(type);
  let fn = compiled.get(ref);
  if (!fn) {
    fn = compileWithStubs(a, ref);
    compiled.set(ref, fn);
  }
  const ok = fn(payload) as boolean;
  const errors = ok ? [] : (fn.errors ?? []).map(fmt);
  const shoal = (payload as { Oem?: { Shoal?: unknown } } | null)?.Oem?.Shoal;
  if (shoal !== null && typeof shoal === 'object' && !Array.isArray(shoal)) {
    let inner: string[];
    try {
      inner = validateRedfish(shoal).errors;
    } catch (e) {
      inner = [(e as Error).message];
    }
    // Errors read as JSON pointers into the payload: `/Oem/Shoal/Capabilities ...`, `/Oem/Shoal must have ...`.
    errors.push(...inner.map((e) => `/Oem/Shoal${e.startsWith('/ ') ? e.slice(1) : e.startsWith('/') ? e : ` ${e}`}`));
  }
  return { valid: errors.length === 0, errors };
}

function compileWithStubs(a: Ajv, ref: string): ValidateFunction {
  return a.compile({ $ref: ref });
}

/**
 * DMTF's bundle references Swordfish schemas that are not part of DSP8010. The bundle's README says to treat them as
 * unresolvable, so each referenced definition gets a permissive stub.
 */
function addSwordfishStubs(a: Ajv, texts: string[]): void {
  const defs = new Map<string, Set<string>>();
  for (const t of texts) {
    for (const m of t.matchAll(/"\$ref": "(http:\/\/redfish\.dmtf\.org\/schemas\/swordfish\/[^"#]+)#\/definitions\/([A-Za-z0-9_]+)"/g)) {
      const base = m[1] as string;
      if (!defs.has(base)) defs.set(base, new Set());
      defs.get(base)!.add(m[2] as string);
    }
  }
  for (const [base, names] of defs) {
    a.addSchema({ definitions: Object.fromEntries([...names].map((n) => [n, {}])) }, base);
  }
}

/**
 * An unversioned `X.json` definition is an anyOf over every historical `X.v1_N_M.json`. Compiling all of them takes
 * ajv tens of seconds, and Shoal emits only the newest version, so keep the idRef branch and the newest version.
 */
function pruneToNewest(schema: AnySchemaObject): void {
  const defs = (schema.definitions ?? {}) as Record<string, { anyOf?: { $ref?: string }[] }>;
  for (const def of Object.values(defs)) {
    if (!Array.isArray(def.anyOf)) continue;
    const versioned = def.anyOf.filter((b) => /\.v\d+_\d+_\d+\.json#/.test(b.$ref ?? ''));
    if (versioned.length < 2) continue;
    const key = (b: { $ref?: string }) => {
      const m = /\.v(\d+)_(\d+)_(\d+)\.json#/.exec(b.$ref ?? '')!;
      return Number(m[1]) * 1e6 + Number(m[2]) * 1e3 + Number(m[3]);
    };
    const newest = versioned.reduce((x, y) => (key(y) > key(x) ? y : x));
    def.anyOf = def.anyOf.filter((b) => !versioned.includes(b) || b === newest);
  }
}

function fmt(e: ErrorObject): string {
  return `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`;
}
