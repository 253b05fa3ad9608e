// The ipmi driver end to end: DriverRuntime -> ipmi driver -> real ipmitool -> real ipmi_sim (ipmi-legacy persona).
// Skips with a message when Debian's openipmi or ipmitool is missing; CI installs both.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverError, type Endpoint } from '../../../src/drivers/api.js';
import { ipmiDriver } from '../../../src/drivers/ipmi/index.js';
import { DriverRuntime, type ManagedDevice } from '../../../src/drivers/runtime/index.js';
import type { IpmiDevice } from '../../../mock-hardware/src/personas/ipmi-legacy/index.js';
import { IPMI_LEGACY_TRUTH, ipmiToolsMissing, startLegacyBmc } from '../../conformance/targets/ipmi-legacy.js';

const log = { debug() {}, info() {}, warn() {}, error() {} };
const missing = ipmiToolsMissing();
if (missing) console.warn(`skipping ipmi driver tests against ipmi_sim: ${missing}`);

const endpointFor = (bmc: IpmiDevice, id: string, password: string = IPMI_LEGACY_TRUTH.password): Endpoint => ({
  id,
  protocol: 'ipmi',
  host: bmc.address,
  port: bmc.port,
  credentials: { kind: 'basic', username: IPMI_LEGACY_TRUTH.user, password },
});

const SYSTEM = { kind: 'System' as const, id: 'system' };

describe.skipIf(missing !== undefined)('ipmi driver against ipmi_sim', () => {
  let bmc: IpmiDevice;
  let dir = '';
  let runtime: DriverRuntime;
  let dev: ManagedDevice;

  beforeAll(async () => {
    ({ bmc, dir } = await startLegacyBmc({ serial: 'LEG-IT-0007' }));
    runtime = new DriverRuntime({ log });
    dev = runtime.add(endpointFor(bmc, 'legacy-1'), ipmiDriver);
  });
  afterAll(async () => {
    await runtime?.close();
    await bmc?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads an inventory that matches the simulator', async () => {
    // ipmi_sim reports 0 for a sensor until it first polls the sensor's file (every 0.5 s), so wait for real readings.
    const readings = async () => Object.fromEntries((await dev.call('inventory', [])).components.map((c) => [c.name, c.properties.Reading]));
    const truth = Object.fromEntries(bmc.sensors().map((s) => [s.name, s.value]));
    await expect.poll(readings, { timeout: 10_000, interval: 250 }).toEqual(truth);
    const snap = await dev.call('inventory', []);
    expect(snap.endpoint).toMatchObject({ serialNumber: 'LEG-IT-0007', manufacturer: 'Contoso', product: 'Legacy 1U Server' });
    expect(snap.endpoint.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(snap.systems).toHaveLength(1);
    expect(snap.systems[0]).toMatchObject({ id: 'system', powerState: 'Off', identity: { serialNumber: 'LEG-IT-0007', model: 'Legacy 1U Server' } });
    expect(snap.chassis[0]?.identity.serialNumber).toBe('LEG-IT-0007');
    expect(snap.managers[0]?.identity.firmwareVersion).toBe('9.08');
    const sensors = Object.fromEntries(snap.components.map((c) => [c.name, c.properties]));
    expect(Object.keys(sensors)).toEqual(['Inlet Temp', 'CPU Temp', 'FAN1']);
    expect(sensors['FAN1']).toMatchObject({ ReadingUnits: 'RPM', Thresholds: { LowerCritical: { Reading: 500 } } });
    for (const k of ['fru', 'mc', 'sdr', 'sel', 'chassis']) expect(typeof snap.raw[k]).toBe('string');
    expect(snap.unmapped).toEqual([]);
  });

  it('powers on, off, soft-off, cycles and resets, as the simulator sees it', async () => {
    expect(await dev.call('state', [])).toEqual([expect.objectContaining({ id: 'system', powerState: 'Off' })]);
    expect(await dev.call('reset', [SYSTEM, 'On'])).toEqual({ kind: 'done' });
    expect(bmc.state().power).toBe('on');
    expect((await dev.call('state', []))[0]?.powerState).toBe('On');

    await dev.call('reset', [SYSTEM, 'ForceRestart']);
    expect(bmc.state().power).toBe('on');
    expect(bmc.events()).toContainEqual(expect.objectContaining({ name: 'reset', value: '1' }));

    await dev.call('reset', [SYSTEM, 'GracefulShutdown']);
    expect(bmc.state().power).toBe('off');

    await dev.call('reset', [SYSTEM, 'On']);
    await dev.call('reset', [SYSTEM, 'PowerCycle']);
    // ipmi_sim turns power off at once and back on about a second later.
    await expect.poll(() => bmc.state().power, { timeout: 10_000, interval: 200 }).toBe('on');

    const job = await dev.call('reset', [{ kind: 'Chassis', id: 'chassis' }, 'ForceOff']);
    expect(await dev.call('track', [job])).toEqual({ ok: true, messages: [] });
    expect(bmc.state().power).toBe('off');
  });

  it('refuses reset types it does not advertise, without touching the device', async () => {
    const before = bmc.events().length;
    await expect(dev.call('reset', [SYSTEM, 'Nmi'])).rejects.toMatchObject({ code: 'NotSupported' });
    expect(bmc.events()).toHaveLength(before);
  });

  it('sets the boot override, and reads it back', async () => {
    await dev.call('setBootOverride', ['system', { target: 'Pxe', enabled: 'Once' }]);
    expect(bmc.state().boot).toBe('pxe');
    expect((await dev.call('inventory', [])).systems[0]?.boot?.target).toBe('Pxe');
    await dev.call('setBootOverride', ['system', { target: 'Cd', enabled: 'Continuous' }]);
    expect(bmc.state().boot).toBe('cdrom');
    await dev.call('setBootOverride', ['system', { target: 'BiosSetup', enabled: 'Once' }]);
    expect(bmc.state().boot).toBe('bios');
    // ipmitool's "disk" is what ipmi_sim calls "default".
    await dev.call('setBootOverride', ['system', { target: 'Hdd', enabled: 'Once' }]);
    expect(bmc.state().boot).toBe('default');
    expect((await dev.call('inventory', [])).systems[0]?.boot?.target).toBe('Hdd');
    await dev.call('setBootOverride', ['system', { enabled: 'Disabled' }]);
    expect(bmc.state().boot).toBe('none');
    await expect(dev.call('setBootOverride', ['system', { target: 'UefiHttp', enabled: 'Once' }])).rejects.toMatchObject({ code: 'NotSupported' });
  });

  it('reads the SEL, including events the simulator raises at run time', async () => {
    const logs = await dev.call('logs', []);
    expect(logs.length).toBeGreaterThanOrEqual(4);
    expect(logs.map((l) => l.message).join('\n')).toMatch(/Power Unit .*Power off\/down/);
    expect(logs.some((l) => /Correctable ECC/.test(l.message) && l.severity === 'Warning')).toBe(true);
    const count = logs.length;
    bmc.setSensor('CPU Temp', 92);
    try {
      await expect
        .poll(async () => (await dev.call('logs', [])).slice(count).some((l) => l.severity === 'Critical' && /CPU Temp.*Upper Critical going high/.test(l.message)), { timeout: 10_000, interval: 300 })
        .toBe(true);
      const snap = await dev.call('inventory', []);
      expect(snap.components.find((c) => c.name === 'CPU Temp')?.status?.health).toBe('Critical');
    } finally {
      bmc.setSensor('CPU Temp', 52);
    }
    expect((await dev.call('logs', [{ limit: 2 }])).length).toBe(2);
  });

  it('gives SEL records wall-clock times once the BMC clock is set, and filters by them', async () => {
    // ipmi_sim's SEL clock starts unset (records are Pre-Init); an operator's `sel time set now` sets it.
    await promisify(execFile)('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', bmc.address, '-p', String(bmc.port), '-U', IPMI_LEGACY_TRUTH.user, '-E', 'sel', 'time', 'set', 'now'], {
      env: { ...process.env, IPMI_PASSWORD: IPMI_LEGACY_TRUTH.password },
    });
    const since = new Date(Date.now() - 3_600_000).toISOString();
    bmc.setSensor('FAN1', 300);
    try {
      await expect.poll(async () => (await dev.call('logs', [{ since }])).some((l) => /FAN1.*Lower Critical going low/.test(l.message)), { timeout: 10_000, interval: 300 }).toBe(true);
    } finally {
      bmc.setSensor('FAN1', 5500);
    }
    const recent = await dev.call('logs', [{ since }]);
    expect(recent.every((l) => l.created !== undefined && l.created >= since)).toBe(true);
    expect((await dev.call('logs', [])).length).toBeGreaterThan(recent.length); // the Pre-Init ones are still there
  });

  it('reports a wrong password as AuthenticationFailed, not as a dead device', async () => {
    const rt = new DriverRuntime({ log });
    try {
      const bad = rt.add(endpointFor(bmc, 'legacy-bad-pw', 'not-the-password'), ipmiDriver);
      const err = await bad.call('state', []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DriverError);
      expect((err as DriverError).code).toBe('AuthenticationFailed');
      expect(bad.availability).toBe('Enabled');
    } finally {
      await rt.close();
    }
  });
});

describe.skipIf(missing !== undefined)('ipmi driver against a BMC that stops answering', () => {
  it('fails calls as Unavailable/Timeout and goes UnavailableOffline once the breaker opens', async () => {
    const { bmc, dir } = await startLegacyBmc({ serial: 'LEG-IT-0008' });
    const rt = new DriverRuntime({ log, guard: { timeoutMs: 3000, retries: 0, breakerThreshold: 2 } });
    try {
      const dev = rt.add(endpointFor(bmc, 'legacy-dying'), ipmiDriver);
      expect((await dev.call('state', []))[0]?.powerState).toBe('Off');
      expect(dev.availability).toBe('Enabled');
      await bmc.stop();
      for (let i = 0; i < 2; i++) {
        const err = await dev.call('state', []).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DriverError);
        expect(['Unavailable', 'Timeout']).toContain((err as DriverError).code);
      }
      expect(dev.availability).toBe('UnavailableOffline');
      // With the breaker open, calls fail without waiting on the device.
      await expect(dev.call('inventory', [])).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringMatching(/circuit open/) });
    } finally {
      await rt.close();
      await bmc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

