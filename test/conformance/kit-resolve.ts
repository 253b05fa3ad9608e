/**
 * What `npm run driver-kit` runs, by name: a driver (built-in id, npm package or path) and a simulator persona. Shared
 * by the command (driver-kit.ts, which checks both before starting vitest) and the kit entry (run.kit.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Driver } from '../../src/drivers/api.js';
import { DriverRegistry } from '../../src/drivers/registry.js';
import type { ConformanceTarget } from './target.js';

/** The repository root: where npm names are looked up when the caller's directory does not have them. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface PersonaEntry {
  /** The module in `targets/` (without extension) that exports the target. */
  file: string;
  description: string;
}

/** Every persona the kit knows, and where its target lives. Some target files arrive with their drivers. */
export const PERSONAS: Readonly<Record<string, PersonaEntry>> = {
  bluefield3: { file: 'redfish-personas', description: 'NVIDIA BlueField-3 DPU BMC (Redfish)' },
  'openbmc-host': { file: 'redfish-personas', description: 'OpenBMC host BMC with a DPU in a slot (Redfish)' },
  'dmtf-mockup': { file: 'redfish-personas', description: "DMTF's public-smartnic mockup, made live (Redfish; needs the DMTF bundle)" },
  'ipmi-legacy': { file: 'ipmi-legacy', description: 'IPMI BMC through ipmi_sim (needs OpenIPMI and ipmitool)' },
  snmpd: { file: 'snmpd', description: 'SNMP agent (needs net-snmp snmpd)' },
};

/** The built-in driver ids, as `builtinDrivers()` names them. */
export const BUILTIN_IDS = ['redfish', 'bluefield', 'openbmc', 'ipmi', 'snmp'] as const;

const targetFile = (p: PersonaEntry) => fileURLToPath(new URL(`./targets/${p.file}.ts`, import.meta.url));

/** Whether the persona's target file is in this checkout. */
export function personaPresent(name: string): boolean {
  const p = PERSONAS[name];
  return !!p && existsSync(targetFile(p));
}

/**
 * The conformance target for a persona. Throws a readable error for an unknown persona or a target file that is not
 * in this checkout (yet).
 */
export async function loadTarget(name: string): Promise<ConformanceTarget> {
  const p = PERSONAS[name];
  if (!p) throw new Error(`unknown persona "${name}"; known: ${Object.keys(PERSONAS).join(', ')}`);
  const file = targetFile(p);
  if (!existsSync(file)) throw new Error(`persona "${name}" has no conformance target in this checkout (expected test/conformance/targets/${p.file}.ts)`);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const target = Object.values(mod).find(
    (v): v is ConformanceTarget => !!v && typeof v === 'object' && (v as ConformanceTarget).persona === name && typeof (v as ConformanceTarget).start === 'function',
  );
  if (!target) throw new Error(`test/conformance/targets/${p.file}.ts exports no target for persona "${name}"`);
  return target;
}

/** Paths are what the registry treats as paths: starting with `.` or absolute. */
const isPath = (spec: string) => spec.startsWith('.') || isAbsolute(spec);

/** A readable reason for a failed load, with the likely fix. */
function explain(spec: string, fromDir: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  if (!isPath(spec) && err?.code === 'MODULE_NOT_FOUND' && /package\.json/.test(err.message)) {
    const hint = existsSync(join(fromDir, spec)) ? `; to load the directory, write ./${spec}` : '; npm install it, or give its path (./dir)';
    return new Error(`cannot load driver "${spec}": no such npm package${hint}`);
  }
  if (err?.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
    return new Error(`cannot load driver "${spec}": its package.json is not exported (add "./package.json": "./package.json" to its "exports"; Shoal reads it for the shoal-driver keyword)`);
  }
  if (isPath(spec) && err?.code === 'ENOENT') return new Error(`cannot load driver "${spec}": no package.json in ${resolve(fromDir, spec)}`);
  if (/Cannot find (package|module) 'shoal'/.test(err?.message ?? '')) {
    return new Error(`cannot load driver "${spec}": it imports shoal/drivers/api, which resolves only under \`npm run driver-kit\` in the Shoal checkout (tsconfig paths) or with shoal installed beside the driver`);
  }
  const message = (err?.message ?? String(e)).replace(`${spec}: `, '');
  return new Error(`cannot load driver "${spec}": ${message}`, { cause: e });
}

/**
 * The driver a spec names: a built-in id (`redfish`, `bluefield`, `openbmc`, `ipmi`, `snmp`), an npm package name, or
 * a path to a package directory (`./examples/driver-example`). Packages go through {@link DriverRegistry.load}, so
 * the `shoal-driver` keyword and the manifest are checked exactly as the gateway checks them.
 */
export async function loadKitDriver(spec: string, fromDir = process.cwd()): Promise<Driver> {
  if ((BUILTIN_IDS as readonly string[]).includes(spec)) {
    const drivers = await import('../../src/drivers/index.js');
    const redfishFamily: Driver[] = [drivers.redfishDriver, drivers.bluefieldDriver, drivers.openbmcDriver];
    const quick = redfishFamily.find((d) => d.manifest.id === spec);
    if (quick) return quick;
    try {
      const found = (await drivers.builtinDrivers()).find((d) => d.manifest.id === spec);
      if (found) return found;
    } catch (e) {
      throw new Error(`the built-in ${spec} driver cannot be loaded in this checkout: ${(e as Error).message}`, { cause: e });
    }
    throw new Error(`builtinDrivers() has no driver with id "${spec}"`);
  }
  if (isPath(spec) && existsSync(resolve(fromDir, spec)) && !statSync(resolve(fromDir, spec)).isDirectory()) {
    throw new Error(`cannot load driver "${spec}": give the package directory (the one with package.json), not a file`);
  }
  const registry = new DriverRegistry();
  try {
    return await registry.load(spec, fromDir);
  } catch (first) {
    // An npm name the caller's directory does not have may be installed in the Shoal checkout itself.
    const notFound = (first as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND';
    if (!notFound || isPath(spec) || resolve(fromDir) === resolve(REPO_ROOT)) throw explain(spec, fromDir, first);
    try {
      return await new DriverRegistry().load(spec, REPO_ROOT);
    } catch (second) {
      // Found in the checkout but failing to load: that failure is the one worth reporting.
      throw explain(spec, fromDir, (second as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND' ? first : second);
    }
  }
}
