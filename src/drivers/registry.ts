import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { CORE_CAPABILITIES, DRIVER_API_VERSION, type Driver, type DriverManifest, type DriverModule, type ProbeCandidate, type ProbeResult } from './api.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
const SCHEMA_PATH = new URL('../../schemas/driver-manifest.schema.json', import.meta.url);
let validator: ValidateFunction | undefined;

/** Checks a manifest against `schemas/driver-manifest.schema.json` and the SDK version. Returns readable problems. */
export function manifestErrors(manifest: unknown): string[] {
  validator ??= addFormats(new Ajv({ allErrors: true, strict: false })).compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
  const problems: string[] = [];
  if (!validator(manifest)) {
    // The schema's `contains` checks for the core capabilities produce one error per array item; say it plainly instead.
    const caps = (manifest as { capabilities?: unknown })?.capabilities;
    if (Array.isArray(caps)) for (const c of CORE_CAPABILITIES) if (!caps.includes(c)) problems.push(`/capabilities must include the core capability ${c}`);
    for (const e of (validator.errors ?? []).filter((x) => !x.schemaPath.includes('/capabilities/allOf/'))) problems.push(`${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`);
    return problems;
  }
  const m = manifest as DriverManifest;
  if (!satisfies(DRIVER_API_VERSION, m.apiVersion)) problems.push(`apiVersion ${m.apiVersion} does not include the SDK version ${DRIVER_API_VERSION}`);
  for (const pattern of allPatterns(m)) {
    try {
      new RegExp(pattern);
    } catch (e) {
      problems.push(`match pattern ${JSON.stringify(pattern)} is not a regular expression: ${(e as Error).message}`);
    }
  }
  return problems;
}

function allPatterns(m: DriverManifest): string[] {
  const r = m.match;
  return [
    ...(r.ssdp?.st ?? []),
    ...(r.ssdp?.usn ?? []),
    ...(r.dnsSd ?? []),
    ...(r.lldp?.systemDescription ?? []),
    ...(r.lldp?.chassisId ?? []),
    ...(r.redfish?.vendor ?? []),
    ...(r.redfish?.product ?? []),
    ...(r.snmp?.sysDescr ?? []),
    ...(r.snmp?.sysObjectId ?? []),
  ];
}

type Ver = [number, number, number];
const parse = (v: string): Ver => v.split('.').map(Number) as Ver;
const cmp = (a: Ver, b: Ver) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** A small semver range check: `^x.y.z`, `~x.y.z`, `x.y.z`, and space-separated comparators (`>=1.0.0 <2.0.0`). */
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  const r = range.trim();
  if (r.startsWith('^') || r.startsWith('~')) {
    const b = parse(r.slice(1));
    if (cmp(v, b) < 0) return false;
    if (r.startsWith('~')) return v[0] === b[0] && v[1] === b[1];
    return b[0] > 0 ? v[0] === b[0] : b[1] > 0 ? v[0] === 0 && v[1] === b[1] : cmp(v, b) === 0;
  }
  const parts = r.match(/(<=|>=|<|>|=)?\s*\d+\.\d+\.\d+/g) ?? [];
  if (!parts.length) return false;
  return parts.every((p) => {
    const m = /^(<=|>=|<|>|=)?\s*(\d+\.\d+\.\d+)$/.exec(p.trim())!;
    const c = cmp(v, parse(m[2]!));
    switch (m[1]) {
      case '<':
        return c < 0;
      case '<=':
        return c <= 0;
      case '>':
        return c > 0;
      case '>=':
        return c >= 0;
      default:
        return c === 0;
    }
  });
}

const test = (patterns: string[] | undefined, value: string | undefined): boolean | undefined => {
  if (!patterns || value === undefined) return undefined;
  return patterns.some((p) => new RegExp(`^(?:${p})$`, 'i').test(value));
};

/**
 * Whether a candidate fits a manifest's rules. The protocol must agree. Then every rule section for which the
 * candidate carries information is tried: one hit matches; misses everywhere do not; no information at all leaves
 * the decision to `probe`.
 */
export function matchesRules(m: DriverManifest, c: ProbeCandidate): boolean {
  if (m.protocol !== c.protocol) return false;
  const root = c.serviceRoot as { Vendor?: unknown; Product?: unknown } | undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const results = [
    test(m.match.ssdp?.st, c.ssdp?.st),
    test(m.match.ssdp?.usn, c.ssdp?.usn),
    test(m.match.dnsSd, c.dnsSdType),
    test(m.match.lldp?.systemDescription, c.lldp?.systemDescription),
    test(m.match.lldp?.chassisId, c.lldp?.chassisId),
    test(m.match.redfish?.vendor, root ? (str(root.Vendor) ?? '') : undefined),
    test(m.match.redfish?.product, root ? (str(root.Product) ?? '') : undefined),
    test(m.match.snmp?.sysDescr, c.snmp?.sysDescr),
    test(m.match.snmp?.sysObjectId, c.snmp?.sysObjectId),
  ].filter((x): x is boolean => x !== undefined);
  return results.length === 0 || results.includes(true);
}

export interface DriverMatch {
  driver: Driver;
  result: ProbeResult;
}

/**
 * A package's package.json by name. `require.resolve('<name>/package.json')` fails when the package's `exports` does not
 * list it, so look in the node_modules folders Node would search first.
 */
function findPackageJson(name: string, req: NodeJS.Require): string {
  for (const dir of req.resolve.paths(name) ?? []) {
    const candidate = join(dir, name, 'package.json');
    if (existsSync(candidate)) return candidate;
  }
  return req.resolve(`${name}/package.json`);
}

/** The drivers the gateway knows: built-ins plus external packages named in the config. */
export class DriverRegistry {
  private readonly drivers = new Map<string, Driver>();

  register(driver: Driver): void {
    const problems = manifestErrors(driver.manifest);
    const id = (driver.manifest as { id?: unknown })?.id;
    if (problems.length) throw new Error(`driver ${String(id)}: invalid manifest: ${problems.join('; ')}`);
    if (typeof driver.probe !== 'function' || typeof driver.connect !== 'function') throw new Error(`driver ${String(id)}: needs probe() and connect()`);
    if (this.drivers.has(driver.manifest.id)) throw new Error(`driver ${driver.manifest.id} is registered twice`);
    this.drivers.set(driver.manifest.id, driver);
  }

  get(id: string): Driver | undefined {
    return this.drivers.get(id);
  }

  list(): Driver[] {
    return [...this.drivers.values()];
  }

  /**
   * The drivers that claim a candidate, best first: rule match, then `probe` (errors count as no), ordered by
   * confidence and then manifest priority.
   */
  async match(candidate: ProbeCandidate): Promise<DriverMatch[]> {
    const out: DriverMatch[] = [];
    for (const driver of this.drivers.values()) {
      if (!matchesRules(driver.manifest, candidate)) continue;
      let result: ProbeResult;
      try {
        result = await driver.probe(candidate);
      } catch (e) {
        result = { matched: false, reason: `probe failed: ${(e as Error).message}` };
      }
      if (result.matched) out.push({ driver, result });
    }
    return out.sort(
      (a, b) => (b.result.confidence ?? 0.5) - (a.result.confidence ?? 0.5) || (b.driver.manifest.priority ?? 0) - (a.driver.manifest.priority ?? 0),
    );
  }

  /**
   * Loads an external driver package by npm name (resolved from `fromDir`) or by path. A package must carry the
   * `shoal-driver` keyword, so that a typo in the config cannot load an unrelated module.
   */
  async load(spec: string, fromDir = process.cwd()): Promise<Driver> {
    const isPath = spec.startsWith('.') || isAbsolute(spec);
    const req = createRequire(join(fromDir, 'noop.js'));
    const pkgJson = isPath ? join(resolve(fromDir, spec), 'package.json') : findPackageJson(spec, req);
    const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { keywords?: string[]; main?: string; exports?: unknown; name?: string };
    if (!pkg.keywords?.includes('shoal-driver')) throw new Error(`${spec}: not a Shoal driver (package.json has no "shoal-driver" keyword)`);
    const entry = isPath ? join(dirname(pkgJson), typeof pkg.exports === 'string' ? pkg.exports : (pkg.main ?? 'index.js')) : req.resolve(spec);
    const mod = (await import(pathToFileURL(entry).href)) as DriverModule;
    const driver = mod.default ?? mod.driver;
    if (!driver || typeof driver !== 'object') throw new Error(`${spec}: exports no driver (expected a default export or "driver")`);
    this.register(driver);
    return driver;
  }
}
