import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateRedfish } from '../../test/support/redfish-schema.js';
import { startFleet, type Fleet, type FleetDevice } from '../src/index.js';
import { get } from './helpers.js';

let fleet: Fleet;
const BF_SYS = '/redfish/v1/Systems/Bluefield';
const CARD = '/redfish/v1/Chassis/Card1';
const NA = `${CARD}/NetworkAdapters/NvidiaNetworkAdapter`;
const H_SYS = '/redfish/v1/Systems/system';
const H_CH = '/redfish/v1/Chassis/chassis';

beforeAll(async () => {
  fleet = await startFleet({
    seed: 'components',
    timeScale: 0,
    baseAddress: '127.24.0.1',
    devices: [
      { persona: 'openbmc-host', count: 2, dpusPerHost: 2 },
      { persona: 'bluefield3', count: 2 },
    ],
  });
});
afterAll(async () => fleet?.stop());

const bfs = () => fleet.devices.filter((d) => d.persona === 'bluefield3');
const hosts = () => fleet.devices.filter((d) => d.persona === 'openbmc-host');

/** GETs a path, checks 200 and schema validity, and returns the body. */
async function valid(d: FleetDevice, path: string): Promise<Record<string, any>> {
  const r = await get(d, path);
  expect(r.status, path).toBe(200);
  const v = validateRedfish(r.body);
  expect(v.errors, `${path} (${r.body['@odata.type']})`).toEqual([]);
  return r.body;
}

async function members(d: FleetDevice, path: string): Promise<Record<string, any>[]> {
  const c = await valid(d, path);
  return Promise.all(c.Members.map((m: { '@odata.id': string }) => valid(d, m['@odata.id'])));
}

async function ndfMacs(d: FleetDevice, adapter: string): Promise<string[]> {
  return (await members(d, `${adapter}/NetworkDeviceFunctions`)).map((f) => f.Ethernet.MACAddress);
}

describe('bluefield3 component inventory', () => {
  it('is checked by a strict validator (unknown properties and enum values fail)', async () => {
    const d = bfs()[0]!;
    const fn = (await get(d, `${BF_SYS}/Processors/Accelerators/AccelerationFunctions/Regex`)).body;
    expect(validateRedfish({ ...fn, Bogus: 1 }).valid).toBe(false);
    expect(validateRedfish({ ...fn, AccelerationFunctionType: 'Regex' }).valid).toBe(false);
  });

  it('serves the Arm CPU, accelerators with their functions, and CPU metrics', async () => {
    const d = bfs()[0]!;
    expect((await valid(d, BF_SYS)).Processors['@odata.id']).toBe(`${BF_SYS}/Processors`);
    const procs = await members(d, `${BF_SYS}/Processors`);
    const cpu = procs.find((p) => p.ProcessorType === 'CPU')!;
    expect(cpu).toMatchObject({ Model: 'ARM Cortex-A78AE', TotalCores: 16, TotalThreads: 16, InstructionSet: 'ARM-A64' });
    expect(cpu.MaxSpeedMHz).toBeGreaterThan(0);
    const metrics = await valid(d, cpu.Metrics['@odata.id']);
    expect(metrics.BandwidthPercent).toBeGreaterThan(0);
    const accels = procs.filter((p) => p.ProcessorType === 'Accelerator');
    expect(accels.length).toBeGreaterThan(0);
    const fns = (await Promise.all(accels.map((a) => members(d, a.AccelerationFunctions['@odata.id'])))).flat();
    expect(fns.map((f) => f.AccelerationFunctionType).sort()).toEqual(['Compression', 'Encryption', 'PacketInspection', 'PacketSwitch']);
    for (const f of fns) expect(f).toMatchObject({ Manufacturer: 'Nvidia', Status: { State: 'Enabled' } });
    expect(new Set(fns.map((f) => f.UUID)).size).toBe(fns.length);
  });

  it('serves 32 GiB of DDR5 with metrics and an eMMC drive', async () => {
    const d = bfs()[0]!;
    const mem = await members(d, `${BF_SYS}/Memory`);
    expect(mem.reduce((s, m) => s + m.CapacityMiB, 0)).toBe(32 * 1024);
    for (const m of mem) {
      expect(m.MemoryDeviceType).toBe('DDR5');
      const mm = await valid(d, m.Metrics['@odata.id']);
      expect(mm.CapacityUtilizationPercent).toBeGreaterThan(0);
    }
    const [st] = await members(d, `${BF_SYS}/Storage`);
    const drive = await valid(d, st!.Drives[0]['@odata.id']);
    expect(drive).toMatchObject({ MediaType: 'SSD', Protocol: 'eMMC' });
    expect(drive.CapacityBytes).toBeGreaterThan(100e9);
  });

  it('serves the card network adapter, sensors and environment metrics', async () => {
    const d = bfs()[0]!;
    const card = await valid(d, CARD);
    const na = (await members(d, card.NetworkAdapters['@odata.id']))[0]!;
    expect(na.Controllers[0].ControllerCapabilities).toMatchObject({ NetworkPortCount: 2, DataCenterBridging: { Capable: true }, VirtualizationOffload: { SRIOV: { SRIOVVEPACapable: true } } });
    expect(na.SerialNumber).toBe(d.serial);
    await members(d, na.Ports['@odata.id']);
    const ndfs = await members(d, na.NetworkDeviceFunctions['@odata.id']);
    expect(ndfs.map((f) => f.Id)).toEqual(['p0', 'p1']);
    for (const f of ndfs) {
      expect(f.NetDevFuncType).toBe('Ethernet');
      expect(f.Ethernet.MACAddress).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    }
    const sensors = await members(d, card.Sensors['@odata.id']);
    expect(sensors.map((s) => s.ReadingType)).toEqual(expect.arrayContaining(['Temperature', 'Power']));
    const env = await valid(d, card.EnvironmentMetrics['@odata.id']);
    expect(env.PowerWatts.Reading).toBeGreaterThan(0);
  });

  it('gives every DPU its own MACs and component serials, stable across reads', async () => {
    const all = fleet.devices.filter((d) => d.persona === 'bluefield3');
    const macs = (await Promise.all(all.map((d) => ndfMacs(d, NA)))).flat();
    expect(new Set(macs).size).toBe(macs.length);
    const serials = await Promise.all(all.map(async (d) => (await get(d, `${BF_SYS}/Memory/DDR5_0`)).body.SerialNumber));
    expect(new Set(serials).size).toBe(all.length);
    expect(await ndfMacs(all[0]!, NA)).toEqual(await ndfMacs(all[0]!, NA));
  });
});

describe('openbmc-host component inventory', () => {
  it('serves x86 processors, DIMMs, drives, sensors and environment metrics', async () => {
    const h = hosts()[0]!;
    const cpus = await members(h, `${H_SYS}/Processors`);
    expect(cpus).toHaveLength(2);
    for (const c of cpus) expect(c).toMatchObject({ ProcessorType: 'CPU', InstructionSet: 'x86-64', TotalCores: 32, TotalThreads: 64 });
    const dimms = await members(h, `${H_SYS}/Memory`);
    expect(dimms.length).toBeGreaterThan(2);
    const [st] = await members(h, `${H_SYS}/Storage`);
    for (const ref of st!.Drives) expect(await valid(h, ref['@odata.id'])).toMatchObject({ MediaType: 'SSD', Protocol: 'NVMe' });
    const ch = await valid(h, H_CH);
    const sensors = await members(h, ch.Sensors['@odata.id']);
    expect(sensors.map((s) => s.Id)).toEqual(expect.arrayContaining(['temperature_cpu0', 'temperature_inlet', 'power_total']));
    expect((await valid(h, ch.EnvironmentMetrics['@odata.id'])).PowerWatts.Reading).toBeGreaterThan(0);
  });

  it('shows each DPU card with the same NetworkDeviceFunction MACs its own BMC serves', async () => {
    for (const h of hosts()) {
      const adapters = await members(h, `${H_CH}/NetworkAdapters`);
      expect(adapters).toHaveLength(2);
      for (const a of adapters) {
        const dpu = bfs().find((b) => b.serial === a.SerialNumber);
        expect(dpu, `DPU with serial ${a.SerialNumber}`).toBeDefined();
        expect(dpu!.model.extra.parent).toBeDefined();
        expect(await ndfMacs(h, a['@odata.id'])).toEqual(await ndfMacs(dpu!, NA));
        await members(h, a.Ports['@odata.id']);
      }
    }
  });
});

describe('accelerator-change fault', () => {
  const regex = `${BF_SYS}/Processors/Accelerators/AccelerationFunctions/Regex`;

  it('disables the RegEx engine and clearing restores it', async () => {
    const d = bfs()[1]!;
    fleet.inject(d.id, { kind: 'accelerator-change' });
    expect((await valid(d, regex)).Status.State).toBe('Disabled');
    expect((await valid(d, `${BF_SYS}/Processors/Accelerators`)).Status.Health).toBe('Warning');
    fleet.clearFaults(d.id);
    expect((await valid(d, regex)).Status).toEqual({ State: 'Enabled', Health: 'OK' });
  });

  it('reprograms a function with a new version and type, then clears', async () => {
    const d = bfs()[1]!;
    const comp = `${BF_SYS}/Processors/Accelerators/AccelerationFunctions/Compression`;
    const before = await valid(d, comp);
    fleet.inject(d.id, { kind: 'accelerator-change', function: 'Compression', mode: 'reprogram', version: '2.0', type: 'Encryption' });
    expect(await valid(d, comp)).toMatchObject({ Version: '2.0', AccelerationFunctionType: 'Encryption' });
    fleet.clearFaults(d.id);
    expect(await valid(d, comp)).toMatchObject({ Version: before.Version, AccelerationFunctionType: 'Compression' });
  });

  it('rejects unknown functions, bad modes, and hosts', () => {
    const d = bfs()[1]!;
    expect(() => fleet.inject(d.id, { kind: 'accelerator-change', function: 'Nope' })).toThrow(/no acceleration function/);
    expect(() => fleet.inject(d.id, { kind: 'accelerator-change', mode: 'explode' } as Record<string, unknown>)).toThrow(/mode/);
    expect(() => fleet.inject(hosts()[0]!.id, { kind: 'accelerator-change' })).toThrow(/does not apply/);
  });
});

describe('dimm-failure on the host Memory resources', () => {
  it('shows the missing DIMM as Absent and it stays valid', async () => {
    const h = hosts()[1]!;
    fleet.inject(h.id, { kind: 'dimm-failure', dimm: 'dimm1', mode: 'missing' });
    expect((await valid(h, `${H_SYS}/Memory/dimm1`)).Status.State).toBe('Absent');
    expect((await valid(h, `${H_SYS}/Memory/dimm0`)).Status.State).toBe('Enabled');
  });
});
