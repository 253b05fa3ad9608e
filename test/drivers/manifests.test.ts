/**
 * The driver lint: every manifest Shoal ships or documents is valid, ids are unique, and every capability a manifest
 * declares is one some code implements. Sessions are only known after connect, so the Redfish drivers are connected to
 * simulator personas and compared with what each device itself shows (support/capability-oracle.ts).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CAPABILITY_METHODS,
  CORE_CAPABILITIES,
  OPTIONAL_CAPABILITIES,
  type DeviceSession,
  type Driver,
  type DriverManifest,
} from '../../src/drivers/api.js';
import { bluefieldDriver, builtinDrivers, openbmcDriver, redfishDriver } from '../../src/drivers/index.js';
import { DriverRegistry, manifestErrors } from '../../src/drivers/registry.js';
import { DriverRuntime, sessionContractErrors } from '../../src/drivers/runtime/index.js';
import { loadTarget, personaPresent } from '../conformance/kit-resolve.js';
import type { ConformanceTarget } from '../conformance/target.js';
import { bluefield3Target, dmtfMockupTarget, openbmcHostTarget } from '../conformance/targets/redfish-personas.js';
import { capabilityCoverageErrors, nothingKnown, redfishDeviceShows, type CapabilityRun } from './support/capability-oracle.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = './examples/driver-example';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const builtins = await builtinDrivers();
const example = await new DriverRegistry().load(EXAMPLE, ROOT);
const all: Driver[] = [...builtins, example];

/** A manifest copy with changes, for the negative cases. */
const manifestWith = (patch: Partial<DriverManifest> & Record<string, unknown>): DriverManifest => ({ ...structuredClone(redfishDriver.manifest), ...patch }) as DriverManifest;

describe('driver manifests', () => {
  it.each(all.map((d) => [d.manifest.id, d] as const))('%s: valid against the schema and this SDK version', (_id, d) => {
    expect(manifestErrors(d.manifest)).toEqual([]);
  });

  it('has unique ids, and one registry takes every built-in driver and the example', () => {
    const ids = all.map((d) => d.manifest.id);
    expect(new Set(ids).size, ids.join(', ')).toBe(ids.length);
    const reg = new DriverRegistry();
    for (const d of all) reg.register(d);
    expect(reg.list()).toHaveLength(all.length);
  });

  it('finds every manifest.json in the tree valid, and each belongs to a driver that ships', () => {
    const files = [
      ...readdirSync(join(ROOT, 'src/drivers')).map((d) => join(ROOT, 'src/drivers', d, 'manifest.json')),
      ...readdirSync(join(ROOT, 'examples')).map((d) => join(ROOT, 'examples', d, 'manifest.json')),
    ].filter((f) => existsSync(f));
    expect(files.length).toBeGreaterThanOrEqual(all.length);
    for (const f of files) {
      const m = JSON.parse(readFileSync(f, 'utf8')) as DriverManifest;
      expect(manifestErrors(m), f).toEqual([]);
      expect(all.map((d) => d.manifest.id), `${f} is not a driver builtinDrivers() or the examples ship`).toContain(m.id);
    }
  });

  it('maps every optional capability to at least one session method, and nothing else', () => {
    expect(Object.keys(CAPABILITY_METHODS).sort()).toEqual([...OPTIONAL_CAPABILITIES].sort());
    for (const cap of OPTIONAL_CAPABILITIES) expect(CAPABILITY_METHODS[cap].length, cap).toBeGreaterThan(0);
    for (const d of all) for (const c of CORE_CAPABILITIES) expect(d.manifest.capabilities, d.manifest.id).toContain(c);
  });

  it('refuses to register an invalid manifest, saying what is wrong', () => {
    const bad = { ...redfishDriver, manifest: manifestWith({ id: 'Bad_Id', capabilities: ['inventory', 'power', 'reset', 'teleport'] as never }) };
    expect(() => new DriverRegistry().register(bad)).toThrow(/^driver Bad_Id: invalid manifest: .*\/id must match pattern/);
    expect(() => new DriverRegistry().register(bad)).toThrow(/\/capabilities\/3 must be equal to one of the allowed values \(inventory, power, reset, boot\.override/);
    const noReset = { ...redfishDriver, manifest: manifestWith({ id: 'no-reset', capabilities: ['inventory', 'power'] }) };
    expect(() => new DriverRegistry().register(noReset)).toThrow('driver no-reset: invalid manifest: /capabilities must include the core capability reset');
    const future = { ...redfishDriver, manifest: manifestWith({ id: 'future', apiVersion: '^2.0.0' }) };
    expect(() => new DriverRegistry().register(future)).toThrow(/apiVersion \^2\.0\.0 does not include the SDK version/);
    const twice = new DriverRegistry();
    twice.register(redfishDriver);
    expect(() => twice.register(redfishDriver)).toThrow('driver redfish is registered twice');
  });
});

/** Connects a driver to each target and records what its session claimed next to what the device showed. */
async function capabilityRuns(driver: Driver, targets: readonly ConformanceTarget[]): Promise<CapabilityRun[]> {
  const runs: CapabilityRun[] = [];
  for (const target of targets) {
    const why = target.unavailable?.();
    if (why) throw new Error(`cannot run ${target.persona}: ${why}`);
    const t = await target.start();
    const runtime = new DriverRuntime({ log: silent, guard: { timeoutMs: 10_000 } });
    try {
      // The runtime refuses a session that breaks the contract (sessionContractErrors) before returning it.
      const session = await runtime.add(t.endpoint, driver).connect();
      // Only Redfish trees can be read independently of the driver; elsewhere every declared capability must be claimed.
      const shown = t.endpoint.protocol === 'redfish' ? await redfishDeviceShows(t.endpoint) : nothingKnown();
      runs.push({ persona: target.persona, session, shown });
    } finally {
      await runtime.close();
      await t.stop();
    }
  }
  return runs;
}

describe('declared capabilities are implemented', () => {
  /** The Redfish drivers and the personas each is tried on. Every Redfish built-in must be listed. */
  const PAIRS: [Driver, ConformanceTarget[]][] = [
    [redfishDriver, [dmtfMockupTarget, bluefield3Target, openbmcHostTarget]],
    [bluefieldDriver, [bluefield3Target]],
    [openbmcDriver, [openbmcHostTarget]],
    [example, [dmtfMockupTarget]],
  ];

  /** Built-ins over other protocols, against their personas where this checkout has the target. */
  const OTHERS: [string, string][] = [
    ['ipmi', 'ipmi-legacy'],
    ['snmp', 'snmpd'],
  ];
  for (const [id, persona] of OTHERS) {
    const driver = builtins.find((d) => d.manifest.id === id);
    const title = `${id} against ${persona}: each declared capability is claimed with its method`;
    if (!driver || !personaPresent(persona)) it.skip(`${title} (no ${driver ? `${persona} target` : `${id} driver`} in this checkout)`, () => {});
    else it(title, async () => expect(capabilityCoverageErrors(driver, await capabilityRuns(driver, [await loadTarget(persona)]))).toEqual([]));
  }

  it('covers every Redfish built-in driver', () => {
    const listed = PAIRS.map(([d]) => d.manifest.id);
    for (const d of builtins.filter((x) => x.manifest.protocol === 'redfish')) expect(listed).toContain(d.manifest.id);
  });

  it.each(PAIRS.map(([d, ts]) => [d.manifest.id, ts.map((t) => t.persona).join(', '), d, ts] as const))(
    '%s against %s: each declared capability is claimed with its method, or the device lacks it',
    async (_id, _personas, driver, targets) => {
      const runs = await capabilityRuns(driver, targets);
      expect(capabilityCoverageErrors(driver, runs)).toEqual([]);
    },
  );

  it('rejects a session that claims logs but has no logs() (sessionContractErrors and the runtime)', async () => {
    const manifest = manifestWith({ id: 'broken-logs', capabilities: ['inventory', 'power', 'reset', 'logs'] });
    const session: DeviceSession = {
      capabilities: new Set(['inventory', 'power', 'reset', 'logs']),
      inventory: async () => ({ takenAt: 0, endpoint: {}, systems: [], chassis: [], managers: [], components: [], firmware: [], unmapped: [], raw: {} }),
      state: async () => [],
      reset: async () => ({ kind: 'done' }),
      track: async () => ({ ok: true, messages: [] }),
      close: async () => {},
    };
    const broken: Driver = { manifest, probe: () => ({ matched: false }), connect: async () => session };
    expect(sessionContractErrors(broken, session)).toEqual(['session claims logs but has no logs()']);
    const runtime = new DriverRuntime({ log: silent });
    const dev = runtime.add({ id: 'broken', protocol: 'ipmi', host: '192.0.2.1', credentials: { kind: 'basic', username: 'u', password: 'p' } }, broken);
    await expect(dev.connect()).rejects.toThrow(/broke the SDK contract: session claims logs but has no logs\(\)/);
    await runtime.close();
    const shownNothing = Object.fromEntries(OPTIONAL_CAPABILITIES.map((c) => [c, false])) as CapabilityRun['shown'];
    expect(capabilityCoverageErrors(broken, [{ persona: 'none', session, shown: shownNothing }])).toContain('broken-logs on none: claims logs but has no logs()');
  });

  it('catches a manifest that declares logs when no code implements them', async () => {
    // The generic driver with its logs support cut out, as if the author had declared logs and never written them.
    const manifest = manifestWith({ id: 'no-logs-code' });
    const noLogs: Driver = {
      manifest,
      probe: (c) => redfishDriver.probe(c),
      async connect(ep, ctx) {
        const s = await redfishDriver.connect(ep, ctx);
        const capabilities = new Set(s.capabilities);
        capabilities.delete('logs');
        return { ...s, capabilities, logs: undefined };
      },
    };
    const runs = await capabilityRuns(noLogs, [bluefield3Target]);
    expect(runs[0]!.shown.logs).toBe(true);
    expect(capabilityCoverageErrors(noLogs, runs)).toEqual([
      'no-logs-code on bluefield3: the manifest declares logs and the device shows it, but the session does not claim it',
      'no-logs-code: the manifest declares logs, but no session claimed it on bluefield3 and no device explains why',
    ]);
  });
});

describe('external driver packages', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'shoal-manifests-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** A package with a valid driver in it, but no `shoal-driver` keyword. */
  const fakePackage = (dir: string, name: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js', keywords: ['redfish'] }));
    writeFileSync(join(dir, 'index.js'), 'throw new Error("a package without the keyword must not be imported");\n');
  };

  it('loads the example by path', async () => {
    const d = await new DriverRegistry().load(EXAMPLE, ROOT);
    expect(d.manifest.id).toBe('contoso-example');
    expect(d.manifest).toEqual(JSON.parse(readFileSync(join(ROOT, 'examples/driver-example/manifest.json'), 'utf8')));
  });

  it('loads the example by its npm name', async () => {
    const d = await new DriverRegistry().load('shoal-driver-example', ROOT).catch((e: Error) => {
      throw new Error(`${e.message}. package.json lists shoal-driver-example as a file: devDependency; run npm install`);
    });
    expect(d.manifest.id).toBe('contoso-example');
    expect(d).toBe(example); // one module, whichever way it was named
  });

  it('refuses a package without the shoal-driver keyword, by path and by name, without importing it', async () => {
    fakePackage(join(tmp, 'plain'), 'plain');
    fakePackage(join(tmp, 'node_modules', 'not-a-driver'), 'not-a-driver');
    await expect(new DriverRegistry().load('./plain', tmp)).rejects.toThrow('./plain: not a Shoal driver (package.json has no "shoal-driver" keyword)');
    await expect(new DriverRegistry().load('not-a-driver', tmp)).rejects.toThrow('not-a-driver: not a Shoal driver');
  });

  it('keeps the example on the SDK: it imports shoal/drivers/api and its own files, nothing else of Shoal', () => {
    const dir = join(ROOT, 'examples/driver-example');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
      const specs = [...readFileSync(join(dir, f), 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      for (const s of specs) expect(s === 'shoal/drivers/api' || s.startsWith('node:') || /^\.\/[\w.-]+$/.test(s), `${f} imports ${s}`).toBe(true);
    }
  });
});
