/**
 * The rules that sort a driver's `LogRecord`s before they become documents: which system a record belongs to, which of
 * the three served logs (event log, crash dumps, POST codes) it goes to, and under which entry id. Pure, no documents.
 */
import type { LogRecord } from '../../model/inventory.js';
import { show } from './show.js';
import type { MapNote } from './types.js';
import { validId } from './uris.js';

/** The logs Shoal serves under a system, by their aggregated LogService `Id`, in the order they are listed. */
export const LOG_KINDS = ['EventLog', 'Dump', 'PostCodes'] as const;

/** One of the served logs. */
export type LogKind = (typeof LOG_KINDS)[number];

// bmcweb's PostCodes service, and its message for each code, wherever a vendor puts them.
const POST_LOG = /post.?codes?/i;
const POST_MESSAGE = /\.BIOSPOSTCode$/;
// System event logs by their usual names: Redfish `EventLog`, IPMI `SEL` (Dell `Sel`), HPE `IML`/`IEL`.
const EVENT_LOG = /event|^(ipmi.?)?sel$|^iml$|^iel$/i;
// Dump services: bmcweb `Dump`, `FaultLog` and Intel's `Crashdump`, BlueField `Dump`, vendors' `DiagnosticLog`.
const DUMP_LOG = /dump|crash|fault|diag/i;

/**
 * Which served log a record goes to, or undefined for logs that are none of the three (a host console log, say). The
 * log's name decides first, because a vendor's event log may carry attachments (bmcweb's CPER records do) without
 * being a dump; a log with an unfamiliar name goes by its entries: diagnostic data is a dump, and Redfish events or
 * SEL records (or records that do not say) are events.
 */
export function logKind(r: Pick<LogRecord, 'log' | 'messageId' | 'diagnosticDataType' | 'entryType'>): LogKind | undefined {
  const log = typeof r.log === 'string' ? r.log : '';
  if (POST_LOG.test(log)) return 'PostCodes';
  if (EVENT_LOG.test(log)) return 'EventLog';
  if (DUMP_LOG.test(log)) return 'Dump';
  if (typeof r.messageId === 'string' && POST_MESSAGE.test(r.messageId)) return 'PostCodes';
  if (typeof r.diagnosticDataType === 'string') return 'Dump';
  const t = typeof r.entryType === 'string' ? r.entryType.toLowerCase() : undefined;
  return t === undefined || t === 'event' || t === 'sel' ? 'EventLog' : undefined;
}

/**
 * The entry's id in its served log. The device's id is kept when the device's log has the served log's name, and
 * prefixed with the device's log name otherwise (`SEL_12`, `Crashdump_3`), so two device logs merged into one served
 * log cannot collide, and an id does not change when another log starts or stops having entries.
 */
export const entryId = (kind: LogKind, log: string, id: string): string => (log === kind ? id : `${log}_${id}`);

/** `/redfish/v1/Systems/system/LogServices/EventLog/Entries/1` → the owner, `/redfish/v1/Systems/system`. */
const OWNER = /^(\/redfish\/v1\/.+?)\/LogServices\/[^/]+\/Entries\//;
const SYSTEM = /^\/redfish\/v1\/Systems\/[^/]+$/;

/** A Redfish URI without trailing slashes, or undefined for anything else. */
export const redfishUri = (u: unknown): string | undefined => (typeof u === 'string' && u.startsWith('/redfish/v1/') ? u.replace(/\/+$/, '') : undefined);

/** Where a record came from, as far as the mapper cares. */
export type Ownership =
  /** A log of the target system. */
  | { kind: 'mine' }
  /** A log of another system of the same device: that system's call maps it. */
  | { kind: 'sibling' }
  /** A log of something that is not a system (a manager, a chassis), which this mapper does not serve. */
  | { kind: 'foreign'; owner: string }
  /** No Redfish URI says whose it is (IPMI's `sel`): it belongs to the device's one system. */
  | { kind: 'unowned' };

/**
 * Whose log a record is, from its `source`, the entry's device URI (the Redfish driver sets it). `deviceUri` is the
 * target system's device URI (`SystemInfo.source`); without it, any system's log counts as the target's.
 */
export function ownership(source: unknown, deviceUri: string | undefined): Ownership {
  const uri = redfishUri(source);
  if (uri === undefined) return { kind: 'unowned' };
  const owner = OWNER.exec(`${uri}/`)?.[1];
  if (owner === undefined) return { kind: 'foreign', owner: uri };
  if (deviceUri !== undefined ? owner === deviceUri : SYSTEM.test(owner)) return { kind: 'mine' };
  return SYSTEM.test(owner) ? { kind: 'sibling' } : { kind: 'foreign', owner };
}

/** The device's URI of the log a record came from, for notes: its LogService, or `logs/<log>` without a URI. */
export function logSource(r: { log?: unknown; source?: unknown }): string {
  const uri = redfishUri(r.source);
  const svc = uri === undefined ? undefined : /^(.+\/LogServices\/[^/]+)\/Entries\//.exec(`${uri}/`)?.[1];
  return svc ?? `logs/${typeof r.log === 'string' ? r.log : show(r.log, 40)}`;
}

/** A record whose identity fields have their declared types; other fields are checked as the entry is built. */
export type UsableRecord = LogRecord & { id: string; log: string };

/** Why a record cannot be placed at all (not an object, no usable id or log name), or undefined. */
export function unusable(r: unknown): string | undefined {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return `not a log record: ${show(r, 60)}`;
  const x = r as Record<string, unknown>;
  if (!validId(x.log)) return `no usable log name: ${show(x.log, 60)}`;
  if (!validId(x.id)) return `no usable entry id: ${show(x.id, 60)}`;
  return undefined;
}

/**
 * Notes that repeat per entry, kept once per source, path and reason with a count, so a log of 1,000 odd entries
 * costs one note, not 1,000.
 */
export class NoteCounter {
  private readonly counts = new Map<string, { note: MapNote; n: number }>();

  add(note: MapNote): void {
    const key = `${note.source}\u0000${note.path ?? ''}\u0000${note.reason}`;
    const seen = this.counts.get(key);
    if (seen) seen.n++;
    else this.counts.set(key, { note, n: 1 });
  }

  list(): MapNote[] {
    return [...this.counts.values()].map(({ note, n }) => (n === 1 ? note : { ...note, reason: `${note.reason} (${n} entries)` }));
  }
}
