/**
 * Small helpers shared by the ipmitool output parsers. ipmitool prints two shapes: `Key : value` listings
 * (`fru print`, `mc info`, `chassis status`, `sel info`) and `|`-separated tables (`sdr list`, `sensor list`,
 * `sel elist`). Both are parsed leniently: a line that fits neither shape is reported, not thrown.
 */
import type { UnmappedNote } from '../../model/inventory.js';

/** One `Key : value` line, with the indented lines that followed it (`mc info` lists device support that way). */
export interface KeyValue {
  key: string;
  value: string;
  /** Indented continuation lines, trimmed. */
  more: string[];
}

/** What a parser returns: the mapped value plus notes on what it could not place. */
export interface Parsed<T> {
  value: T;
  unmapped: UnmappedNote[];
}

/**
 * Splits `Key : value` listings. The separator is the first colon, because values contain colons of their own
 * (times in `Board Mfg Date`, `S+ 00:52:41` in `sel info`). Lines indented by four or more continue the previous
 * key (`mc info`'s device support list); a line with no key before a colon is returned in `other`.
 */
export function keyValues(text: string): { entries: KeyValue[]; other: string[] } {
  const entries: KeyValue[] = [];
  const other: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const last = entries[entries.length - 1];
    // Keys sit at column 0 or 1 (`fru print` indents by one); list items under a key by four.
    if (/^\s{4,}/.test(line) && last) {
      last.more.push(line.trim());
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      other.push(line.trim());
      continue;
    }
    entries.push({ key: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim(), more: [] });
  }
  return { entries, other };
}

/** First value for a key, compared case-insensitively; empty values count as absent. */
export function field(entries: readonly KeyValue[], key: string): string | undefined {
  const k = key.toLowerCase();
  const hit = entries.find((e) => e.key.toLowerCase() === k && e.value !== '');
  return hit?.value;
}

/** Splits a `|` table row into trimmed cells. */
export function cells(line: string): string[] {
  return line.split('|').map((c) => c.trim());
}

/** Parses a number ipmitool printed (`24.000`, `5500`); `na` and junk give undefined. */
export function num(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (!/^[-+]?\d+(\.\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** Drops keys whose value is undefined, so snapshots compare and serialise cleanly. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
