/**
 * The System Event Log: `ipmitool sel elist` (or `sel list`) rows as {@link LogRecord}s, and `sel info` for the log's
 * fill level. Pure: text in, records out.
 */
import type { HealthValue, LogRecord, UnmappedNote } from '../../model/inventory.js';
import { cells, field, keyValues, num, type Parsed } from './text.js';

/**
 * A SEL timestamp as ipmitool prints it, as ISO 8601, or undefined. Records stamped before the BMC's clock was set
 * show as `Pre-Init` plus seconds since the BMC started: they have no wall-clock time, and inventing one would put
 * them in the wrong place in a merged timeline. ipmitool prints in the local zone of its process; the driver runs it
 * with `TZ=UTC`, so a bare time is UTC.
 */
export function selTime(date: string, time: string): string | undefined {
  const d = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(date.trim());
  const t = /^(\d{1,2}):(\d{2}):(\d{2})(?:\s+(UTC|GMT|Z))?$/i.exec(time.trim());
  if (!d || !t) return undefined;
  const year = d[3]!.length === 2 ? 2000 + Number(d[3]) : Number(d[3]);
  const ms = Date.UTC(year, Number(d[1]) - 1, Number(d[2]), Number(t[1]), Number(t[2]), Number(t[3]));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * Severity of a SEL event from ipmitool's event text. A deassertion means the condition went away. "Non-critical"
 * must be tested before "critical", since the one contains the other.
 */
export function selSeverity(event: string, direction: string): HealthValue {
  if (/^deasserted$/i.test(direction.trim())) return 'OK';
  if (/non-critical/i.test(event)) return 'Warning';
  if (/critical|non-recoverable|uncorrectable|failure|failed|fault|lost|ierr|thermal trip|machine check|fatal|panic/i.test(event)) return 'Critical';
  if (/correctable|predictive|degraded|limit reached|warning/i.test(event)) return 'Warning';
  return 'OK';
}

/** Parses `sel elist` or `sel list`. Ids are ipmitool's record ids (hex) as decimal strings. */
export function parseSel(text: string): Parsed<LogRecord[]> {
  const out: LogRecord[] = [];
  const unmapped: UnmappedNote[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const c = cells(line);
    const id = /^[0-9a-f]+$/i.test(c[0] ?? '') ? Number.parseInt(c[0]!, 16) : NaN;
    if (c.length < 4 || Number.isNaN(id)) {
      // "SEL has no entries" and similar chatter are not records.
      if (!/no entries/i.test(line)) unmapped.push({ source: 'sel', reason: `unrecognised SEL line: ${line.trim()}` });
      continue;
    }
    const [, date = '', time = '', sensor = '', event = '', direction = '', ...extra] = c;
    const created = selTime(date, time);
    const detail = extra.filter((x) => x !== '').join('; ');
    let message = event ? `${sensor}: ${event}` : sensor;
    if (direction) message += ` (${direction})`;
    if (detail) message += `. ${detail}`;
    out.push({
      id: String(id),
      ...(created ? { created } : {}),
      severity: selSeverity(event, direction),
      message,
      messageArgs: [sensor, event, direction, ...extra].filter((x) => x !== ''),
      entryType: 'SEL',
      log: 'SEL',
      source: 'sel',
    });
  }
  return { value: out, unmapped };
}

/** `sel info`: how full the log is. A full SEL drops new events, which an operator needs to know. */
export interface SelInfo {
  entries?: number;
  percentUsed?: number;
  overflow?: boolean;
}

/** Parses `sel info`. */
export function parseSelInfo(text: string): Parsed<SelInfo> {
  const { entries } = keyValues(text);
  const pct = /^(\d+)\s*%/.exec(field(entries, 'Percent Used') ?? '');
  const overflow = field(entries, 'Overflow');
  const info: SelInfo = {};
  const n = num(field(entries, 'Entries'));
  if (n !== undefined) info.entries = n;
  if (pct) info.percentUsed = Number(pct[1]);
  if (overflow !== undefined) info.overflow = /^true$/i.test(overflow);
  return { value: info, unmapped: entries.length === 0 ? [{ source: 'sel', reason: 'no fields in sel info output' }] : [] };
}
