import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../../test/support/shared-dir.js';
import { startFleet, type Fleet, type FleetDevice } from '../src/index.js';
import { get, rf } from './helpers.js';

let fleet: Fleet;
let mock: FleetDevice;
let host: FleetDevice;

beforeAll(async () => {
  fleet = await startFleet({
    seed: 'personas',
    timeScale: 0,
    baseAddress: '127.25.0.1',
    devices: [
      { persona: 'dmtf-mockup', options: { mockup: `${sharedDir()}/mockups/public-smartnic`, system: '/redfish/v1/Systems/Card1-SoC' } },
      { persona: 'openbmc-host', options: { dimms: 4, sessionCap: 2 } },
    ],
  });
  [mock, host] = fleet.devices as [FleetDevice, FleetDevice];
});
afterAll(async () => fleet?.stop());

describe('dmtf-mockup', () => {
  it('serves the mockup tree with the chosen system live', async () => {
    const systems = (await get(mock, '/redfish/v1/Systems')).body.Members.map((m: { '@odata.id': string }) => m['@odata.id']);
    expect(systems).toContain('/redfish/v1/Systems/Card1-SoC');
    const s = (await get(mock, '/redfish/v1/Systems/Card1-SoC')).body;
    expect(s.PowerState).toBe('On');
    expect(s.BootProgress.LastState).toBe('OSRunning');
    expect(s.UUID).toBe(mock.uuid);
    expect((await get(mock, '/redfish/v1')).body.Tasks['@odata.id']).toBe('/redfish/v1/TaskService');
  });

  it('resets and boots the live system; other mockup resources stay static', async () => {
    expect((await rf(mock, 'POST', '/redfish/v1/Systems/Card1-SoC/Actions/ComputerSystem.Reset', { ResetType: 'ForceOff' })).status).toBe(204);
    expect((await get(mock, '/redfish/v1/Systems/Card1-SoC')).body.PowerState).toBe('Off');
    await rf(mock, 'POST', '/redfish/v1/Systems/Card1-SoC/Actions/ComputerSystem.Reset', { ResetType: 'On' });
    fleet.clock.advance(5_000);
    expect((await get(mock, '/redfish/v1/Systems/Card1-SoC')).body.BootProgress.LastState).toBe('MemoryInitializationStarted');
    fleet.clock.advance(60_000);
    expect((await get(mock, '/redfish/v1/Systems/Card1-SoC')).body.BootProgress.LastState).toBe('OSRunning');
    expect((await rf(mock, 'POST', '/redfish/v1/Systems/Card1-SoC/Actions/ComputerSystem.Reset', { ResetType: 'Bogus' })).status).toBe(400);
    expect((await rf(mock, 'PATCH', '/redfish/v1/Chassis/Card1', { AssetTag: 'x' })).status).toBe(405);
  });

  it('has a firmware inventory that updates', async () => {
    const inv = (await get(mock, '/redfish/v1/UpdateService/FirmwareInventory')).body.Members;
    expect(inv.map((m: { '@odata.id': string }) => m['@odata.id'])).toEqual(['/redfish/v1/UpdateService/FirmwareInventory/BMC', '/redfish/v1/UpdateService/FirmwareInventory/BIOS']);
  });
});

describe('openbmc-host', () => {
  it('records POST codes for each boot stage and collects a system dump as a task', async () => {
    await rf(host, 'POST', '/redfish/v1/Systems/system/Actions/ComputerSystem.Reset', { ResetType: 'ForceRestart' });
    fleet.clock.advance(200_000);
    const codes = (await get(host, '/redfish/v1/Systems/system/LogServices/PostCodes/Entries')).body.Members;
    // The boot that had the host running when the fleet started, then the one the reset caused.
    const boot = ['0x01', '0x0b', '0x32', '0x92', '0xa0', '0xad', '0xaf'];
    expect(codes.map((c: { MessageArgs: string[] }) => c.MessageArgs[2])).toEqual([...boot, ...boot]);
    expect(codes.map((c: { MessageArgs: string[] }) => c.MessageArgs[0])).toEqual([...boot.map(() => '1'), ...boot.map(() => '2')]);
    const r = await rf(host, 'POST', '/redfish/v1/Systems/system/LogServices/Dump/Actions/LogService.CollectDiagnosticData', { DiagnosticDataType: 'OS' });
    expect(r.status).toBe(202);
    expect((await get(host, String(r.headers.location))).status).toBe(202);
    fleet.clock.advance(200_000);
    const done = await get(host, String(r.headers.location));
    expect(done.body.TaskState).toBe('Completed');
    expect((await get(host, '/redfish/v1/Systems/system/LogServices/Dump/Entries')).body.Members[0].DiagnosticDataType).toBe('OS');
    expect((await rf(host, 'POST', '/redfish/v1/Systems/system/LogServices/Dump/Actions/LogService.CollectDiagnosticData', { DiagnosticDataType: 'Manager' })).status).toBe(400);
  });

  it('GracefulShutdown takes time; PowerState passes through PoweringOff', async () => {
    await rf(host, 'POST', '/redfish/v1/Systems/system/Actions/ComputerSystem.Reset', { ResetType: 'GracefulShutdown' });
    expect((await get(host, '/redfish/v1/Systems/system')).body.PowerState).toBe('PoweringOff');
    fleet.clock.advance(30_000);
    expect((await get(host, '/redfish/v1/Systems/system')).body.PowerState).toBe('Off');
    await rf(host, 'POST', '/redfish/v1/Systems/system/Actions/ComputerSystem.Reset', { ResetType: 'On' });
    fleet.clock.advance(2_000);
    expect((await get(host, '/redfish/v1/Systems/system')).body.PowerState).toBe('On');
  });

  it('Manager.Reset reboots the BMC', async () => {
    expect((await rf(host, 'POST', '/redfish/v1/Managers/bmc/Actions/Manager.Reset', { ResetType: 'GracefulRestart' })).status).toBe(204);
    fleet.clock.advance(1_000);
    await new Promise((r) => setTimeout(r, 10));
    await expect(get(host, '/redfish/v1')).rejects.toThrow();
    fleet.clock.advance(120_000);
    await new Promise((r) => setTimeout(r, 10));
    expect((await get(host, '/redfish/v1')).status).toBe(200);
  });
});
