/**
 * A system's logs in the aggregated tree. The `LogRecord`s a driver's `logs` call read become, under
 * `<system>/LogServices`, up to three LogServices with their Entries collections and LogEntry documents:
 *
 * - `EventLog`: the system event log (Redfish event logs, IPMI's SEL, vendors' event logs), `LogEntryType` Event, SEL
 *   or Multiple by what the entries are;
 * - `Dump`: crash dumps and other diagnostic data (`DiagnosticDataType`, `OEMDiagnosticDataType`), `LogPurposes`
 *   Diagnostic;
 * - `PostCodes`: BIOS POST codes as bmcweb reports them (`OpenBMC.0.2.BIOSPOSTCode` events), `LogPurposes`
 *   ExternalEntity, since system firmware writes them.
 *
 * A service exists only while it has entries: the records are all the mapper knows of the device's logs. Each keeps
 * the newest `maxEntries` entries (default 200), so a fleet of 10,000 systems holds at most 600 entries each, and says
 * so in `MaxNumberOfRecords` with `OverWritePolicy: WrapsWhenFull`. Pure: no I/O, no clock, never throws.
 */
import type { LogRecord, SystemInfo } from '../../model/inventory.js';
import { entryId, logKind, logSource, LOG_KINDS, NoteCounter, ownership, redfishUri, unusable, type LogKind, type UsableRecord } from './log-records.js';
import { isDateTime } from './schema-facts.js';
import { show } from './show.js';
import type { InventoryDoc, MapNote } from './types.js';
import { link, segment, topUri, validId } from './uris.js';

export { logKind, LOG_KINDS, type LogKind } from './log-records.js';

/**
 * The `@odata.type`s of log documents: the newest versions in DSP8010 2025.4, as `odata-types.ts` pins the rest
 * (`LogPurposes` needs LogService v1_4, `OEMDiagnosticDataType` LogEntry v1_7).
 */
export const LOG_TYPES = {
  LogServiceCollection: '#LogServiceCollection.LogServiceCollection',
  LogService: '#LogService.v1_9_0.LogService',
  LogEntryCollection: '#LogEntryCollection.LogEntryCollection',
  LogEntry: '#LogEntry.v1_21_0.LogEntry',
} as const;

/** Entries kept per served log unless the caller says otherwise: the newest. */
export const DEFAULT_MAX_ENTRIES = 200;
/** The most a caller may ask for; the Redfish driver reads no more than this per device log either. */
export const MAX_ENTRIES_CAP = 1000;

/** LogEntry `EntryType` and `DiagnosticDataType` values (LogEntry v1_21_0), and the `Severity` values. */
const ENTRY_TYPES = ['Event', 'SEL', 'Oem', 'CXL'] as const;
const DIAGNOSTIC_TYPES = ['Manager', 'PreOS', 'OS', 'OEM', 'CPER', 'CPERSection', 'Device'] as const;
const SEVERITIES = ['OK', 'Warning', 'Critical'] as const;
/** An entry type → the service's `LogEntryType` (LogService spells the OEM value differently). */
const SERVICE_ENTRY_TYPE: Record<string, string> = { Event: 'Event', SEL: 'SEL', Oem: 'OEM', CXL: 'CXL' };

const SERVICES: Record<LogKind, { name: string; entryName: string; purposes: string[] }> = {
  EventLog: { name: 'Event Log', entryName: 'Event Log Entry', purposes: ['Diagnostic', 'Operations'] },
  Dump: { name: 'Dump Log', entryName: 'Dump Entry', purposes: ['Diagnostic'] },
  PostCodes: { name: 'POST Code Log', entryName: 'POST Code Log Entry', purposes: ['ExternalEntity'] },
};

/** Which system the logs belong to. */
export interface LogTarget {
  /** The system's aggregated URI (`/redfish/v1/Systems/<source>_<id>`); the logs go under `<systemUri>/LogServices`. */
  systemUri: string;
  /**
   * The system's own URI on the device (`SystemInfo.source` from a Redfish driver). Records of other systems, and of
   * managers or chassis, are then left out. Without it, every system's logs count as this system's; records without
   * a Redfish URI as `source` (IPMI's SEL) always do, so use `mapDeviceLogs` for a device with several systems.
   */
  deviceUri?: string;
}

export interface MapLogsOptions {
  /** Entries kept per served log, the newest; 1 to {@link MAX_ENTRIES_CAP}, default {@link DEFAULT_MAX_ENTRIES}. */
  maxEntries?: number;
  /**
   * The aggregated URI of an entry's attachment (`AdditionalDataURI` on the device), once the gateway serves it.
   * Without it, or when it answers undefined, `AdditionalDataURI` is left out and reported: a link to the device's own
   * URI would lead clients past the gateway.
   */
  attachmentUri?: (deviceUri: string, record: LogRecord) => string | undefined;
}

/** The documents of one system's logs. */
export interface LogsResult {
  docs: InventoryDoc[];
  /** `<systemUri>/LogServices` when there is at least one log to serve; put it on the system with `attachLogServices`. */
  logServicesUri: string | undefined;
  unmapped: MapNote[];
}

/**
 * Maps the log records a driver read into the LogServices tree of one system. Records are kept by the newest
 * `Created` (records without one count as oldest, in the order given); a second record with the same id in the same
 * log is dropped. What cannot be served (records of other resources, unknown logs, bad values, device attachment URIs)
 * is in `unmapped`, counted once per log and reason.
 */
export function mapLogs(records: readonly LogRecord[], target: LogTarget, opts: MapLogsOptions = {}): LogsResult {
  const notes = new NoteCounter();
  const systemUri = redfishUri(target?.systemUri);
  if (systemUri === undefined) return { docs: [], logServicesUri: undefined, unmapped: [{ source: 'logs', reason: `no usable system URI: ${show(target?.systemUri)}` }] };
  if (!Array.isArray(records)) return { docs: [], logServicesUri: undefined, unmapped: [{ source: 'logs', reason: `the log records are not a list: ${show(records)}` }] };
  try {
    return build(records, systemUri, redfishUri(target.deviceUri), opts ?? {}, notes);
  } catch (e) {
    // A mapper bug must cost the system its logs, not the caller its poll.
    notes.add({ source: 'logs', reason: `mapping failed: ${e instanceof Error ? e.message : String(e)}` });
    return { docs: [], logServicesUri: undefined, unmapped: notes.list() };
  }
}

/**
 * The system document with its `LogServices` link, a new object; unchanged when there are no logs to serve. The
 * system body itself has no link until the caller adds one, since `mapDevice` does not see the logs.
 */
export function attachLogServices(systemBody: Record<string, unknown>, logServicesUri: string | undefined): Record<string, unknown> {
  return logServicesUri === undefined ? systemBody : { ...systemBody, LogServices: link(logServicesUri) };
}

/** What `mapDeviceLogs` needs of the device. */
export interface DeviceLogsInput {
  /** The device's aggregation source id, as given to `mapDevice`. */
  source: string;
  /** The snapshot's systems; each gets its own logs. */
  systems: readonly Pick<SystemInfo, 'id' | 'source'>[];
  records: readonly LogRecord[];
}

/** The documents of a device's logs, and which system gets which `LogServices` link. */
export interface DeviceLogsResult {
  docs: InventoryDoc[];
  /** Aggregated system URI → its `LogServices` URI, for `attachLogServices`. */
  links: Map<string, string>;
  unmapped: MapNote[];
}

/**
 * `mapLogs` for every system of a device, at `topUri('System', source, id)` as `mapDevice` places them. With more
 * than one system, records that do not say which system they belong to (no Redfish URI in `source`) are left out.
 */
export function mapDeviceLogs(input: DeviceLogsInput, opts: MapLogsOptions = {}): DeviceLogsResult {
  try {
    return deviceLogs(input, opts);
  } catch (e) {
    return { docs: [], links: new Map(), unmapped: [{ source: 'logs', reason: `mapping failed: ${e instanceof Error ? e.message : String(e)}` }] };
  }
}

function deviceLogs(input: DeviceLogsInput, opts: MapLogsOptions): DeviceLogsResult {
  const out: DeviceLogsResult = { docs: [], links: new Map(), unmapped: [] };
  const systems = Array.isArray(input?.systems) ? input.systems.filter((s, i, all) => s && validId(s.id) && all.findIndex((x) => x?.id === s.id) === i) : [];
  if (!validId(input?.source) || systems.length === 0) {
    out.unmapped.push({ source: 'logs', reason: !validId(input?.source) ? `no usable aggregation source id: ${show(input?.source)}` : 'the device has no system to hang logs under' });
    return out;
  }
  let records = input.records;
  if (systems.length > 1 && Array.isArray(records)) {
    const unowned = new Set(records.filter((r) => unusable(r) === undefined && ownership(r.source, undefined).kind === 'unowned'));
    if (unowned.size) out.unmapped.push({ source: 'logs', reason: `${unowned.size} records name no system, and the device has ${systems.length}: not mapped` });
    records = records.filter((r) => !unowned.has(r));
  }
  const seen = new Set<string>();
  for (const s of systems) {
    const systemUri = topUri('System', input.source, s.id);
    const deviceUri = redfishUri(s.source);
    if (deviceUri === undefined && systems.length > 1) {
      // Without its device URI, every system's logs would look like this one's.
      out.unmapped.push({ source: 'logs', reason: `system ${show(s.id)} has no device URI to tell its logs from its siblings': no logs` });
      continue;
    }
    const r = mapLogs(records, { systemUri, ...(deviceUri ? { deviceUri } : {}) }, opts);
    out.docs.push(...r.docs);
    if (r.logServicesUri) out.links.set(systemUri, r.logServicesUri);
    // Each system's call sees the managers' logs too; say so once.
    for (const n of r.unmapped) {
      const key = `${n.source}\u0000${n.reason}`;
      if (!seen.has(key)) out.unmapped.push(n);
      seen.add(key);
    }
  }
  return out;
}

/** One record that has a place, with what it becomes. */
interface Placed {
  r: UsableRecord;
  kind: LogKind;
  id: string;
  at: number;
}

function build(records: readonly LogRecord[], systemUri: string, deviceUri: string | undefined, opts: MapLogsOptions, notes: NoteCounter): LogsResult {
  const max = maxEntries(opts.maxEntries, notes);
  const byKind = new Map<LogKind, Placed[]>();
  const ids = new Map<LogKind, Set<string>>();
  for (const raw of records) {
    const why = unusable(raw);
    if (why) {
      notes.add({ source: 'logs', reason: why });
      continue;
    }
    const r = raw as UsableRecord;
    const own = ownership(r.source, deviceUri);
    if (own.kind === 'sibling') continue;
    if (own.kind === 'foreign') {
      notes.add({ source: logSource(r), reason: `a log of ${own.owner}, not of a system: not served` });
      continue;
    }
    const kind = logKind(r);
    if (kind === undefined) {
      notes.add({ source: logSource(r), reason: `not an event log, dump or POST code log (EntryType ${show(r.entryType)}): not served` });
      continue;
    }
    const id = entryId(kind, r.log, r.id);
    const taken = ids.get(kind) ?? new Set<string>();
    ids.set(kind, taken);
    if (taken.has(id)) {
      notes.add({ source: logSource(r), path: 'id', reason: `a second entry with id ${show(r.id)} in log ${show(r.log)}: dropped` });
      continue;
    }
    taken.add(id);
    const at = isDateTime(r.created) ? Date.parse(r.created) : -Infinity;
    const list = byKind.get(kind) ?? [];
    byKind.set(kind, list);
    list.push({ r, kind, id, at });
  }
  if (byKind.size === 0) return { docs: [], logServicesUri: undefined, unmapped: notes.list() };

  const base = `${systemUri}/LogServices`;
  const docs: InventoryDoc[] = [];
  const services: string[] = [];
  for (const kind of LOG_KINDS) {
    const all = byKind.get(kind);
    if (!all) continue;
    // A stable sort: records without a time stay in the order the driver gave, ahead of timed ones.
    const kept = [...all].sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? -1 : 1)).slice(-max);
    const svc = `${base}/${kind}`;
    const entries = kept.map((p) => ({ uri: `${svc}/Entries/${segment(p.id)}`, body: entryBody(p, `${svc}/Entries/${segment(p.id)}`, opts, notes) }));
    const logs = [...new Set(all.map((p) => p.r.log))];
    docs.push({ uri: svc, body: serviceBody(kind, svc, max, entries.map((e) => e.body.EntryType as string), logs) });
    docs.push({
      uri: `${svc}/Entries`,
      body: { '@odata.id': `${svc}/Entries`, '@odata.type': LOG_TYPES.LogEntryCollection, Name: `${SERVICES[kind].name} Entries`, 'Members@odata.count': entries.length, Members: entries.map((e) => link(e.uri)) },
    });
    docs.push(...entries);
    services.push(svc);
  }
  docs.unshift({ uri: base, body: { '@odata.id': base, '@odata.type': LOG_TYPES.LogServiceCollection, Name: 'Log Service Collection', 'Members@odata.count': services.length, Members: services.map(link) } });
  return { docs, logServicesUri: base, unmapped: notes.list() };
}

function maxEntries(v: unknown, notes: NoteCounter): number {
  if (v === undefined) return DEFAULT_MAX_ENTRIES;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_ENTRIES_CAP) return v;
  notes.add({ source: 'logs', path: 'maxEntries', reason: `not an integer from 1 to ${MAX_ENTRIES_CAP}: ${show(v)}; keeping ${DEFAULT_MAX_ENTRIES}` });
  return DEFAULT_MAX_ENTRIES;
}

function serviceBody(kind: LogKind, uri: string, max: number, entryTypes: string[], logs: string[]): Record<string, unknown> {
  const types = [...new Set(entryTypes)];
  const s = SERVICES[kind];
  return {
    '@odata.id': uri,
    '@odata.type': LOG_TYPES.LogService,
    Id: kind,
    Name: s.name,
    Description: `Entries read from the device (${logs.length > 1 ? 'logs' : 'log'} ${logs.join(', ')}); the gateway keeps the newest ${max}.`,
    ServiceEnabled: true,
    LogEntryType: types.length === 1 ? SERVICE_ENTRY_TYPE[types[0]!] : 'Multiple',
    LogPurposes: s.purposes,
    MaxNumberOfRecords: max,
    OverWritePolicy: 'WrapsWhenFull',
    Entries: link(`${uri}/Entries`),
  };
}

/** The value from `allowed` that matches `v` ignoring case (devices write `Sel`, `OEM`), or undefined. */
const canonical = <T extends string>(allowed: readonly T[], v: string): T | undefined => allowed.find((a) => a.toLowerCase() === v.toLowerCase());

function entryBody(p: Placed, uri: string, opts: MapLogsOptions, notes: NoteCounter): Record<string, unknown> {
  const { r } = p;
  const note = (path: string, reason: string) => notes.add({ source: logSource(r), path, reason });
  const b: Record<string, unknown> = { '@odata.id': uri, '@odata.type': LOG_TYPES.LogEntry, Id: p.id, Name: SERVICES[p.kind].entryName };

  // EntryType is required. A value outside the enum is an OEM format by that name, which is what `Oem` says.
  const t = typeof r.entryType === 'string' ? canonical(ENTRY_TYPES, r.entryType) : undefined;
  if (r.entryType !== undefined && typeof r.entryType !== 'string') note('entryType', `not a string: ${show(r.entryType)}; served as Event`);
  b.EntryType = t ?? (typeof r.entryType === 'string' ? 'Oem' : 'Event');
  if (b.EntryType === 'Oem') {
    const format = t === undefined && typeof r.entryType === 'string' ? r.entryType : r.oemRecordFormat;
    if (typeof format === 'string' && format) b.OemRecordFormat = format;
  }

  if (isDateTime(r.created)) b.Created = r.created;
  else if (r.created !== undefined) note('created', `not an RFC 3339 date-time with offset: ${show(r.created)}`);
  if (typeof r.severity === 'string' && (SEVERITIES as readonly string[]).includes(r.severity)) b.Severity = r.severity;
  else if (r.severity !== undefined) note('severity', `not OK, Warning or Critical: ${show(r.severity)}`);
  if (typeof r.message === 'string') {
    if (r.message) b.Message = r.message;
  } else if (r.message !== undefined) note('message', `not a string: ${show(r.message)}`);
  if (typeof r.messageId === 'string') b.MessageId = r.messageId;
  else if (r.messageId !== undefined) note('messageId', `not a string: ${show(r.messageId)}`);
  if (Array.isArray(r.messageArgs) && r.messageArgs.every((a) => typeof a === 'string')) b.MessageArgs = [...r.messageArgs];
  else if (r.messageArgs !== undefined) note('messageArgs', `not a list of strings: ${show(r.messageArgs)}`);

  diagnostic(r, b, note);

  if (typeof r.additionalDataUri === 'string') {
    const mapped = opts.attachmentUri?.(r.additionalDataUri, r);
    if (redfishUri(mapped) !== undefined) b.AdditionalDataURI = mapped;
    else note('additionalDataUri', 'AdditionalDataURI left out: the gateway does not serve the device\'s attachments');
  } else if (r.additionalDataUri !== undefined) note('additionalDataUri', `not a string: ${show(r.additionalDataUri)}`);
  return b;
}

/** `DiagnosticDataType`, and `OEMDiagnosticDataType`, which must be there when the type is OEM. */
function diagnostic(r: UsableRecord, b: Record<string, unknown>, note: (path: string, reason: string) => void): void {
  const v = r.diagnosticDataType;
  if (v === undefined) return;
  if (typeof v !== 'string' || !v) {
    note('diagnosticDataType', `not a string: ${show(v)}`);
    return;
  }
  const t = canonical(DIAGNOSTIC_TYPES, v);
  if (t === undefined) {
    // A vendor's own type name is an OEM type; keep the name where Redfish puts OEM type names.
    note('diagnosticDataType', `not a DMTF DiagnosticDataType: ${show(v)}; served as OEM`);
    b.DiagnosticDataType = 'OEM';
    b.OEMDiagnosticDataType = v;
    return;
  }
  b.DiagnosticDataType = t;
  if (t === 'OEM' && typeof r.oemDiagnosticDataType === 'string' && r.oemDiagnosticDataType) b.OEMDiagnosticDataType = r.oemDiagnosticDataType;
}
