import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetDevice } from '../src/index.js';
import { get, rf } from './helpers.js';

let fleet: Fleet;
const bf = (n: number) => fleet.device(`bf3-${String(n).padStart(4, '0')}`);
const host = (n: number) => fleet.device(`host-${String(n).padStart(4, '0')}`);
const BF_SYS = '/redfish/v1/Systems/Bluefield';
const H_SYS = '/redfish/v1/Systems/system';
const tick = () => new Promise((r) => setTimeout(r, 10));

beforeAll(async () => {
  fleet = await startFleet({
    seed: 'faults',
    timeScale: 0,
    baseAddress: '127.23.0.1',
    devices: [
      { persona: 'bluefield3', count: 10 },
      { persona: 'openbmc-host', count: 8, dpusPerHost: 1 },
    ],
  });
});
afterAll(async () => fleet?.stop());

const bp = async (d: FleetDevice, sys: string) => (await get(d, sys)).body.BootProgress;
const events = async (d: FleetDevice, sys: string) => (await get(d, `${sys}/LogServices/EventLog/Entries`)).body.Members.map((m: { MessageId: string }) => m.MessageId);

describe('DPU faults', () => {
  it('dpu-kernel-panic: OsCrashDumpInProgress, then OsCrashDumpIsComplete with a dump entry', async () => {
    const d = bf(1);
    fleet.inject(d.id, { kind: 'dpu-kernel-panic', dumpMs: 30_000 });
    expect(await bp(d, BF_SYS)).toMatchObject({ LastState: 'OEM', OemLastState: 'OsCrashDumpInProgress' });
    expect((await get(d, BF_SYS)).body.Status.Health).toBe('Critical');
    fleet.clock.advance(30_000);
    expect((await bp(d, BF_SYS)).OemLastState).toBe('OsCrashDumpIsComplete');
    const dumps = (await get(d, `${BF_SYS}/LogServices/Dump/Entries`)).body.Members;
    expect(dumps[0]).toMatchObject({ DiagnosticDataType: 'OEM', OEMDiagnosticDataType: 'ArmOsCrashDump' });
    const att = await get(d, dumps[0].AdditionalDataURI);
    expect(att.status).toBe(200);
    expect(att.text.length).toBe(dumps[0].AdditionalDataSizeBytes);
    expect(await events(d, BF_SYS)).toContain('Platform.1.3.OperatingSystemCrash');
  });

  it('dpu-firmware-crash: FWFaultCrashDumpInProgress, then FWFaultCrashDumpIsComplete', async () => {
    const d = bf(2);
    fleet.inject(d.id, { kind: 'dpu-firmware-crash', dumpMs: 10_000 });
    expect((await bp(d, BF_SYS)).OemLastState).toBe('FWFaultCrashDumpInProgress');
    fleet.clock.advance(10_000);
    expect((await bp(d, BF_SYS)).OemLastState).toBe('FWFaultCrashDumpIsComplete');
  });

  it('corrupted-flash: sticks in BL2 until it recovers from the golden image', async () => {
    const d = bf(3);
    fleet.inject(d.id, { kind: 'corrupted-flash', recoverAfterMs: 120_000 });
    fleet.clock.advance(60_000);
    expect((await bp(d, BF_SYS)).OemLastState).toBe('BL2');
    expect((await get(d, BF_SYS)).body.Status.Health).toBe('Critical');
    fleet.clock.advance(60_000);
    fleet.clock.advance(120_000);
    expect((await bp(d, BF_SYS)).OemLastState).toBe('OsIsRunning');
    const golden = (await get(d, '/redfish/v1/UpdateService/FirmwareInventory/golden_image_arm')).body.Version;
    expect((await get(d, '/redfish/v1/UpdateService/FirmwareInventory/DPU_UEFI')).body.Version).toBe(golden);
    expect(await events(d, BF_SYS)).toContain('Platform.1.3.DeviceInRecovery');
  });

  it('boot-hang: the boot stops at the named stage', async () => {
    const d = bf(4);
    fleet.inject(d.id, { kind: 'boot-hang', stage: 'UEFI' });
    fleet.clock.advance(600_000);
    expect((await bp(d, BF_SYS)).OemLastState).toBe('UEFI');
    fleet.clearFaults(d.id);
    fleet.clock.advance(600_000);
    expect((await bp(d, BF_SYS)).OemLastState).toBe('OsIsRunning');
  });

  it('faults that do not fit the persona are refused', () => {
    expect(() => fleet.inject(bf(4).id, { kind: 'dimm-failure' })).toThrow(/does not apply/);
    expect(() => fleet.inject(host(1).id, { kind: 'dpu-kernel-panic' })).toThrow(/does not apply/);
    expect(() => fleet.inject(bf(4).id, { kind: 'no-such-fault' })).toThrow(/unknown fault/);
  });
});

describe('power and host faults', () => {
  it('power-loss: PowerState Off and BootProgress None, then power returns and it boots', async () => {
    const d = bf(5);
    fleet.inject(d.id, { kind: 'power-loss', restoreAfterMs: 30_000 });
    const s = (await get(d, BF_SYS)).body;
    expect(s.PowerState).toBe('Off');
    expect(s.BootProgress.LastState).toBe('None');
    fleet.clock.advance(31_000);
    expect((await get(d, BF_SYS)).body.PowerState).toBe('On');
    fleet.clock.advance(200_000);
    expect((await bp(d, BF_SYS)).LastState).toBe('OSRunning');
  });

  it('host-crash soft: logged, the watchdog reboots the host through the boot stages', async () => {
    const d = host(1);
    fleet.inject(d.id, { kind: 'host-crash', mode: 'soft' });
    expect(await events(d, H_SYS)).toContain('Platform.1.3.OperatingSystemCrash');
    fleet.clock.advance(6_000);
    expect((await bp(d, H_SYS)).LastState).toBe('PrimaryProcessorInitializationStarted');
    fleet.clock.advance(200_000);
    expect((await bp(d, H_SYS)).LastState).toBe('OSRunning');
    const codes = (await get(d, `${H_SYS}/LogServices/PostCodes/Entries`)).body.Members;
    expect(codes.length).toBeGreaterThanOrEqual(7);
  });

  it('host-crash hard: the host stays On but Critical until it is reset', async () => {
    const d = host(2);
    fleet.inject(d.id, { kind: 'host-crash', mode: 'hard' });
    fleet.clock.advance(60_000);
    const s = (await get(d, H_SYS)).body;
    expect(s.PowerState).toBe('On');
    expect(s.Status.Health).toBe('Critical');
    await rf(d, 'POST', `${H_SYS}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceRestart' });
    fleet.clock.advance(200_000);
    expect((await get(d, H_SYS)).body.Status.Health).toBe('OK');
  });

  it('host-crash hard: the BMC collects a system dump while the host stays hung', async () => {
    const d = host(6);
    fleet.inject(d.id, { kind: 'host-crash', mode: 'hard' });
    expect((await get(d, `${H_SYS}/LogServices/Dump/Entries`)).body.Members).toEqual([]);
    fleet.clock.advance(120_000);
    const dumps = (await get(d, `${H_SYS}/LogServices/Dump/Entries`)).body.Members;
    expect(dumps).toHaveLength(1);
    expect(dumps[0]).toMatchObject({ EntryType: 'Event', Severity: 'Critical', DiagnosticDataType: 'OEM', OEMDiagnosticDataType: 'System', Links: { OriginOfCondition: { '@odata.id': H_SYS } } });
    expect((await get(d, dumps[0].AdditionalDataURI)).status).toBe(200);
    expect(await events(d, H_SYS)).toContain('LogService.1.1.DiagnosticDataCollected');
  });

  it('host-crash hard: a reset before the dump is complete abandons it', async () => {
    const d = host(7);
    fleet.inject(d.id, { kind: 'host-crash', mode: 'hard' });
    fleet.clock.advance(30_000);
    await rf(d, 'POST', `${H_SYS}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceRestart' });
    fleet.clock.advance(200_000);
    expect((await get(d, `${H_SYS}/LogServices/Dump/Entries`)).body.Members).toEqual([]);
  });

  it('pcie-uncorrectable: the host logs it and the DPU slot goes Critical', async () => {
    const d = host(3);
    fleet.inject(d.id, { kind: 'pcie-uncorrectable' });
    expect((await get(d, '/redfish/v1/Chassis/chassis/PCIeDevices/slot1')).body.Status.Health).toBe('Critical');
    expect(await events(d, H_SYS)).toContain('Platform.1.3.PCIeUncorrectableError');
  });

  it('dimm-failure: the DIMM is Absent and the boot stops at memory initialisation', async () => {
    const d = host(4);
    fleet.inject(d.id, { kind: 'dimm-failure', dimm: 'dimm3', mode: 'missing' });
    fleet.clock.advance(600_000);
    expect((await bp(d, H_SYS)).LastState).toBe('MemoryInitializationStarted');
    expect((await get(d, `${H_SYS}/Memory/dimm3`)).body.Status.State).toBe('Absent');
    expect(await events(d, H_SYS)).toContain('Platform.1.3.DeviceMissing');
  });
});

describe('BMC faults', () => {
  it('bmc-crash: connections are refused, then the BMC returns without its sessions', async () => {
    const d = bf(6);
    const login = await rf(d, 'POST', '/redfish/v1/SessionService/Sessions', { UserName: 'root', Password: '0penBmc' }, { auth: false });
    const before = (await get(d, '/redfish/v1/Managers/Bluefield_BMC')).body.LastResetTime;
    fleet.inject(d.id, { kind: 'bmc-crash', downMs: 90_000 });
    await tick();
    await expect(get(d, '/redfish/v1')).rejects.toThrow(/ECONNREFUSED|ECONNRESET|other side closed/);
    fleet.clock.advance(90_000);
    await tick();
    expect((await get(d, '/redfish/v1/Managers/Bluefield_BMC')).body.LastResetTime).not.toBe(before);
    expect((await rf(d, 'GET', '/redfish/v1/Systems', undefined, { token: String(login.headers['x-auth-token']) })).status).toBe(401);
  });

  it('bmc-reboot: down, then up with an event log record', async () => {
    const d = host(5);
    fleet.inject(d.id, { kind: 'bmc-reboot', downMs: 10_000 });
    await tick();
    await expect(get(d, '/redfish/v1')).rejects.toThrow();
    fleet.clock.advance(10_000);
    await tick();
    expect((await get(d, '/redfish/v1')).status).toBe(200);
  });

  it('bmc-hang: TCP accepts but nothing answers until the hang ends', async () => {
    const d = bf(7);
    fleet.inject(d.id, { kind: 'bmc-hang', durationMs: 50_000 });
    let done = false;
    const p = get(d, '/redfish/v1').then(
      () => (done = true),
      () => (done = true),
    );
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false);
    fleet.clock.advance(50_000);
    await p;
    expect((await get(d, '/redfish/v1')).status).toBe(200);
  });
});

describe('network faults', () => {
  it('latency delays responses by virtual time, per resource', async () => {
    const d = bf(8);
    fleet.inject(d.id, { kind: 'latency', fixedMs: 5_000, resource: '/redfish/v1/Chassis' });
    expect((await get(d, '/redfish/v1/Systems')).status).toBe(200);
    let done = false;
    const p = get(d, '/redfish/v1/Chassis').then(() => (done = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    fleet.clock.advance(5_000);
    await p;
    expect(done).toBe(true);
    fleet.clearFaults(d.id);
  });

  it('slow-firmware-inventory delays only FirmwareInventory', async () => {
    const d = bf(8);
    fleet.inject(d.id, { kind: 'slow-firmware-inventory', fixedMs: 30_000 });
    expect((await get(d, '/redfish/v1/UpdateService')).status).toBe(200);
    let done = false;
    const p = get(d, '/redfish/v1/UpdateService/FirmwareInventory/DPU_OS').then(() => (done = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    fleet.clock.advance(30_000);
    await p;
    fleet.clearFaults(d.id);
  });

  it('latency from a distribution is seeded and bounded', async () => {
    const d = bf(8);
    fleet.inject(d.id, { kind: 'latency', distribution: 'uniform', minMs: 1_000, maxMs: 2_000 });
    let done = false;
    const p = get(d, '/redfish/v1/Systems').then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    fleet.clock.advance(999);
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    fleet.clock.advance(1_001);
    await p;
    fleet.clearFaults(d.id);
  });

  it('error-rate answers 500 or 503 with Redfish error bodies', async () => {
    const d = bf(9);
    fleet.inject(d.id, { kind: 'error-rate', rate: 1, status: 503 });
    const r = await get(d, '/redfish/v1/Systems');
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBeDefined();
    expect(r.body.error.code).toBe('Base.1.22.ServiceTemporarilyUnavailable');
    fleet.clearFaults(d.id);
    fleet.inject(d.id, { kind: 'error-rate', rate: 0.5, status: 500 });
    const codes = new Set<number>();
    for (let i = 0; i < 40; i++) codes.add((await get(d, '/redfish/v1/Systems')).status);
    expect([...codes].sort()).toEqual([200, 500]);
    fleet.clearFaults(d.id);
  });

  it('malformed-json sends a body that does not parse', async () => {
    const d = bf(9);
    fleet.inject(d.id, { kind: 'malformed-json' });
    const r = await get(d, '/redfish/v1/Systems/Bluefield');
    expect(r.status).toBe(200);
    expect(() => JSON.parse(r.text)).toThrow();
    fleet.clearFaults(d.id);
  });

  it('connection-reset drops the connection mid-request', async () => {
    const d = bf(10);
    fleet.inject(d.id, { kind: 'connection-reset', durationMs: 1_000 });
    await expect(get(d, '/redfish/v1/Systems')).rejects.toThrow();
    fleet.clock.advance(1_000);
    expect((await get(d, '/redfish/v1/Systems')).status).toBe(200);
  });
});
