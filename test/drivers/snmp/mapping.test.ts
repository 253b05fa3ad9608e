import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapEntities, parseEntityTable, PhysicalClass, type EntityRow } from '../../../src/drivers/snmp/entity-mib.js';
import { buildSnapshot } from '../../../src/drivers/snmp/snapshot.js';
import { enterpriseNumber, parseSysDescr, systemGroup, vendorFromSysObjectId } from '../../../src/drivers/snmp/sys-descr.js';
import type { RawVarbind } from '../../../src/drivers/snmp/varbinds.js';

// Walks captured from real agents: the snmp-agent persona (Debian snmpd + ENTITY-MIB pass script) and a stock snmpd.
interface Fixture {
  captured: string;
  system: RawVarbind[];
  entPhysicalTable: RawVarbind[];
}
const fixture = (name: string): Fixture => JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', `${name}.json`), 'utf8')) as Fixture;
const TAKEN = Date.UTC(2026, 0, 1, 12);
const ids = { systemId: 'system', managerId: 'agent' };

describe('snmp mapping: SmartNIC agent (persona capture)', () => {
  const fx = fixture('smartnic');
  const snap = buildSnapshot({ ...fx, takenAt: TAKEN });

  it('takes the device identity from the top ENTITY-MIB chassis', () => {
    expect(snap.endpoint).toMatchObject({ serialNumber: 'CSN2200A0001', manufacturer: 'Contoso', vendor: 'Contoso', model: 'SmartNIC SN2200', product: 'SmartNIC SN2200', firmwareVersion: '4.2.1' });
    expect(snap.systems).toHaveLength(1);
    expect(snap.systems[0]).toMatchObject({ id: 'system', powerState: 'On', resetTypes: [], isDpu: true, name: 'snmp-csn2200a0001', chassisIds: ['entity-1'], managerIds: ['agent'] });
    expect(snap.systems[0]!.processorSummary).toEqual({ count: 1, model: 'Cortex-A78AE' });
  });

  it('builds the chassis tree from entPhysicalContainedIn', () => {
    const byId = new Map(snap.chassis.map((c) => [c.id, c]));
    expect(byId.get('entity-1')).toMatchObject({ chassisType: 'Card', name: 'Card', systemIds: ['system'], resetTypes: [] });
    expect(byId.get('entity-1')!.containedBy).toBeUndefined();
    expect(byId.get('entity-2')).toMatchObject({ chassisType: 'Module', containedBy: 'entity-1', identity: { serialNumber: 'MBCSN2200A0001' } });
    expect(byId.get('entity-4')).toMatchObject({ chassisType: 'Module', containedBy: 'entity-2', identity: { firmwareVersion: '2.8.1' } });
  });

  it('places processors under the system and sensors under their nearest chassis', () => {
    const cpu = snap.components.find((c) => c.kind === 'Processor');
    expect(cpu).toMatchObject({ id: 'entity-3', parent: { kind: 'System', id: 'system' }, identity: { manufacturer: 'Arm', model: 'Cortex-A78AE' }, properties: { ProcessorType: 'CPU', Version: 'r0p1' } });
    const sensors = snap.components.filter((c) => c.kind === 'Sensor');
    // CPU Temp sits inside the CPU (entity 3), which is no chassis: its chassis is the board.
    expect(sensors.map((s) => [s.name, s.parent.id, s.properties.ReadingType])).toEqual([
      ['Inlet Temp', 'entity-2', 'Temperature'],
      ['CPU Temp', 'entity-2', 'Temperature'],
    ]);
  });

  it('reports firmware revisions as read-only components, ports as unmapped, and keeps the raw walks', () => {
    expect(snap.firmware.map((f) => [f.id, f.version, f.componentRole, f.updateable])).toEqual([
      ['entity-1-firmware', '4.2.1', 'Device', false],
      ['entity-4-firmware', '2.8.1', 'BMC', false],
    ]);
    expect(snap.managers[0]).toMatchObject({ id: 'agent', identity: { firmwareVersion: '2.8.1' }, resetTypes: [] });
    const uptimeCs = fx.system.find((v) => v.oid === '1.3.6.1.2.1.1.3.0')!.value as number;
    expect(snap.managers[0]!.lastResetTime).toBe(new Date(TAKEN - uptimeCs * 10).toISOString());
    expect(snap.unmapped.map((u) => [u.source, u.path])).toEqual([
      ['entPhysicalTable', 'entPhysicalClass.5'],
      ['entPhysicalTable', 'entPhysicalClass.6'],
    ]);
    // Every source names a raw payload (the conformance kit checks the same).
    for (const x of [...snap.systems, ...snap.chassis, ...snap.managers, ...snap.components, ...snap.firmware]) expect(snap.raw).toHaveProperty([x.source!]);
    expect(snap.unmapped[0]!.reason).toMatch(/port "p0"/);
    expect(snap.raw.system).toEqual(fx.system);
    expect(snap.raw.entPhysicalTable).toEqual(fx.entPhysicalTable);
  });
});

describe('snmp mapping: stock snmpd without ENTITY-MIB (capture)', () => {
  const snap = buildSnapshot({ ...fixture('stock-snmpd'), takenAt: TAKEN });

  it('falls back to sysDescr and does not take net-snmp for the manufacturer', () => {
    expect(snap.chassis).toEqual([]);
    expect(snap.components).toEqual([]);
    expect(snap.endpoint.manufacturer).toBeUndefined();
    expect(snap.endpoint.product).toBe('Linux');
    expect(snap.systems[0]).toMatchObject({ name: 'stock-host', isDpu: false, chassisIds: [], resetTypes: [] });
    expect(snap.firmware).toHaveLength(1);
    expect(snap.firmware[0]).toMatchObject({ id: 'sysDescr-firmware', name: 'Linux', updateable: false });
    expect(snap.firmware[0]!.version).toBe(snap.endpoint.firmwareVersion);
    expect(snap.unmapped).toEqual([]);
  });
});

describe('sysDescr and sysObjectID', () => {
  it('reads vendor, product and firmware where the text has them', () => {
    expect(parseSysDescr('Contoso SmartNIC SN2200 firmware 4.2.1')).toEqual({ vendor: 'Contoso', product: 'SmartNIC SN2200', firmwareVersion: '4.2.1' });
    expect(parseSysDescr('Linux bf3 5.15.0-1032-bluefield #34 SMP aarch64')).toEqual({ product: 'Linux', firmwareVersion: '5.15.0-1032-bluefield' });
    expect(parseSysDescr('Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 12.2(55)SE, RELEASE SOFTWARE (fc2)').firmwareVersion).toBe('12.2(55)SE');
    expect(parseSysDescr('PDU-42')).toEqual({ product: 'PDU-42' });
    expect(parseSysDescr('')).toEqual({});
    expect(parseSysDescr(undefined)).toEqual({});
  });

  it('knows enterprise numbers only under 1.3.6.1.4.1', () => {
    expect(enterpriseNumber('.1.3.6.1.4.1.9.1.1208')).toBe(9);
    expect(vendorFromSysObjectId('1.3.6.1.4.1.9.1.1208')).toBe('Cisco');
    expect(vendorFromSysObjectId('1.3.6.1.4.1.8072.3.2.10')).toBeUndefined();
    expect(enterpriseNumber('1.3.6.1.2.1.1')).toBeUndefined();
  });

  it('leaves out scalars the agent did not have', () => {
    const g = systemGroup([
      { oid: '1.3.6.1.2.1.1.1.0', type: 'OctetString', value: 'x y' },
      { oid: '1.3.6.1.2.1.1.5.0', type: 'NoSuchObject', value: null },
      { oid: '.1.3.6.1.2.1.1.2.0', type: 'OID', value: '.1.3.6.1.4.1.9.1' },
    ]);
    expect(g).toEqual({ sysDescr: 'x y', sysObjectId: '1.3.6.1.4.1.9.1' });
  });
});

describe('ENTITY-MIB edge cases', () => {
  const vb = (col: number, index: number, type: string, value: string | number | null): RawVarbind => ({ oid: `1.3.6.1.2.1.47.1.1.1.1.${col}.${index}`, type, value });

  it('drops zeroDotZero vendor types, exceptions and OIDs outside the table', () => {
    const rows = parseEntityTable([
      vb(3, 1, 'OID', '0.0'),
      vb(5, 1, 'Integer', 3),
      vb(7, 1, 'NoSuchInstance', null),
      vb(16, 1, 'Integer', 1),
      { oid: '1.3.6.1.2.1.47.1.2.1.1.2.1', type: 'OctetString', value: 'logical' },
      { oid: '1.3.6.1.2.1.47.1.1.1.1.7.1.9', type: 'OctetString', value: 'bad index' },
    ]);
    expect(rows).toEqual([{ index: 1, class: 3, isFru: true }]);
  });

  it('sees through slots, survives containment loops and notes what it cannot place', () => {
    const rows: EntityRow[] = [
      { index: 1, class: PhysicalClass.chassis, name: 'Shelf', containedIn: 0, serial: 'SHELF1' },
      { index: 2, class: PhysicalClass.container, name: 'Slot 1', containedIn: 1 },
      { index: 3, class: PhysicalClass.module, name: 'Line card', containedIn: 2 },
      { index: 4, class: PhysicalClass.fan, name: 'Fan 1', containedIn: 1, firmwareRev: '1.0' },
      { index: 5, class: PhysicalClass.storageDrive, name: 'eMMC', containedIn: 3, firmwareRev: 'FW9' },
      { index: 6, class: PhysicalClass.sensor, name: 'Lost', containedIn: 7 },
      { index: 7, class: PhysicalClass.other, name: 'Loop A', containedIn: 8 },
      { index: 8, class: PhysicalClass.other, name: 'Loop B', containedIn: 7 },
    ];
    const m = mapEntities(rows, ids);
    expect(m.chassis.map((c) => [c.id, c.chassisType, c.containedBy])).toEqual([
      ['entity-1', 'Enclosure', undefined],
      ['entity-3', 'Module', 'entity-1'],
    ]);
    expect(m.identity).toEqual({ serialNumber: 'SHELF1' });
    expect(m.components).toEqual([expect.objectContaining({ kind: 'Drive', id: 'entity-5', parent: { kind: 'Chassis', id: 'entity-3' }, properties: { Revision: 'FW9' } })]);
    expect(m.firmware.map((f) => f.id)).toEqual(['entity-4-firmware', 'entity-5-firmware']);
    const reasons = m.unmapped.map((u) => `${u.path}: ${u.reason}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^entPhysicalClass\.2: container "Slot 1"/),
      expect.stringMatching(/^entPhysicalClass\.4: fan "Fan 1"/),
      expect.stringMatching(/^entPhysicalContainedIn\.6: sensor "Lost" is not inside any chassis/),
      expect.stringMatching(/^entPhysicalClass\.7: other "Loop A"/),
      expect.stringMatching(/^entPhysicalClass\.8: other "Loop B"/),
    ]);
  });

  it('notes a row whose parent is missing and treats it as top level', () => {
    const m = mapEntities([{ index: 2, class: PhysicalClass.chassis, containedIn: 9, descr: 'Orphan adapter' }], ids);
    expect(m.topChassisIds).toEqual(['entity-2']);
    expect(m.chassis[0]).toMatchObject({ chassisType: 'Card', name: 'Orphan adapter' });
    expect(m.unmapped[0]).toMatchObject({ source: 'entPhysicalTable', path: 'entPhysicalContainedIn.2' });
  });
});
