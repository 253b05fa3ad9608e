import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetDevice } from '../src/index.js';
import { get, rf } from './helpers.js';

let fleet: Fleet;
let bf: FleetDevice;
let bf2: FleetDevice;
let hostDpu: FleetDevice;
let host: FleetDevice;

beforeAll(async () => {
  fleet = await startFleet({
    seed: 'bf3',
    timeScale: 0,
    baseAddress: '127.21.0.1',
    devices: [
      { persona: 'bluefield3', count: 2, options: { sessionCap: 3 } },
      { persona: 'openbmc-host', dpusPerHost: 1 },
    ],
  });
  [bf, bf2] = fleet.devices as [FleetDevice, FleetDevice];
  host = fleet.devices.find((d) => d.persona === 'openbmc-host')!;
  hostDpu = fleet.device(host.dpuIds![0]!);
});
afterAll(async () => fleet?.stop());

const oem = async (d: FleetDevice) => (await get(d, '/redfish/v1/Systems/Bluefield')).body.BootProgress;

describe('bluefield3 resource shapes', () => {
  it('has the NVIDIA BMC paths and firmware inventory ids', async () => {
    expect((await get(bf, '/redfish/v1/Managers/Bluefield_BMC')).status).toBe(200);
    expect((await get(bf, '/redfish/v1/Chassis/Card1')).body.SerialNumber).toBe(bf.serial);
    expect((await get(bf, '/redfish/v1/Chassis/Bluefield_BMC')).status).toBe(200);
    const inv = (await get(bf, '/redfish/v1/UpdateService/FirmwareInventory')).body.Members.map((m: { '@odata.id': string }) => m['@odata.id'].split('/').pop());
    expect(inv).toEqual(expect.arrayContaining(['BMC_Firmware', 'DPU_ATF', 'DPU_UEFI', 'DPU_NIC', 'DPU_OS', 'DPU_BSP', 'golden_image_arm', 'golden_image_nic']));
    const us = (await get(bf, '/redfish/v1/UpdateService')).body;
    expect(us.MultipartHttpPushUri).toBe('/redfish/v1/UpdateService/update-multipart');
    expect(us.MaxImageSizeBytes).toBe(200 * 1024 * 1024);
  });
});

describe('bluefield3 boot progress and resets', () => {
  it('ForceRestart walks BootRom → BL2 → BL31 → UEFI → OsStarting → OsIsRunning on the virtual clock', async () => {
    expect((await oem(bf)).OemLastState).toBe('OsIsRunning');
    expect((await rf(bf, 'POST', '/redfish/v1/Systems/Bluefield/Actions/ComputerSystem.Reset', { ResetType: 'ForceRestart' })).status).toBe(204);
    const seen: string[] = [(await oem(bf)).OemLastState];
    for (let i = 0; i < 90; i++) {
      fleet.clock.advance(1_000);
      const s = (await oem(bf)).OemLastState;
      if (s !== seen.at(-1)) seen.push(s);
    }
    expect(seen).toEqual(['BootRom', 'BL2', 'BL31', 'UEFI', 'OsStarting', 'OsIsRunning']);
    const bp = await oem(bf);
    expect(bp.LastState).toBe('OSRunning');
  });

  it('enforces a minimum wait between resets (409 with Retry-After)', async () => {
    await rf(bf2, 'POST', '/redfish/v1/Systems/Bluefield/Actions/ComputerSystem.Reset', { ResetType: 'ForceRestart' });
    const again = await rf(bf2, 'POST', '/redfish/v1/Systems/Bluefield/Actions/ComputerSystem.Reset', { ResetType: 'ForceRestart' });
    expect(again.status).toBe(409);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    fleet.clock.advance(31_000);
    expect((await rf(bf2, 'POST', '/redfish/v1/Systems/Bluefield/Actions/ComputerSystem.Reset', { ResetType: 'ForceRestart' })).status).toBe(204);
  });

  it('refuses DPU resets for 30 s after a BMC reboot, as NVIDIA advises', async () => {
    fleet.inject(bf2.id, { kind: 'bmc-reboot', downMs: 10_000 });
    fleet.clock.advance(10_000);
    await new Promise((r) => setTimeout(r, 20));
    const early = await rf(bf2, 'POST', '/redfish/v1/Systems/Bluefield/Actions/ComputerSystem.Reset', { ResetType: 'ForceRestart' });
    expect(early.status).toBe(409);
    fleet.clock.advance(30_000);
    expect((await rf(bf2, 'POST', '/redfish/v1/Systems/Bluefield/Actions/ComputerSystem.Reset', { ResetType: 'ForceRestart' })).status).toBe(204);
  });

  it('rejects reset types the BMC does not list', async () => {
    const r = await rf(bf2, 'POST', '/redfish/v1/Systems/Bluefield/Actions/ComputerSystem.Reset', { ResetType: 'Nmi' });
    expect(r.status).toBe(400);
    expect(r.body.error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.22.ActionParameterValueNotInList');
  });

  it('PowerCycle waits for the host to assert standby, then cycles the DPU', async () => {
    const r = await rf(hostDpu, 'POST', '/redfish/v1/Systems/Bluefield/Actions/ComputerSystem.Reset', { ResetType: 'PowerCycle' });
    expect(r.status).toBe(204);
    fleet.clock.advance(10_000);
    expect((await get(hostDpu, '/redfish/v1/Systems/Bluefield')).body.PowerState).toBe('On');
    expect((await oem(hostDpu)).OemLastState).toBe('OsIsRunning');
    // The host power-cycles: All_STANDBY is asserted and the pending DPU power cycle runs.
    await rf(host, 'POST', '/redfish/v1/Systems/system/Actions/ComputerSystem.Reset', { ResetType: 'PowerCycle' });
    expect((await get(hostDpu, '/redfish/v1/Systems/Bluefield')).body.PowerState).toBe('Off');
    fleet.clock.advance(12_000);
    expect((await get(hostDpu, '/redfish/v1/Systems/Bluefield')).body.PowerState).toBe('On');
    expect((await oem(hostDpu)).OemLastState).not.toBe('OsIsRunning');
    fleet.clock.advance(120_000);
    expect((await oem(hostDpu)).OemLastState).toBe('OsIsRunning');
  });
});

describe('auth, sessions, ETags', () => {
  it('allows only the service root without credentials and rejects wrong passwords', async () => {
    expect((await rf(bf, 'GET', '/redfish/v1', undefined, { auth: false })).status).toBe(200);
    const r = await rf(bf, 'GET', '/redfish/v1/Systems', undefined, { auth: false });
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toContain('Basic');
    expect((await rf(bf, 'GET', '/redfish/v1/Systems', undefined, { auth: ['root', 'wrong'] })).status).toBe(401);
  });

  it('creates sessions with X-Auth-Token up to the cap, then answers 503', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await rf(bf, 'POST', '/redfish/v1/SessionService/Sessions', { UserName: 'root', Password: '0penBmc' }, { auth: false });
      expect(r.status).toBe(201);
      expect(r.headers.location).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/\d+$/);
      tokens.push(String(r.headers['x-auth-token']));
    }
    const full = await rf(bf, 'POST', '/redfish/v1/SessionService/Sessions', { UserName: 'root', Password: '0penBmc' }, { auth: false });
    expect(full.status).toBe(503);
    expect(full.body.error.code).toBe('Base.1.22.SessionLimitExceeded');
    expect((await rf(bf, 'GET', '/redfish/v1/Systems', undefined, { token: tokens[0] })).status).toBe(200);
    const id = (await rf(bf, 'GET', '/redfish/v1/SessionService/Sessions', undefined, { token: tokens[0] })).body.Members[0]['@odata.id'];
    expect((await rf(bf, 'DELETE', id, undefined, { token: tokens[1] })).status).toBe(204);
    expect((await rf(bf, 'POST', '/redfish/v1/SessionService/Sessions', { UserName: 'root', Password: '0penBmc' }, { auth: false })).status).toBe(201);
    expect((await rf(bf, 'GET', '/redfish/v1/Systems', undefined, { token: 'bogus' })).status).toBe(401);
  });

  it('serves ETags, answers 304 to If-None-Match and 412 to a stale If-Match', async () => {
    const a = await get(bf2, '/redfish/v1/Systems/Bluefield');
    const tag = String(a.headers.etag);
    expect(tag).toMatch(/^W\/".+"$/);
    expect((await rf(bf2, 'GET', '/redfish/v1/Systems/Bluefield', undefined, { headers: { 'if-none-match': tag } })).status).toBe(304);
    expect((await rf(bf2, 'PATCH', '/redfish/v1/Systems/Bluefield', { AssetTag: 'x' }, { headers: { 'if-match': 'W/"stale"' } })).status).toBe(412);
    expect((await rf(bf2, 'PATCH', '/redfish/v1/Systems/Bluefield', { AssetTag: 'rack-7' }, { headers: { 'if-match': tag } })).status).toBe(204);
    const b = await get(bf2, '/redfish/v1/Systems/Bluefield');
    expect(b.body.AssetTag).toBe('rack-7');
    expect(b.headers.etag).not.toBe(tag);
    expect((await rf(bf2, 'PATCH', '/redfish/v1/Systems/Bluefield', { Boot: { BootSourceOverrideTarget: 'Floppy' } })).status).toBe(400);
  });

  it('answers 405 with Allow for unsupported methods', async () => {
    const r = await rf(bf, 'DELETE', '/redfish/v1/Systems/Bluefield');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toContain('GET');
  });
});
