/**
 * The log mapper on made-up records: the bound, which log each record goes to, whose log it is, and garbage. It never
 * throws, reports what it drops once per log and reason, and what it emits still validates, sits at DMTF URIs and
 * links only to documents it emitted (and the system they hang under).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/drivers/api.js';
import { attachLogServices, LOG_TYPES, mapDeviceLogs, mapLogs, type LogsResult } from '../../../src/inventory/map/logs.js';
import { sharedDir } from '../../support/shared-dir.js';
import { danglingLinks, docAt, ids, misplaced, schemaFailures } from './support.js';

const SYS = '/redfish/v1/Systems/malfl2_sys';
const DEV = '/redfish/v1/Systems/sys';
const T0 = Date.UTC(2025, 0, 1);

/** An event log record of the device's system `sys`, `n` seconds after T0. */
const rec = (id: string, extra: Partial<LogRecord> = {}, n = Number(id)): LogRecord => ({
  id,
  log: 'EventLog',
  message: `event ${id}`,
  entryType: 'Event',
  severity: 'OK',
  created: new Date(T0 + n * 1000).toISOString(),
  source: `${DEV}/LogServices/${extra.log ?? 'EventLog'}/Entries/${id}`,
  ...extra,
});

const entriesOf = (r: LogsResult, kind: string) => ids(docAt(r.docs, `${SYS}/LogServices/${kind}/Entries`).Members).map((u) => docAt(r.docs, u));
const reasons = (r: { unmapped: { source: string; path?: string; reason: string }[] }) => r.unmapped.map((n) => `${n.source}${n.path ? `#${n.path}` : ''}: ${n.reason}`);

function sound(r: LogsResult): void {
  expect(schemaFailures(r.docs)).toEqual([]);
  expect(misplaced(r.docs)).toEqual([]);
  expect(danglingLinks(r.docs, [SYS])).toEqual([]);
}

describe('mapLogs', () => {
  it('keeps the newest entries by Created, in time order, whatever order the driver gave', () => {
    const records = Array.from({ length: 1000 }, (_, i) => rec(String(i + 1)));
    records.reverse();
    const r = mapLogs(records, { systemUri: SYS, deviceUri: DEV });
    expect(entriesOf(r, 'EventLog').map((e) => e.Id)).toEqual(Array.from({ length: 200 }, (_, i) => String(801 + i)));
    expect(docAt(r.docs, `${SYS}/LogServices/EventLog`)).toMatchObject({ MaxNumberOfRecords: 200, OverWritePolicy: 'WrapsWhenFull' });
    expect(docAt(r.docs, `${SYS}/LogServices/EventLog/Entries`)['Members@odata.count']).toBe(200);
    expect(r.docs).toHaveLength(1 + 1 + 1 + 200);
    sound(r);
    expect(entriesOf(mapLogs(records, { systemUri: SYS }, { maxEntries: 3 }), 'EventLog').map((e) => e.Id)).toEqual(['998', '999', '1000']);
    for (const bad of [0, 1001, 2.5, 'many']) {
      const b = mapLogs(records, { systemUri: SYS }, { maxEntries: bad as number });
      expect(entriesOf(b, 'EventLog')).toHaveLength(200);
      expect(reasons(b)[0]).toMatch(/^logs#maxEntries: not an integer from 1 to 1000/);
    }
  });

  it('sorts records into the event log, dumps and POST codes, with ids that cannot collide', () => {
    const r = mapLogs(
      [
        rec('1'),
        rec('1', { log: 'SEL', entryType: 'sel' }),
        rec('2', { diagnosticDataType: 'CPER', additionalDataUri: `${DEV}/LogServices/EventLog/Entries/2/attachment` }),
        rec('1', { log: 'Dump', entryType: 'Event', diagnosticDataType: 'OEM', oemDiagnosticDataType: 'System' }),
        rec('1', { log: 'Crashdump', entryType: 'Oem', diagnosticDataType: 'OEM', oemDiagnosticDataType: 'PECICrashdump' }),
        rec('2', { log: 'Crashdump', entryType: 'Oem', diagnosticDataType: 'BMC' }),
        rec('B1-1', { log: 'PostCodes', messageId: 'OpenBMC.0.2.BIOSPOSTCode', messageArgs: ['1', '0.0000', '0x01'] }, 3),
        rec('7', { log: 'Lclog', entryType: 'Syslog' }),
        rec('9', { log: 'Lclog' }),
        rec('1', { log: 'HostLogger', entryType: 'Oem', oemRecordFormat: 'Host Logger Entry' }),
      ],
      { systemUri: SYS, deviceUri: DEV },
    );
    expect(ids(docAt(r.docs, `${SYS}/LogServices`).Members)).toEqual(['EventLog', 'Dump', 'PostCodes'].map((k) => `${SYS}/LogServices/${k}`));
    const events = entriesOf(r, 'EventLog');
    expect(events.map((e) => e.Id)).toEqual(['1', 'SEL_1', '2', 'Lclog_9']);
    expect(events.map((e) => e.EntryType)).toEqual(['Event', 'SEL', 'Event', 'Event']);
    // A vendor's event log may carry CPER attachments; it stays the event log.
    expect(events[2]).toMatchObject({ DiagnosticDataType: 'CPER' });
    expect(docAt(r.docs, `${SYS}/LogServices/EventLog`)).toMatchObject({ LogEntryType: 'Multiple', Description: expect.stringContaining('logs EventLog, SEL, Lclog') });
    const dumps = entriesOf(r, 'Dump');
    expect(dumps.map((e) => [e.Id, e.EntryType, e.DiagnosticDataType, e.OEMDiagnosticDataType])).toEqual([
      ['1', 'Event', 'OEM', 'System'],
      ['Crashdump_1', 'Oem', 'OEM', 'PECICrashdump'],
      ['Crashdump_2', 'Oem', 'OEM', 'BMC'],
    ]);
    expect(dumps[1]!.OemRecordFormat).toBeUndefined();
    expect(entriesOf(r, 'PostCodes').map((e) => e.Id)).toEqual(['B1-1']);
    expect(reasons(r)).toEqual([
      `${DEV}/LogServices/Lclog: not an event log, dump or POST code log (EntryType "Syslog"): not served`,
      `${DEV}/LogServices/HostLogger: not an event log, dump or POST code log (EntryType "Oem"): not served`,
      `${DEV}/LogServices/EventLog#additionalDataUri: AdditionalDataURI left out: the gateway does not serve the device's attachments`,
      `${DEV}/LogServices/Crashdump#diagnosticDataType: not a DMTF DiagnosticDataType: "BMC"; served as OEM`,
    ]);
    sound(r);
  });

  it('maps an attachment only to a URI the gateway serves', () => {
    const records = [rec('1', { log: 'Dump', diagnosticDataType: 'OS', additionalDataUri: `${DEV}/LogServices/Dump/Entries/1/attachment` }), rec('2', { log: 'Dump', diagnosticDataType: 'OS', additionalDataUri: 'x' })];
    const r = mapLogs(records, { systemUri: SYS }, { attachmentUri: (u) => (u.startsWith('/redfish/') ? `${SYS}/LogServices/Dump/Entries/1/attachment` : `https://bmc.example${u}`) });
    expect(entriesOf(r, 'Dump').map((e) => e.AdditionalDataURI)).toEqual([`${SYS}/LogServices/Dump/Entries/1/attachment`, undefined]);
    expect(reasons(r)).toHaveLength(1);
  });

  it('serves a system only its own logs: other systems are theirs, managers and chassis are reported once', () => {
    const a = (id: string, log = 'EventLog') => rec(id, { log, source: `/redfish/v1/Systems/a/LogServices/${log}/Entries/${id}` });
    const b = (id: string) => rec(id, { source: `/redfish/v1/Systems/b/LogServices/EventLog/Entries/${id}` });
    const m = (id: string) => rec(id, { log: 'Dump', diagnosticDataType: 'Manager', source: `/redfish/v1/Managers/bmc/LogServices/Dump/Entries/${id}` });
    const records = [a('1'), a('2'), b('3'), m('4'), m('5'), rec('6', { log: 'SEL', source: 'sel' }), rec('7', { source: '/redfish/v1/JobService/Log/Entries/7' })];
    const r = mapDeviceLogs({ source: 'malfl2', systems: [{ id: 'a', source: '/redfish/v1/Systems/a' }, { id: 'b', source: '/redfish/v1/Systems/b/' }], records });
    const entries = (s: string) => ids(docAt(r.docs, `/redfish/v1/Systems/malfl2_${s}/LogServices/EventLog/Entries`).Members).map((u) => u.split('/').pop());
    expect(entries('a')).toEqual(['1', '2']);
    expect(entries('b')).toEqual(['3']);
    expect([...r.links.keys()]).toEqual(['/redfish/v1/Systems/malfl2_a', '/redfish/v1/Systems/malfl2_b']);
    expect(reasons(r)).toEqual([
      'logs: 1 records name no system, and the device has 2: not mapped',
      '/redfish/v1/Managers/bmc/LogServices/Dump: a log of /redfish/v1/Managers/bmc, not of a system: not served (2 entries)',
      'logs/EventLog: a log of /redfish/v1/JobService/Log/Entries/7, not of a system: not served',
    ]);
    const odd = mapDeviceLogs({ source: 'malfl2', systems: [{ id: 'a', source: '/redfish/v1/Systems/a' }, { id: 'a' }, { id: 'c' }], records });
    expect([...odd.links.keys()]).toEqual(['/redfish/v1/Systems/malfl2_a']);
    expect(reasons(odd)).toContain(`logs: system "c" has no device URI to tell its logs from its siblings': no logs`);
    // One system: a record without a URI is that system's.
    const one = mapDeviceLogs({ source: 'malfl2', systems: [{ id: 'sys', source: 'chassis' }], records: [rec('6', { log: 'SEL', entryType: 'SEL', source: 'sel' })] });
    expect(ids(docAt(one.docs, `${SYS}/LogServices/EventLog/Entries`).Members)).toEqual([`${SYS}/LogServices/EventLog/Entries/SEL_6`]);
  });

  it('reports garbage, never throws, and what it serves still validates with safe entry ids', () => {
    const cyclic: Record<string, unknown> = { id: '40', log: 'EventLog' };
    cyclic.messageArgs = [cyclic];
    const hostile = new Proxy({}, { get: () => { throw new Error('boom'); }, has: () => { throw new Error('boom'); } });
    const garbage = [
      null, 42, 'text', [], {}, { id: '', log: 'EventLog' }, { id: 'x', log: 5 }, { id: 'bad\u0001', log: 'EventLog' },
      rec('1', { created: 'yesterday', severity: 'Bad' as never, messageArgs: [1] as never, entryType: 7 as never, message: {} as never, messageId: 3 as never, diagnosticDataType: 9 as never, additionalDataUri: 5 as never }),
      rec('1'), rec('../..', {}, 4), rec('a/b#c?d', {}, 5), rec('.', {}, 6), rec('%2F', {}, 7), cyclic,
      rec('2', { log: 'Dump', diagnosticDataType: 'OEM' }), rec('3', { created: 1234 as never, source: 42 as never }),
    ] as unknown as LogRecord[];
    const r = mapLogs(garbage, { systemUri: SYS, deviceUri: DEV });
    sound(r);
    const ev = entriesOf(r, 'EventLog');
    expect(ev.map((e) => e.Id)).toEqual(['1', '40', '3', '../..', 'a/b#c?d', '.', '%2F']);
    expect(ids(docAt(r.docs, `${SYS}/LogServices/EventLog/Entries`).Members).slice(3)).toEqual(['..%2F..', 'a%2Fb%23c%3Fd', '%2E', '%252F'].map((s) => `${SYS}/LogServices/EventLog/Entries/${s}`));
    expect(ev[0]).toEqual({ '@odata.id': `${SYS}/LogServices/EventLog/Entries/1`, '@odata.type': LOG_TYPES.LogEntry, Id: '1', Name: 'Event Log Entry', EntryType: 'Event' });
    expect(entriesOf(r, 'Dump')[0]).toMatchObject({ DiagnosticDataType: 'OEM' });
    expect(reasons(r)).toEqual(
      expect.arrayContaining([
        'logs: not a log record: null',
        'logs: not a log record: 42',
        'logs: no usable entry id: ""',
        'logs: no usable log name: 5',
        'logs: no usable entry id: "bad\\u0001"',
        `${DEV}/LogServices/EventLog#entryType: not a string: 7; served as Event`,
        `${DEV}/LogServices/EventLog#created: not an RFC 3339 date-time with offset: "yesterday"`,
        `${DEV}/LogServices/EventLog#messageArgs: not a list of strings: [1]`,
        `${DEV}/LogServices/EventLog#id: a second entry with id "1" in log "EventLog": dropped`,
        'logs/EventLog#created: not an RFC 3339 date-time with offset: 1234',
      ]),
    );
    expect(reasons(r).some((x) => x.includes('not JSON'))).toBe(true);
    expect(reasons(mapLogs([hostile as LogRecord], { systemUri: SYS }))).toEqual(['logs: mapping failed: boom']);
    const two = [{ id: 'a', source: '/redfish/v1/Systems/a' }, { id: 'b', source: '/redfish/v1/Systems/b' }];
    expect(reasons(mapDeviceLogs({ source: 'malfl2', systems: two, records: [hostile as LogRecord] }))).toEqual(['logs: mapping failed: boom']);
    expect(reasons(mapDeviceLogs(hostile as never))).toEqual(['logs: mapping failed: boom']);
    expect(reasons(mapLogs('nope' as never, { systemUri: SYS }))).toEqual(['logs: the log records are not a list: "nope"']);
    for (const t of [undefined, {}, { systemUri: 'Systems/x' }, { systemUri: 7 }]) expect(mapLogs([rec('1')], t as never)).toMatchObject({ docs: [], logServicesUri: undefined });
    for (const input of [undefined, {}, { source: 'ok', systems: 'no', records: 5 }, { source: 'ok', systems: [{ id: 'sys' }], records: 5 }]) {
      const d = mapDeviceLogs(input as never);
      expect(d.docs).toEqual([]);
      expect(d.unmapped.length).toBeGreaterThan(0);
    }
    expect(mapLogs([], { systemUri: SYS })).toEqual({ docs: [], logServicesUri: undefined, unmapped: [] });
  });
});

describe('attachLogServices and the pinned types', () => {
  it('links the system to its LogServices in a new object, and leaves it alone without logs', () => {
    const body = { '@odata.id': SYS, Id: 'malfl2_sys' };
    expect(attachLogServices(body, `${SYS}/LogServices`)).toEqual({ ...body, LogServices: { '@odata.id': `${SYS}/LogServices` } });
    expect(body).not.toHaveProperty('LogServices');
    expect(attachLogServices(body, undefined)).toBe(body);
  });

  it('pins the newest LogService and LogEntry versions in the schema bundle', () => {
    const files = readdirSync(join(sharedDir(), 'redfish-schemas', 'json-schema'));
    const newest = (ns: string) => {
      const v = files.map((f) => new RegExp(`^${ns}\\.v(\\d+)_(\\d+)_(\\d+)\\.json$`).exec(f)).filter((m) => m !== null).map((m) => m!.slice(1).map(Number));
      v.sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!);
      return `#${ns}.v${v.at(-1)!.join('_')}.${ns}`;
    };
    expect(LOG_TYPES.LogService).toBe(newest('LogService'));
    expect(LOG_TYPES.LogEntry).toBe(newest('LogEntry'));
  });
});
