/**
 * Bad and surprising input: the mapper never throws, reports each problem in `unmapped`, and what it does emit still
 * validates, sits at DMTF URIs and links only to documents it emitted.
 */
import { describe, expect, it } from 'vitest';
import type { InventorySnapshot } from '../../../src/drivers/api.js';
import { mapDevice, type MapResult } from '../../../src/inventory/map/index.js';
import { danglingLinks, docAt, misplaced, part, schemaFailures } from './support.js';

const SRC = 'malfa2';
const S = `/redfish/v1/Systems/${SRC}_sys`;
const C = `/redfish/v1/Chassis/${SRC}_ch`;


/** A small, sound device: one system in one chassis, one manager, a few parts. */
function sound(): InventorySnapshot {
  return {
    takenAt: 0,
    endpoint: {},
    systems: [{ id: 'sys', identity: { serialNumber: 'S1' }, resetTypes: ['On', 'ForceOff'], chassisIds: ['ch'], managerIds: ['bmc'], powerState: 'On', source: '/dev/sys' }],
    chassis: [{ id: 'ch', identity: {}, systemIds: ['sys'], managerIds: ['bmc'], resetTypes: [], source: '/dev/ch' }],
    managers: [{ id: 'bmc', identity: {}, resetTypes: ['GracefulRestart'], source: '/dev/bmc' }],
    components: [
      part('Memory', 'dimm0', { kind: 'System', id: 'sys' }, { CapacityMiB: 1024 }),
      part('Processor', 'cpu0', { kind: 'System', id: 'sys' }, { TotalCores: 4 }),
      part('Sensor', 'temp', { kind: 'Chassis', id: 'ch' }, { Reading: 30, ReadingType: 'Temperature' }),
    ],
    firmware: [
      { id: 'bmc_fw', version: '1.0', componentRole: 'BMC', releaseDate: '2025-01-02T03:04:05Z' },
      { id: 'bmc_fw_pending', version: '1.1', staged: true },
    ],
    unmapped: [],
    raw: {},
  };
}

/** Everything emitted is sound, whatever went in. */
function expectSoundOutput(r: MapResult): void {
  expect(schemaFailures(r.docs)).toEqual([]);
  expect(misplaced(r.docs)).toEqual([]);
  expect(danglingLinks(r.docs)).toEqual([]);
  for (const n of r.unmapped) expect(typeof n.reason).toBe('string');
  // The catch-all keeps the caller alive, but reaching it is a mapper bug.
  expect(r.unmapped.filter((n) => n.reason.startsWith('mapping failed'))).toEqual([]);
}

describe('a malformed snapshot', () => {
  it('reports unknown parents, wrong types, unknown properties, duplicates and bad ids, and maps the rest', () => {
    const snap = sound();
    snap.systems.push({ ...snap.systems[0]!, powerState: 'Off', source: '/dev/sys-again' }, { id: '' } as never);
    snap.chassis.push({ id: null } as never);
    snap.components.push(
      part('Memory', 'orphan', { kind: 'System', id: 'nope' }),
      part('NetworkDeviceFunction', 'fn', { kind: 'NetworkAdapter', id: 'ghost' }),
      part('Memory', 'dimm0', { kind: 'System', id: 'sys' }, {}, { source: '/dev/Memory/dimm0-twin' }),
      part('Memory', 'dimm1', { kind: 'System', id: 'sys' }, {
        CapacityMiB: 'lots',
        MemoryDeviceType: 'DDR9',
        OperatingSpeedMhz: 4800.5,
        ModuleManufacturerID: 'acme',
        AllowedSpeedsMHz: [4800, 'fast'],
        Bogus: true,
        Status: { State: 'Enabled' },
        Assembly: { '@odata.id': '/redfish/v1/Systems/sys/Memory/dimm1/Assembly' },
        RankCount: 2,
      }),
      part('Processor', '', { kind: 'System', id: 'sys' }),
      { kind: 'Gizmo', id: 'g', parent: { kind: 'System', id: 'sys' }, identity: {}, properties: {} } as never,
    );
    snap.firmware.push({ id: 'bmc_fw', version: '2.0' }, { id: 'bios', releaseDate: 'last tuesday' });
    const r = mapDevice(snap, { source: SRC });
    const reasons = r.unmapped.map((n) => `${n.source} ${n.path ?? ''} ${n.reason}`);
    const has = (re: RegExp) => expect(reasons.some((x) => re.test(x)), `${re} in\n${reasons.join('\n')}`).toBe(true);
    has(/\/dev\/sys-again .*duplicate systems id "sys"/);
    has(/systems entry without a usable id: ""/);
    has(/chassis entry without a usable id: null/);
    has(/\/dev\/Memory\/orphan .*parent System "nope" is not in the inventory/);
    has(/\/dev\/NetworkDeviceFunction\/fn .*parent NetworkAdapter "ghost" is not in the inventory/);
    has(/\/dev\/Memory\/dimm0-twin .*duplicate Memory "dimm0"/);
    has(/dimm1 properties\/CapacityMiB expected integer or null, got "lots"/);
    has(/dimm1 properties\/MemoryDeviceType .*from Memory.MemoryDeviceType, got "DDR9"/);
    has(/dimm1 properties\/OperatingSpeedMhz expected integer or null, got 4800.5/);
    has(/dimm1 properties\/ModuleManufacturerID /);
    has(/dimm1 properties\/AllowedSpeedsMHz\/1 expected integer, got "fast"/);
    has(/dimm1 properties\/Bogus Memory has no property Bogus/);
    has(/dimm1 properties\/Status Status is written by the gateway/);
    has(/dimm1 properties\/Assembly link to .*Assembly/);
    has(/Processor without a usable id/);
    has(/unknown component kind "Gizmo"/);
    has(/firmware\[2\] .*duplicate firmware id "bmc_fw"/);
    has(/firmware\[3\] ReleaseDate not an RFC 3339 date-time/);
    // The good parts are all there, with their good values.
    expect(docAt(r.docs, `${S}/Memory/dimm1`)).toMatchObject({ RankCount: 2 });
    expect(docAt(r.docs, `${S}/Memory/dimm1`)).not.toHaveProperty('CapacityMiB');
    expect(docAt(r.docs, `${S}/Memory/dimm0`)).toMatchObject({ CapacityMiB: 1024 });
    expect(docAt(r.docs, S).PowerState).toBe('On');
    expect(docAt(r.docs, `${S}/Memory`)['Members@odata.count']).toBe(2);
    expect(docAt(r.docs, `/redfish/v1/UpdateService/FirmwareInventory/${SRC}_bmc_fw`)).toMatchObject({
      Version: '1.0',
      ReleaseDate: '2025-01-02T03:04:05Z',
      RelatedItem: [{ '@odata.id': `/redfish/v1/Managers/${SRC}_bmc` }],
    });
    expect(docAt(r.docs, `/redfish/v1/UpdateService/FirmwareInventory/${SRC}_bmc_fw_pending`)).toMatchObject({ Staged: true, Active: false });
    expectSoundOutput(r);
  });

  it('drops enum values a schema version does not know, and keeps a vendor boot stage as OEM', () => {
    const snap = sound();
    Object.assign(snap.systems[0]!, {
      powerState: 'Sideways',
      systemType: 'Mainframe',
      lastResetCause: 'CosmicRay',
      bootProgress: { lastState: 'DpuCpldReady', lastStateTime: 'soon' },
      resetTypes: ['On', 'Explode', 'On'],
      identity: { uuid: 'not-a-uuid', serialNumber: 42 },
      status: { state: 'Exploded', health: 'Meh' },
    });
    Object.assign(snap.managers[0]!, { managerType: 'Overlord', lastResetTime: 'yesterday', identity: { sku: 'X' } });
    Object.assign(snap.chassis[0]!, { chassisType: 'Spaceship' });
    const r = mapDevice(snap, { source: SRC });
    const sys = docAt(r.docs, S);
    expect(sys).toMatchObject({ SystemType: 'Physical', BootProgress: { LastState: 'OEM', OemLastState: 'DpuCpldReady' } });
    expect(sys.Actions['#ComputerSystem.Reset']['ResetType@Redfish.AllowableValues']).toEqual(['On']);
    for (const k of ['PowerState', 'LastResetCause', 'UUID', 'SerialNumber', 'Status']) expect(sys).not.toHaveProperty(k);
    expect(docAt(r.docs, C).ChassisType).toBe('RackMount');
    expect(docAt(r.docs, `/redfish/v1/Managers/${SRC}_bmc`).ManagerType).toBe('BMC');
    const paths = r.unmapped.map((n) => `${n.source}:${n.path}`);
    for (const p of ['powerState', 'systemType', 'lastResetCause', 'BootProgress/LastStateTime', 'resetTypes', 'UUID', 'SerialNumber', 'Status/State', 'Status/Health']) expect(paths).toContain(`/dev/sys:${p}`);
    for (const p of ['managerType', 'LastResetTime', 'identity/sku']) expect(paths).toContain(`/dev/bmc:${p}`);
    expect(paths).toContain('/dev/ch:chassisType');
    expectSoundOutput(r);
  });

  it('moves parts to where DMTF allows them, and reports those with no such place', () => {
    const snap = sound();
    snap.components.push(
      part('Sensor', 'cpu_temp', { kind: 'Processor', id: 'cpu0' }, { Reading: 50, ReadingType: 'Temperature' }),
      part('Storage', 'st', { kind: 'Chassis', id: 'ch' }),
      part('Drive', 'd0', { kind: 'Storage', id: 'st' }, { CapacityBytes: 1e12 }),
      part('Drive', 'd1', { kind: 'Chassis', id: 'ch' }),
      part('NetworkAdapter', 'nic', { kind: 'System', id: 'sys' }),
      part('Processor', 'fpga', { kind: 'Chassis', id: 'ch' }),
      part('Processor', 'nic_arm', { kind: 'NetworkAdapter', id: 'nic' }),
      part('PCIeDevice', 'gpu', { kind: 'System', id: 'sys' }),
      part('AccelerationFunction', 'af_sys', { kind: 'Processor', id: 'cpu0' }),
      part('AccelerationFunction', 'af_ch', { kind: 'Processor', id: 'fpga' }),
      part('Processor', 'core0', { kind: 'Processor', id: 'cpu0' }),
      part('Processor', 'loop1', { kind: 'Processor', id: 'loop2' }),
      part('Processor', 'loop2', { kind: 'Processor', id: 'loop1' }),
    );
    const r = mapDevice(snap, { source: SRC });
    for (const uri of [`${C}/NetworkAdapters/nic/Processors/nic_arm`, `${S}/PCIeDevices/gpu`, `${C}/Sensors/cpu_temp`, `${S}/Storage/st`, `${S}/Storage/st/Drives/d0`, `${C}/Drives/d1`, `${C}/NetworkAdapters/nic`, `${C}/Processors/fpga`, `${S}/Processors/cpu0/AccelerationFunctions/af_sys`, `${S}/Processors/cpu0/SubProcessors/core0`]) docAt(r.docs, uri);
    expect(docAt(r.docs, `${S}/Storage/st`).Drives).toEqual([{ '@odata.id': `${S}/Storage/st/Drives/d0` }]);
    expect(docAt(r.docs, `${C}/Drives`)['Members@odata.count']).toBe(1);
    // A system links its PCIe devices as a list (ComputerSystem has no PCIeDevices collection link).
    expect(docAt(r.docs, S)).toMatchObject({ PCIeDevices: [{ '@odata.id': `${S}/PCIeDevices/gpu` }], 'PCIeDevices@odata.count': 1 });
    expect(r.docs.some((d) => d.uri === `${S}/PCIeDevices`)).toBe(false);
    expect(docAt(r.docs, `${C}/NetworkAdapters/nic`).Processors).toEqual({ '@odata.id': `${C}/NetworkAdapters/nic/Processors` });
    expect(docAt(r.docs, `${S}/Processors/cpu0`)).toMatchObject({ AccelerationFunctions: { '@odata.id': `${S}/Processors/cpu0/AccelerationFunctions` }, SubProcessors: { '@odata.id': `${S}/Processors/cpu0/SubProcessors` } });
    const reasons = r.unmapped.map((n) => `${n.source} ${n.reason}`);
    expect(reasons).toContainEqual(expect.stringMatching(/af_ch DMTF defines no AccelerationFunction under Processor/));
    expect(reasons).toContainEqual(expect.stringMatching(/loop\d (is its own ancestor|parent Processor "loop\d" has no place)/));
    expect(r.docs.some((d) => d.uri.includes('loop'))).toBe(false);
    expectSoundOutput(r);
  });

  it('keeps ids with path characters inside one URI segment', () => {
    const snap = sound();
    snap.systems[0]!.id = 'a/b#c';
    snap.chassis[0]!.systemIds = ['a/b#c'];
    snap.components = [part('Memory', '..', { kind: 'System', id: 'a/b#c' }), part('Memory', 'x y', { kind: 'System', id: 'a/b#c' })];
    const r = mapDevice(snap, { source: SRC });
    const sysUri = `/redfish/v1/Systems/${SRC}_a%2Fb%23c`;
    expect(docAt(r.docs, sysUri).Id).toBe(`${SRC}_a/b#c`);
    docAt(r.docs, `${sysUri}/Memory/%2E%2E`);
    docAt(r.docs, `${sysUri}/Memory/x%20y`);
    expectSoundOutput(r);
  });

  it('never throws, whatever the shape of the snapshot or context', () => {
    const junk: unknown[] = [null, undefined, 42, 'x', [], {}, { systems: 'x', chassis: 7, managers: null, components: {}, firmware: 'fw' }, { systems: [null, 1, { id: 'ok' }] }];
    for (const j of junk) {
      const r = mapDevice(j as InventorySnapshot, { source: SRC });
      expect(Array.isArray(r.unmapped)).toBe(true);
      expectSoundOutput(r);
    }
    expect(mapDevice(sound(), { source: '' }).docs).toEqual([]);
    // Not JSON at all (a cycle): reported, not a crash.
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    const cyclic = sound();
    Object.assign(cyclic.systems[0]!, { systemType: cyc });
    cyclic.components[0]!.properties = { CapacityMiB: cyc, Location: { PartLocation: cyc } };
    const rc = mapDevice(cyclic, { source: SRC });
    expectSoundOutput(rc);
    expect(rc.unmapped.map((n) => n.reason)).toContainEqual(expect.stringContaining('not JSON'));
    // A context with broken URIs must not put broken links into documents.
    const fn = '/redfish/v1/Chassis/hosta2_c/NetworkAdapters/a/NetworkDeviceFunctions/f';
    const paired = { ...sound(), systems: sound().systems.map((x) => ({ ...x, isDpu: true })) };
    const bad = mapDevice(paired, { source: SRC, host: { source: 'hosta2', slot: 's', chassisUri: 'C:\\', functionUris: [] }, dpus: [{ source: 'y', slot: '', systemUri: 'x', chassisUri: 'y' }] });
    expectSoundOutput(bad);
    expect(bad.unmapped.map((n) => n.path)).toEqual(expect.arrayContaining(['host', 'dpus']));
    const some = mapDevice(paired, { source: SRC, host: { source: 'hosta2', slot: 's', chassisUri: '/redfish/v1/Chassis/hosta2_c', functionUris: [fn, 5 as never] } });
    expect(docAt(some.docs, S).Links.OffloadedNetworkDeviceFunctions).toEqual([{ '@odata.id': fn }]);
    expect(danglingLinks(some.docs, [fn, '/redfish/v1/Chassis/hosta2_c'])).toEqual([]);
    expect(mapDevice(sound(), null as never).unmapped[0]!.source).toBe('context');
  });

  it('survives junk in any field of a sound snapshot (seeded fuzz)', () => {
    const JUNK: unknown[] = [null, undefined, -1, 1.5, Number.NaN, '', 'x', [], [null], {}, { '@odata.id': '/nowhere' }, true];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const paths = (o: unknown, pre: string[] = []): string[][] => (o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => [[...pre, k], ...paths(v, [...pre, k])]) : []);
    for (let i = 0; i < 1000; i++) {
      const snap = sound() as unknown as Record<string, unknown>;
      const all = paths(snap);
      for (let j = 0; j < 3; j++) {
        const p = all[rnd(all.length)]!;
        let at = snap as Record<string, unknown>;
        for (const k of p.slice(0, -1)) at = (at?.[k] ?? {}) as Record<string, unknown>;
        // Snapshots are JSON (drivers guarantee it), so each junk value is a fresh copy, never a shared or cyclic one.
        if (at && typeof at === 'object') at[p[p.length - 1]!] = structuredClone(JUNK[rnd(JUNK.length)]);
      }
      expectSoundOutput(mapDevice(snap as unknown as InventorySnapshot, { source: SRC }));
    }
  });
});
