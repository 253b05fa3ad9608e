/**
 * LogServices on real log records: the openbmc-host and bluefield3 personas (and ipmi-legacy's SEL) are read through
 * their built-in drivers, faults make crash dumps, and `mapDeviceLogs` turns the records into each system's
 * LogServices. Every document must validate against its DMTF JSON Schema, sit at a DMTF URI, and link only to
 * documents that exist, the system's own document (with its new `LogServices` link) included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventorySnapshot, LogRecord } from '../../../src/drivers/api.js';
import { mapDevice } from '../../../src/inventory/map/index.js';
import { attachLogServices, mapDeviceLogs, type DeviceLogsResult } from '../../../src/inventory/map/logs.js';
import { rf } from '../../../mock-hardware/test/helpers.js';
import { ipmiToolsMissing } from '../../conformance/targets/ipmi-legacy.js';
import { capture, danglingLinks, docAt, ids, misplaced, mockupDir, schemaFailures, type Captured } from './support.js';

const SOURCE: Record<string, string> = { 'openbmc-host': 'hostl4', bluefield3: 'dpul4', 'dmtf-mockup': 'mockl4', 'ipmi-legacy': 'ipmil4' };
const ipmiMissing = ipmiToolsMissing();

/** The device's mapped tree with the log documents added and each system linked to its LogServices. */
function tree(persona: string, snap: InventorySnapshot, logs: DeviceLogsResult) {
  const mapped = mapDevice(snap, { source: SOURCE[persona]! }).docs.map((d) => (logs.links.has(d.uri) ? { ...d, body: attachLogServices(d.body, logs.links.get(d.uri)) } : d));
  return [...mapped, ...logs.docs];
}

const mapFor = (persona: string, snap: InventorySnapshot, records: LogRecord[]) => mapDeviceLogs({ source: SOURCE[persona]!, systems: snap.systems, records });

function checkTree(persona: string, snap: InventorySnapshot, logs: DeviceLogsResult): void {
  const docs = tree(persona, snap, logs);
  expect(schemaFailures(docs)).toEqual([]);
  expect(misplaced(docs)).toEqual([]);
  expect(danglingLinks(docs)).toEqual([]);
  for (const [system, uri] of logs.links) expect(docAt(docs, system).LogServices).toEqual({ '@odata.id': uri });
}

describe('through the Redfish drivers (openbmc-host with a bluefield3 DPU, and DMTF public-smartnic)', () => {
  let cap: Captured;
  const of = (persona: string) => [...cap.snaps.values()].find((s) => s.device.persona === persona)!;

  beforeAll(async () => {
    cap = await capture(4, [{ persona: 'openbmc-host', count: 1, dpusPerHost: 1 }, { persona: 'dmtf-mockup', count: 1, options: { mockup: mockupDir() } }], { logs: true });
  }, 60_000);
  afterAll(async () => cap?.stop());

  it('a host found running serves the POST codes of the boot that got it there, and nothing else yet', () => {
    const { snap, logs } = of('openbmc-host');
    const r = mapFor('openbmc-host', snap, logs!);
    const base = `/redfish/v1/Systems/${SOURCE['openbmc-host']}_system/LogServices`;
    expect([...r.links]).toEqual([[`/redfish/v1/Systems/${SOURCE['openbmc-host']}_system`, base]]);
    expect(ids(docAt(r.docs, base).Members)).toEqual([`${base}/PostCodes`]);
    const svc = docAt(r.docs, `${base}/PostCodes`);
    expect(svc).toMatchObject({ Id: 'PostCodes', LogEntryType: 'Event', LogPurposes: ['ExternalEntity'], MaxNumberOfRecords: 200, OverWritePolicy: 'WrapsWhenFull' });
    const entries = ids(docAt(r.docs, `${base}/PostCodes/Entries`).Members).map((u) => docAt(r.docs, u));
    expect(entries.map((e) => e.MessageArgs[2])).toEqual(['0x01', '0x0b', '0x32', '0x92', '0xa0', '0xad', '0xaf']);
    expect(entries.every((e) => e.MessageId === 'OpenBMC.0.2.BIOSPOSTCode' && e.EntryType === 'Event')).toBe(true);
    expect(r.unmapped).toEqual([]);
    checkTree('openbmc-host', snap, r);
  });

  it('a DPU without log entries gets no LogServices', () => {
    const { snap, logs } = of('bluefield3');
    const r = mapFor('bluefield3', snap, logs!);
    expect(r.docs).toEqual([]);
    expect(r.links.size).toBe(0);
  });

  it('a DPU kernel panic becomes a crash-dump entry in the DPU system Dump log, and the BMC dump stays out', async () => {
    const { device, snap } = of('bluefield3');
    cap.fleet.inject(device.id, { kind: 'dpu-kernel-panic' });
    // A BMC dump lands in the manager's log, which is not a system log.
    expect((await rf(device, 'POST', '/redfish/v1/Managers/Bluefield_BMC/LogServices/Dump/Actions/LogService.CollectDiagnosticData', { DiagnosticDataType: 'Manager' })).status).toBe(202);
    cap.fleet.clock.advance(120_000);
    const records = (await cap.readLogs(device.id))!;
    expect(records.some((x) => x.source?.startsWith('/redfish/v1/Managers/'))).toBe(true);
    const r = mapFor('bluefield3', snap, records);
    const base = `/redfish/v1/Systems/${SOURCE.bluefield3}_Bluefield/LogServices`;
    expect(ids(docAt(r.docs, base).Members)).toEqual([`${base}/EventLog`, `${base}/Dump`]);
    expect(docAt(r.docs, `${base}/Dump`)).toMatchObject({ LogEntryType: 'OEM', LogPurposes: ['Diagnostic'] });
    const dumps = ids(docAt(r.docs, `${base}/Dump/Entries`).Members).map((u) => docAt(r.docs, u));
    expect(dumps).toHaveLength(1);
    expect(dumps[0]).toMatchObject({ Id: '1', EntryType: 'Oem', OemRecordFormat: 'Crashdump', Severity: 'Critical', DiagnosticDataType: 'OEM', OEMDiagnosticDataType: 'ArmOsCrashDump' });
    expect(dumps[0]!.AdditionalDataURI).toBeUndefined();
    const events = ids(docAt(r.docs, `${base}/EventLog/Entries`).Members).map((u) => docAt(r.docs, u).MessageId);
    expect(events).toEqual(expect.arrayContaining(['Platform.1.3.OperatingSystemCrash', 'LogService.1.1.DiagnosticDataCollected']));
    const reasons = r.unmapped.map((n) => `${n.source}: ${n.reason}`);
    expect(reasons).toContain("/redfish/v1/Systems/Bluefield/LogServices/Dump: AdditionalDataURI left out: the gateway does not serve the device's attachments");
    expect(reasons).toContain('/redfish/v1/Managers/Bluefield_BMC/LogServices/Dump: a log of /redfish/v1/Managers/Bluefield_BMC, not of a system: not served');
    checkTree('bluefield3', snap, r);
  });

  it('a hard host crash becomes a system dump entry in the host Dump log, beside its events and POST codes', async () => {
    const { device, snap } = of('openbmc-host');
    cap.fleet.inject(device.id, { kind: 'host-crash', mode: 'hard' });
    cap.fleet.clock.advance(120_000);
    const r = mapFor('openbmc-host', snap, (await cap.readLogs(device.id))!);
    const base = `/redfish/v1/Systems/${SOURCE['openbmc-host']}_system/LogServices`;
    expect(ids(docAt(r.docs, base).Members)).toEqual(['EventLog', 'Dump', 'PostCodes'].map((k) => `${base}/${k}`));
    const dumps = ids(docAt(r.docs, `${base}/Dump/Entries`).Members).map((u) => docAt(r.docs, u));
    expect(dumps.map((d) => [d.EntryType, d.DiagnosticDataType, d.OEMDiagnosticDataType])).toEqual([['Event', 'OEM', 'System']]);
    expect(docAt(r.docs, `${base}/EventLog`).LogEntryType).toBe('Event');
    checkTree('openbmc-host', snap, r);
  });

  it("serves DMTF's mockup SEL (a log named Log1) as the event log of the system that has it", () => {
    const { snap, logs } = of('dmtf-mockup');
    const r = mapFor('dmtf-mockup', snap, logs!);
    const sys = `/redfish/v1/Systems/${SOURCE['dmtf-mockup']}_437XR1138R2`;
    expect([...r.links]).toEqual([[sys, `${sys}/LogServices`]]);
    expect(docAt(r.docs, `${sys}/LogServices/EventLog`)).toMatchObject({ LogEntryType: 'SEL', Description: expect.stringContaining('log Log1') });
    const entries = ids(docAt(r.docs, `${sys}/LogServices/EventLog/Entries`).Members).map((u) => docAt(r.docs, u));
    expect(entries.map((e) => [e.Id, e.EntryType, e.MessageId, e.Severity])).toEqual([
      ['Log1_1', 'SEL', '0x592A28', 'Critical'],
      ['Log1_2', 'SEL', '0x592E28', 'Critical'],
    ]);
    // The manager's log is read too, and is not a system's.
    expect(r.unmapped).toEqual([{ source: '/redfish/v1/Managers/BMC/LogServices/Log', reason: 'a log of /redfish/v1/Managers/BMC, not of a system: not served' }]);
    checkTree('dmtf-mockup', snap, r);
  });

  it('keeps the newest entries of a long log, up to the bound', async () => {
    const { device, snap } = of('openbmc-host');
    // Each reset adds seven POST codes; the device keeps 1,000 and the driver reads them all.
    for (let i = 0; i < 40; i++) {
      await rf(device, 'POST', '/redfish/v1/Systems/system/Actions/ComputerSystem.Reset', { ResetType: 'ForceRestart' });
      cap.fleet.clock.advance(200_000);
    }
    const records = (await cap.readLogs(device.id))!;
    const posts = records.filter((x) => x.log === 'PostCodes');
    expect(posts.length).toBeGreaterThan(200);
    const r = mapDeviceLogs({ source: SOURCE['openbmc-host']!, systems: snap.systems, records });
    const entries = ids(docAt(r.docs, `/redfish/v1/Systems/${SOURCE['openbmc-host']}_system/LogServices/PostCodes/Entries`).Members);
    expect(entries).toHaveLength(200);
    expect(entries.map((u) => u.split('/').pop())).toEqual(posts.slice(-200).map((x) => x.id));
    const small = mapDeviceLogs({ source: SOURCE['openbmc-host']!, systems: snap.systems, records }, { maxEntries: 10 });
    expect(docAt(small.docs, `/redfish/v1/Systems/${SOURCE['openbmc-host']}_system/LogServices/PostCodes`).MaxNumberOfRecords).toBe(10);
    expect(small.docs.filter((d) => d.body['@odata.type'] === '#LogEntry.v1_21_0.LogEntry').length).toBeLessThanOrEqual(30);
    checkTree('openbmc-host', snap, r);
  }, 60_000);
});

describe.skipIf(!!ipmiMissing)('through the IPMI driver (ipmi-legacy SEL)', () => {
  let cap: Captured;
  beforeAll(async () => {
    cap = await capture(4, [{ persona: 'ipmi-legacy', count: 1 }], { logs: true });
  }, 60_000);
  afterAll(async () => cap?.stop());

  it('serves the SEL as the system event log, entries keyed by SEL record', () => {
    const { snap, logs } = [...cap.snaps.values()][0]!;
    expect(logs!.length).toBeGreaterThan(0);
    const r = mapFor('ipmi-legacy', snap, logs!);
    const sys = `/redfish/v1/Systems/${SOURCE['ipmi-legacy']}_${snap.systems[0]!.id}`;
    expect(r.links.get(sys)).toBe(`${sys}/LogServices`);
    expect(ids(docAt(r.docs, `${sys}/LogServices`).Members)).toEqual([`${sys}/LogServices/EventLog`]);
    expect(docAt(r.docs, `${sys}/LogServices/EventLog`)).toMatchObject({ LogEntryType: 'SEL', Description: expect.stringContaining('log SEL') });
    const entries = ids(docAt(r.docs, `${sys}/LogServices/EventLog/Entries`).Members).map((u) => docAt(r.docs, u));
    expect(entries.map((e) => e.Id)).toEqual(logs!.map((x) => `SEL_${x.id}`));
    expect(entries.every((e) => e.EntryType === 'SEL')).toBe(true);
    expect(r.unmapped).toEqual([]);
    checkTree('ipmi-legacy', snap, r);
  });
});
