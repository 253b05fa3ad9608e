/**
 * The fault matrix: each simulator fault against the runtime + generic Redfish driver, asserting outcomes (error
 * codes, availability, recovery), never durations. One fleet, one device per fault, one runtime for all of them, so a
 * fault on one device that leaked into another would show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage, startFleet, type Fleet, type FleetDevice } from '../../mock-hardware/src/index.js';
import { DriverError, type DriverErrorCode, type ImageSource, type JobHandle, type JobOutcome, type JobProgress } from '../../src/drivers/api.js';
import { redfishDriver } from '../../src/drivers/redfish/index.js';
import { DriverRuntime, type ManagedDevice } from '../../src/drivers/runtime/index.js';
import { endpointFor, eventually, foreignLogin, pause, processErrorSpy, silentLog } from './support/runtime.js';

const GUARD = { timeoutMs: 1500, retries: 1, backoffMs: 50, breakerThreshold: 2, breakerOpenMs: 500 };
const CLASSIFIED: ReadonlySet<DriverErrorCode> = new Set(['NotSupported', 'Unavailable', 'Timeout', 'AuthenticationFailed', 'Busy', 'Rejected', 'BadResponse', 'TlsTrustFailed', 'Cancelled']);

let fleet: Fleet;
let rt: DriverRuntime;
const spy = processErrorSpy();
const dev: Record<string, ManagedDevice> = {};
const sim: Record<string, FleetDevice> = {};
const ROLES = ['hung', 'healthy', 'slow', 'malformed', 'reset', 'reboot', 'errors', 'track'] as const;

/** Settles a call into its outcome, and checks that a failure is a classified DriverError. */
async function outcome<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: DriverError }> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    expect(e).toBeInstanceOf(DriverError);
    expect(CLASSIFIED.has((e as DriverError).code)).toBe(true);
    return { ok: false, error: e as DriverError };
  }
}

beforeAll(async () => {
  fleet = await startFleet({
    seed: 'fault-matrix',
    // Real time runs at real speed (latency of 200 virtual ms is 200 real ms); long device work is skipped with advance().
    timeScale: 1,
    baseAddress: '127.153.0.1',
    devices: [
      { persona: 'bluefield3', count: ROLES.length, options: { bmcBootMs: 500 } },
      { persona: 'bluefield3', idPrefix: 'cap', options: { sessionCap: 2 } },
    ],
  });
  rt = new DriverRuntime({ log: silentLog, guard: GUARD, callTimeoutMs: 20_000 });
  ROLES.forEach((role, i) => {
    sim[role] = fleet.devices[i]!;
    dev[role] = rt.add(endpointFor(fleet.devices[i]!), redfishDriver);
  });
  sim.cap = fleet.device('cap-0001');
  await Promise.all(Object.values(dev).map((d) => d.connect()));
  for (const d of Object.values(dev)) expect(d.availability).toBe('Enabled');
});

afterAll(async () => {
  for (const d of fleet?.devices ?? []) fleet.clearFaults(d.id);
  await rt?.close();
  await fleet?.stop();
  await pause(50);
  spy.dispose();
  // Process-level check over the whole matrix: no fault produced an unhandled rejection or an uncaught exception.
  expect(spy.errors).toEqual([]);
});

describe('bmc-hang', () => {
  it('the hung device fails with Timeout/Unavailable and goes UnavailableOffline; a healthy device is unaffected', async () => {
    fleet.inject(sim.hung!.id, { kind: 'bmc-hang' });
    const hungCall = outcome(dev.hung!.call('state', []));
    // The healthy device is polled while the other one hangs: every call completes, and succeeds.
    const healthy = await Promise.all([dev.healthy!.call('state', []), dev.healthy!.call('state', []), dev.healthy!.call('inventory', []), dev.healthy!.call('firmwareInventory', [])]);
    expect(sim.hung!.model.bmc).toBe('hung'); // still hanging while the healthy calls completed
    expect(healthy[0].length).toBeGreaterThan(0);
    expect(healthy[2].systems.length).toBeGreaterThan(0);
    expect(healthy[3].length).toBeGreaterThan(0);
    expect(dev.healthy!.availability).toBe('Enabled');

    const r = await hungCall;
    expect(r.ok).toBe(false);
    expect(['Timeout', 'Unavailable']).toContain(!r.ok && r.error.code);
    // Two device-down failures (the attempt and its retry) open the breaker.
    expect(dev.hung!.guard.breaker.state).toBe('open');
    expect(dev.hung!.availability).toBe('UnavailableOffline');
    // While open, calls fail fast as Unavailable without touching the device.
    const fast = await outcome(dev.hung!.call('state', []));
    expect(!fast.ok && fast.error.code).toBe('Unavailable');
    expect(dev.hung!.availability).toBe('UnavailableOffline');
    // And the healthy one still answers.
    await expect(dev.healthy!.call('state', [])).resolves.toBeInstanceOf(Array);
  });

  // Regression (found by this suite, fixed): ManagedDevice.availability only reports UnavailableOffline while the breaker is `open`. Once
  // openMs has passed the breaker is `half-open` and the device shows as Enabled again although nothing has
  // answered, so a dead device flaps Enabled/UnavailableOffline every openMs until the next trial call fails.
  it('a device that is still hung stays UnavailableOffline after the open period', async () => {
    expect(sim.hung!.model.bmc).toBe('hung');
    expect(await eventually(() => dev.hung!.guard.breaker.state === 'half-open', 5000)).toBe(true);
    expect(dev.hung!.availability).toBe('UnavailableOffline');
  });

  it('recovers once the hang is cleared: the half-open trial succeeds and closes the breaker', async () => {
    fleet.clearFaults(sim.hung!.id);
    const ok = await eventually(async () => (await outcome(dev.hung!.call('state', []))).ok, 15_000, 100);
    expect(ok).toBe(true);
    expect(dev.hung!.guard.breaker.state).toBe('closed');
    expect(dev.hung!.availability).toBe('Enabled');
  });
});

describe('latency below the timeout', () => {
  it('calls succeed, slowly, and the device stays Enabled', async () => {
    fleet.inject(sim.slow!.id, { kind: 'latency', fixedMs: 200 });
    try {
      const [states, inv] = await Promise.all([dev.slow!.call('state', []), dev.slow!.call('inventory', [])]);
      expect(states.length).toBeGreaterThan(0);
      expect(inv.systems.length).toBeGreaterThan(0);
      expect(dev.slow!.availability).toBe('Enabled');
      expect(dev.slow!.guard.breaker.consecutiveFailures).toBe(0);
    } finally {
      fleet.clearFaults(sim.slow!.id);
    }
  });

  it('latency above the timeout on one resource only: that read times out, the rest of the device works', async () => {
    fleet.inject(sim.slow!.id, { kind: 'slow-firmware-inventory', fixedMs: 60_000 });
    try {
      const fw = await outcome(dev.slow!.call('firmwareInventory', [], { timeoutMs: 2500 }));
      expect(fw.ok).toBe(false);
      expect(['Timeout', 'Unavailable']).toContain(!fw.ok && fw.error.code);
      // The breaker may have opened on those timeouts; once it lets a trial through, other resources answer.
      const ok = await eventually(async () => (await outcome(dev.slow!.call('state', []))).ok, 10_000, 100);
      expect(ok).toBe(true);
      expect(dev.slow!.availability).toBe('Enabled');
    } finally {
      fleet.clearFaults(sim.slow!.id);
    }
  });
});

describe('session cap', () => {
  it('a BMC whose session slots are all taken answers Busy (503 SessionLimitExceeded), and works once a slot frees', async () => {
    const cap = sim.cap!;
    const a = await foreignLogin(cap);
    const b = await foreignLogin(cap);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect((await foreignLogin(cap)).status).toBe(503);
    // retries: 0 here because the device's Retry-After is 30 s and the guard honours it; see the next test.
    const rt0 = new DriverRuntime({ log: silentLog, guard: { ...GUARD, retries: 0 } });
    try {
      const d = rt0.add(endpointFor(cap, 'cap-a'), redfishDriver);
      const r = await outcome(d.call('state', []));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('Busy');
        expect(r.error.details.status).toBe(503);
        expect(r.error.details.retryAfterMs).toBe(30_000);
        expect(r.error.details.deviceMessages?.[0]?.MessageId).toBe('Base.1.22.SessionLimitExceeded');
      }
      // Busy means alive: no breaker, no UnavailableOffline.
      expect(d.guard.breaker.state).toBe('closed');
      expect(d.availability).toBe('Enabled');
      // Another client logs out; the next call gets the slot.
      cap.model.sessions.delete(a.location!.split('/').pop()!);
      await expect(d.call('state', [])).resolves.toBeInstanceOf(Array);
      expect(cap.model.sessions.size).toBe(2);
    } finally {
      await rt0.close();
      cap.model.sessions.clear();
    }
    expect(cap.model.sessions.size).toBe(0);
  });

  let fullBmc: { code?: string; availability: string } | undefined;
  it('with retries, a full BMC ends as a classified error within the call deadline, never a crash', async () => {
    const cap = sim.cap!;
    await foreignLogin(cap);
    await foreignLogin(cap);
    const rt1 = new DriverRuntime({ log: silentLog, guard: GUARD, callTimeoutMs: 3000 });
    try {
      const d = rt1.add(endpointFor(cap, 'cap-b'), redfishDriver);
      const r = await outcome(d.call('state', []));
      // Busy if the device's Retry-After fit the deadline; Timeout when the guard was still honouring it (30 s).
      expect(r.ok).toBe(false);
      expect(['Busy', 'Timeout']).toContain(!r.ok && r.error.code);
      expect(d.guard.breaker.state).toBe('closed');
      fullBmc = { code: !r.ok ? r.error.code : undefined, availability: d.availability };
    } finally {
      await rt1.close();
      cap.model.sessions.clear();
    }
  });

  // Regression (found by this suite, fixed): the guard sleeps for the device's Retry-After (30 s, capped at 30 s) before retrying, even when
  // that is far past the caller's deadline; the deadline then turns the device's clear "Busy" answer into a Timeout,
  // and because connect() failed with Timeout, ManagedDevice.availability reports the live BMC as UnavailableOffline.
  it('a BMC that answers 503 SessionLimitExceeded is reported Busy and Enabled, not Timeout/UnavailableOffline', () => {
    expect(fullBmc).toEqual({ code: 'Busy', availability: 'Enabled' });
  });

  // Regression (found by this suite, fixed): ManagedDevice.call() opens the session lazily with `this.connect(opts.signal)`, and connect() is
  // bounded by the runtime's callTimeoutMs only, so a caller's `timeoutMs` does not cover the connect step: here the
  // caller asks for 1 s and waits for the 4 s connect deadline instead.
  it("a caller's timeoutMs also bounds the lazy connect", async () => {
    const cap = sim.cap!;
    await foreignLogin(cap);
    await foreignLogin(cap);
    const rt1 = new DriverRuntime({ log: silentLog, guard: GUARD, callTimeoutMs: 4000 });
    try {
      const d = rt1.add(endpointFor(cap, 'cap-c'), redfishDriver);
      const r = await outcome(d.call('state', [], { timeoutMs: 1000 }));
      expect(!r.ok && r.error.code).toBe('Timeout');
      expect(!r.ok && r.error.message).toMatch(/within 1000 ms/);
    } finally {
      await rt1.close();
      cap.model.sessions.clear();
    }
  });

  it('error-rate 500 on every request: Busy after the retry, the device stays Enabled', async () => {
    fleet.inject(sim.errors!.id, { kind: 'error-rate', rate: 1, status: 500 });
    try {
      const r = await outcome(dev.errors!.call('state', []));
      expect(!r.ok && r.error.code).toBe('Busy');
      expect(!r.ok && r.error.details.deviceMessages?.[0]?.MessageId).toBe('Base.1.22.InternalError');
      expect(dev.errors!.availability).toBe('Enabled');
    } finally {
      fleet.clearFaults(sim.errors!.id);
    }
    await expect(dev.errors!.call('state', [])).resolves.toBeInstanceOf(Array);
  });
});

describe('malformed-json', () => {
  it('inventory throws BadResponse or reports what it could not read; the device stays Enabled', async () => {
    fleet.inject(sim.malformed!.id, { kind: 'malformed-json', rate: 1 });
    try {
      const inv = await outcome(dev.malformed!.call('inventory', []));
      if (inv.ok) expect(inv.value.unmapped.length).toBeGreaterThan(0);
      else expect(inv.error.code).toBe('BadResponse');
      const st = await outcome(dev.malformed!.call('state', []));
      expect(!st.ok && st.error.code).toBe('BadResponse');
      // The device answered, just badly: that is not a dead device.
      expect(dev.malformed!.guard.breaker.state).toBe('closed');
      expect(dev.malformed!.availability).toBe('Enabled');
    } finally {
      fleet.clearFaults(sim.malformed!.id);
    }
    const inv = await dev.malformed!.call('inventory', []);
    expect(inv.systems.length).toBeGreaterThan(0);
  });

  it('half the answers broken: a crawl still returns, with notes for what it could not read, or BadResponse', async () => {
    fleet.inject(sim.malformed!.id, { kind: 'malformed-json', rate: 0.5, resource: '/redfish/v1/Chassis' });
    try {
      const inv = await outcome(dev.malformed!.call('inventory', []));
      if (inv.ok) {
        expect(inv.value.systems.length).toBeGreaterThan(0);
        expect(inv.value.unmapped.some((n) => JSON.stringify(n).includes('/redfish/v1/Chassis'))).toBe(true);
      } else expect(inv.error.code).toBe('BadResponse');
      expect(dev.malformed!.availability).toBe('Enabled');
    } finally {
      fleet.clearFaults(sim.malformed!.id);
    }
  });
});

describe('connection-reset', () => {
  it('Unavailable while every connection is reset, UnavailableOffline once the breaker opens, back after clear', async () => {
    fleet.inject(sim.reset!.id, { kind: 'connection-reset', rate: 1 });
    const r = await outcome(dev.reset!.call('state', []));
    expect(!r.ok && r.error.code).toBe('Unavailable');
    expect(dev.reset!.guard.breaker.state).toBe('open');
    expect(dev.reset!.availability).toBe('UnavailableOffline');
    // Still broken when the breaker half-opens: the trial fails and the breaker opens again, for longer.
    expect(await eventually(() => dev.reset!.guard.breaker.state === 'half-open', 5000)).toBe(true);
    const trial = await outcome(dev.reset!.call('state', []));
    expect(!trial.ok && trial.error.code).toBe('Unavailable');
    expect(dev.reset!.guard.breaker.state).toBe('open');

    fleet.clearFaults(sim.reset!.id);
    const ok = await eventually(async () => (await outcome(dev.reset!.call('state', []))).ok, 10_000, 100);
    expect(ok).toBe(true);
    expect(dev.reset!.guard.breaker.state).toBe('closed');
    expect(dev.reset!.availability).toBe('Enabled');
    // The pooled session survived: the device never forgot it, so no new login happened.
    expect(sim.reset!.model.sessions.size).toBe(1);
  });
});

describe('bmc-reboot', () => {
  const image = (): ImageSource => {
    const img = createImage({ components: [{ id: 'Bluefield_FW_ERoT', version: '00.02.0999.0000' }], size: 256 * 1024 });
    return { filename: 'erot-00.02.0999.0000.fwpkg', size: img.length, sha256: img.manifest.sha256, contentType: 'application/octet-stream', open: () => img.stream() };
  };

  it('mid-task: tracking the update ends as Lost (the BMC forgot its tasks), not a hang or an unclassified error', async () => {
    const d = dev.reboot!;
    const job = (await d.call('pushUpdate', [image(), { applyTime: 'OnReset' }])) as JobHandle;
    expect(job.kind).toBe('redfish-task');
    const progress: JobProgress[] = [];
    let rebooted = false;
    const onProgress = (p: JobProgress) => {
      progress.push(p);
      if (!rebooted && p.state === 'Running') {
        rebooted = true;
        fleet.inject(sim.reboot!.id, { kind: 'bmc-reboot', downMs: 500 });
      }
    };
    const r = await outcome(d.call('track', [job, onProgress], { timeoutMs: 25_000 }));
    expect(rebooted).toBe(true);
    expect(progress[0]).toMatchObject({ state: 'Running' });
    if (r.ok) {
      const out: JobOutcome = r.value;
      expect(out.ok).toBe(false);
      expect(out.state).toBe('Lost');
    } else {
      // Acceptable only as the call deadline, classified.
      expect(r.error.code).toBe('Timeout');
    }
    // The device itself is fine afterwards: the next call logs in again behind the scenes.
    await expect(d.call('state', [])).resolves.toBeInstanceOf(Array);
    expect(d.availability).toBe('Enabled');
  });

  it('without a reboot the same update is tracked to Completed', async () => {
    const d = dev.track!;
    const job = (await d.call('pushUpdate', [image(), { applyTime: 'OnReset' }])) as JobHandle;
    let skipped = false;
    const onProgress = (p: JobProgress) => {
      if (!skipped && p.state === 'Running') {
        skipped = true;
        fleet.clock.advance(10 * 60_000); // the flash takes virtual minutes
      }
    };
    const out = await d.call('track', [job, onProgress], { timeoutMs: 25_000 });
    expect(out).toMatchObject({ ok: true, state: 'Completed' });
    expect((await d.call('firmwareInventory', [])).some((f) => JSON.stringify(f).includes('00.02.0999.0000'))).toBe(true);
  });

  let neverSeen: Awaited<ReturnType<typeof outcome<JobOutcome>>> | undefined;
  it('a BMC that rebooted before the first poll: tracking ends within the call deadline, classified', async () => {
    const d = dev.track!;
    const job = (await d.call('pushUpdate', [image(), { applyTime: 'OnReset' }])) as JobHandle;
    fleet.inject(sim.track!.id, { kind: 'bmc-reboot', downMs: 300 });
    await pause(400);
    neverSeen = await outcome(d.call('track', [job], { timeoutMs: 6000 }));
    if (neverSeen.ok) expect(neverSeen.value).toMatchObject({ ok: false, state: 'Lost' });
    else expect(neverSeen.error.code).toBe('Timeout');
    await expect(d.call('state', [])).resolves.toBeInstanceOf(Array);
  });

  // Regression (found by this suite, fixed): the task is gone before the tracker ever saw it, and waitTask treats a 404 on a task it has not
  // yet seen as "services still coming back", polling until its own 2-hour ceiling (TRACK_TIMEOUT_MS). Only the
  // caller's deadline ended it above; it should have been reported Lost.
  it('a task the rebooted BMC never showed is reported Lost, not polled for two hours', () => {
    expect(neverSeen).toBeDefined();
    expect(neverSeen!.ok && neverSeen!.value.state).toBe('Lost');
  });

  it('a plain BMC reboot between polls: Unavailable while down, then transparent re-login', async () => {
    const d = dev.healthy!;
    fleet.inject(sim.healthy!.id, { kind: 'bmc-reboot', downMs: 60_000 });
    const down = await outcome(d.call('state', []));
    expect(!down.ok && down.error.code).toBe('Unavailable');
    expect(d.availability).toBe('UnavailableOffline');
    fleet.clock.advance(60_000);
    const ok = await eventually(async () => (await outcome(d.call('inventory', []))).ok, 10_000, 100);
    expect(ok).toBe(true);
    expect(d.availability).toBe('Enabled');
    expect(sim.healthy!.model.sessions.size).toBe(1);
  });
});

describe('the runtime as a whole', () => {
  it('explicit runtime guard options win over the manifest (the matrix relies on the 1.5 s timeout)', () => {
    expect(redfishDriver.manifest.timeouts?.requestMs).toBeGreaterThan(GUARD.timeoutMs);
    expect(dev.healthy!.guard.opts).toMatchObject(GUARD);
  });

  it('no fault produced an unhandled rejection or uncaught exception so far', async () => {
    await pause(50);
    expect(spy.errors).toEqual([]);
  });
});
