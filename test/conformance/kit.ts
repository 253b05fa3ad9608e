/**
 * The driver conformance kit: one suite every driver passes against a simulated device. Built-in drivers run it in
 * `npm test` (builtins.test.ts); vendors run it on their own driver with `npm run driver-kit -- <module> --persona <p>`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPABILITY_METHODS, DriverError, OPTIONAL_CAPABILITIES, type Driver, type InventorySnapshot, type ProbeCandidate } from '../../src/drivers/api.js';
import { RESET_TYPES } from '../../src/model/inventory.js';
import { manifestErrors } from '../../src/drivers/registry.js';
import { DriverRuntime, type ManagedDevice } from '../../src/drivers/runtime/index.js';
import type { ConformanceTarget, StartedTarget } from './target.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Candidates no driver should claim, and that must not make `probe` throw. */
const JUNK: ProbeCandidate[] = [
  { host: '192.0.2.1', protocol: 'redfish', serviceRoot: {} },
  { host: '192.0.2.1', protocol: 'redfish', serviceRoot: { Vendor: 42, Product: null, RedfishVersion: [] } as unknown as Record<string, unknown> },
  { host: '192.0.2.1', protocol: 'redfish' },
];

export interface SuiteOptions {
  /** Built-ins: the driver the registry should pick for this persona. */
  winnerAmong?: () => Promise<Driver[]>;
}

export function conformanceSuite(driver: Driver, target: ConformanceTarget, opts: SuiteOptions = {}): void {
  const why = target.unavailable?.();
  const title = `driver ${driver.manifest.id} against ${target.persona}`;
  if (why) {
    // A kit that cannot run must say so loudly: a silent skip would read as a pass.
    describe(title, () => {
      it('needs its simulator', () => {
        throw new Error(`cannot run: ${why}`);
      });
    });
    return;
  }

  describe(title, () => {
    let t: StartedTarget;
    let runtime: DriverRuntime;
    let dev: ManagedDevice;
    let snap: InventorySnapshot;
    let baselineSessions: number | undefined;

    beforeAll(async () => {
      t = await target.start();
      baselineSessions = await t.truth.openSessions?.();
      runtime = new DriverRuntime({ log: silent, guard: { timeoutMs: 10_000 } });
      dev = runtime.add(t.endpoint, driver);
    });
    afterAll(async () => {
      await runtime?.close();
      await t?.stop();
    });

    it('has a valid manifest for this SDK version', () => {
      expect(manifestErrors(driver.manifest)).toEqual([]);
    });

    it('claims its device on probe, and rejects junk without throwing', async () => {
      const r = await driver.probe(t.candidate);
      expect(r.matched, r.reason).toBe(true);
      for (const j of JUNK) {
        if (j.protocol !== driver.manifest.protocol) continue;
        const jr = await driver.probe(j);
        expect(jr.matched).toBe(false);
      }
    });

    if (opts.winnerAmong) {
      it('is the driver the registry picks for this device', async () => {
        const { DriverRegistry } = await import('../../src/drivers/registry.js');
        const reg = new DriverRegistry();
        for (const d of await opts.winnerAmong!()) reg.register(d);
        const matches = await reg.match(t.candidate);
        expect(matches[0]?.driver.manifest.id).toBe(driver.manifest.id);
      });
    }

    it('connects and keeps the SDK contract (capabilities within the manifest, a method for each)', async () => {
      const session = await dev.connect();
      const declared = new Set(driver.manifest.capabilities);
      for (const c of session.capabilities) expect(declared.has(c), `session claims undeclared ${c}`).toBe(true);
      for (const c of ['inventory', 'power', 'reset'] as const) expect(session.capabilities.has(c)).toBe(true);
    });

    it('reads an inventory that matches the simulator', async () => {
      snap = await dev.call('inventory', []);
      expect(JSON.parse(JSON.stringify(snap))).toEqual(snap); // plain data, storable as JSON
      expect(snap.systems).toHaveLength(t.truth.systems);
      const serials = [snap.endpoint.serialNumber, ...snap.chassis.map((c) => c.identity.serialNumber), ...snap.systems.map((s) => s.identity.serialNumber)];
      expect(serials).toContain(t.truth.serialNumber);
      if (t.truth.manufacturer) expect(JSON.stringify(snap)).toContain(t.truth.manufacturer);
      for (const list of [snap.systems, snap.chassis, snap.managers]) {
        const ids = list.map((x) => x.id);
        expect(new Set(ids).size, `duplicate ids ${ids.join(',')}`).toBe(ids.length);
      }
      const keys = snap.components.map((c) => `${c.kind}|${c.parent.kind}|${c.parent.id}|${c.id}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const s of snap.systems) for (const r of s.resetTypes) expect(RESET_TYPES).toContain(r);
      const sources = [...snap.systems, ...snap.chassis, ...snap.managers, ...snap.components].map((x) => x.source).filter(Boolean);
      for (const s of sources) expect(snap.raw, `source ${s} has no raw payload`).toHaveProperty([s!]);
      for (const n of snap.unmapped) expect(typeof n.reason).toBe('string');
    });

    it('reports power state as the simulator has it', async () => {
      const state = await dev.call('state', []);
      expect(state.map((s) => s.id).sort()).toEqual(snap.systems.map((s) => s.id).sort());
      if (t.truth.systems > 0) expect(state[0]!.powerState).toBe(await t.truth.powerState());
    });

    it('answers NotSupported for every capability it does not claim', async () => {
      for (const cap of OPTIONAL_CAPABILITIES) {
        if (dev.supports(cap)) continue;
        const method = CAPABILITY_METHODS[cap][0]!;
        const err = await (dev.call as (m: string, a: unknown[]) => Promise<unknown>)(method, []).catch((e: unknown) => e);
        expect(err, `${method} should be NotSupported`).toBeInstanceOf(DriverError);
        expect((err as DriverError).code).toBe('NotSupported');
      }
    });

    it('exercises every optional capability it claims (reads)', async () => {
      if (dev.supports('firmware.inventory')) {
        const fw = await dev.call('firmwareInventory', []);
        expect(fw.length).toBeGreaterThan(0);
        for (const f of fw) expect(typeof f.id).toBe('string');
      }
      if (dev.supports('logs')) {
        const logs = await dev.call('logs', [{ limit: 50 }]);
        expect(Array.isArray(logs)).toBe(true);
        for (const l of logs) expect(typeof l.message).toBe('string');
      }
      if (dev.supports('boot.override')) {
        const sys = snap.systems.find((s) => s.boot?.allowableTargets?.length) ?? snap.systems[0]!;
        const target = sys.boot?.allowableTargets?.find((x) => x !== 'None') ?? 'Pxe';
        await dev.call('setBootOverride', [sys.id, { target, enabled: 'Once' }]);
        const after = await dev.call('inventory', []);
        expect(after.systems.find((s) => s.id === sys.id)?.boot?.target).toBe(target);
      }
    });

    it('resets, and the simulator shows the effect', async () => {
      if (!t.resetCheck) {
        expect(snap.systems.every((s) => s.resetTypes.length === 0)).toBe(true);
        const err = await dev.call('reset', [{ kind: 'System', id: snap.systems[0]?.id ?? 'x' }, 'ForceRestart']).catch((e: unknown) => e);
        expect((err as DriverError).code).toBe('NotSupported');
        return;
      }
      const sys = snap.systems[0]!;
      expect(sys.resetTypes).toContain(t.resetCheck.type);
      const job = await dev.call('reset', [{ kind: 'System', id: sys.id }, t.resetCheck.type]);
      const outcome = await dev.call('track', [job]);
      expect(outcome.ok).toBe(true);
      await t.resetCheck.settle?.();
      expect(await t.truth.powerState()).toBe(t.resetCheck.expect);
      const state = await dev.call('state', []);
      expect(state.find((s) => s.id === sys.id)?.powerState).toBe(t.resetCheck.expect);
    });

    it('logs out on close, leaving the device its sessions', async () => {
      await runtime.close();
      if (baselineSessions !== undefined) expect(await t.truth.openSessions!()).toBe(baselineSessions);
    });
  });
}
