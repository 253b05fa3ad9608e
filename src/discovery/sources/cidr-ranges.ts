/**
 * Address ranges for the CIDR sweep: parsing, exclusion, the size cap, and a lazy walk over what is left. IPv4
 * addresses are handled as 32-bit integers in sorted, disjoint intervals, so a /16 costs a few numbers until the
 * sweep reaches each address.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** A range the sweep covers or skips: an IPv4 interval, or one IPv6 address. */
export type ParsedRange = { kind: 'v4'; start: number; end: number; text: string } | { kind: 'v6'; address: string; text: string };

/** The addresses of a sweep: iterate them (lazily, as often as wanted); `total` says how many there are. */
export interface AddressPlan extends Iterable<string> {
  readonly total: number;
}

/** Default cap on the addresses of one sweep: a /16. */
export const DEFAULT_ADDRESS_CAP = 65_536;

const fmt = (n: number): string => n.toLocaleString('en-US');

/** Dotted quad to integer. Leading zeros are refused: some tools read `010` as octal, others as decimal. */
function v4ToInt(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  const parts = text.split('.');
  if (parts.some((p) => p.length > 1 && p.startsWith('0'))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** Integer to dotted quad. */
export function intToV4(n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

/** An IPv6 literal (brackets allowed) in its canonical compressed, lower-case form, zone kept; undefined when it is not one. */
export function normaliseV6(text: string): string | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  const [addr, zone] = bare.split('%', 2) as [string, string | undefined];
  if (!isIPv6(addr)) return undefined;
  const canonical = new URL(`http://[${addr}]/`).hostname.slice(1, -1);
  return zone ? `${canonical}%${zone}` : canonical;
}

function v6Refused(text: string): Error {
  return new Error(
    `IPv6 sweeps are refused ("${text}"): an IPv6 subnet is far too large to probe address by address. List IPv6 ` +
      'addresses one by one, or find them with SSDP, mDNS, DNS or LLDP discovery.',
  );
}

/**
 * Parses one range: `10.0.0.0/24`, `10.0.0.5-10.0.0.80`, `10.0.0.5-80` (last octet), `10.0.0.7`, or a single IPv6
 * address. Host bits in a CIDR are ignored (`10.0.0.5/24` is `10.0.0.0/24`). With `hostsOnly`, a block of /30 or
 * larger leaves out its network and broadcast addresses, which are no host's (and probing the broadcast address
 * would be a broadcast). Throws an Error naming the text for anything else.
 */
export function parseRange(input: string, hostsOnly = true): ParsedRange {
  const text = input.trim();
  if (!text) throw new Error('empty address range');
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const base = text.slice(0, slash);
    const bits = text.slice(slash + 1);
    if (normaliseV6(base)) throw v6Refused(text);
    const start = v4ToInt(base);
    if (start === undefined) throw new Error(`invalid range "${text}": ${base} is not an IPv4 address`);
    if (!/^\d{1,2}$/.test(bits) || Number(bits) > 32) throw new Error(`invalid range "${text}": the prefix length must be 0 to 32`);
    const size = 2 ** (32 - Number(bits));
    const net = Math.floor(start / size) * size;
    const end = net + size - 1;
    return hostsOnly && size >= 4 ? { kind: 'v4', start: net + 1, end: end - 1, text } : { kind: 'v4', start: net, end, text };
  }
  const dash = text.indexOf('-');
  if (dash >= 0) {
    const left = text.slice(0, dash).trim();
    const right = text.slice(dash + 1).trim();
    if (normaliseV6(left) || normaliseV6(right)) throw v6Refused(text);
    const start = v4ToInt(left);
    if (start === undefined) throw new Error(`invalid range "${text}": ${left || '(nothing)'} is not an IPv4 address`);
    let end = v4ToInt(right);
    if (end === undefined && /^\d{1,3}$/.test(right) && Number(right) <= 255) end = start - (start % 256) + Number(right);
    if (end === undefined) throw new Error(`invalid range "${text}": ${right || '(nothing)'} is not an IPv4 address or a last octet`);
    if (end < start) throw new Error(`invalid range "${text}": it ends before it starts`);
    return { kind: 'v4', start, end, text };
  }
  const single = v4ToInt(text);
  if (single !== undefined) return { kind: 'v4', start: single, end: single, text };
  const v6 = normaliseV6(text);
  if (v6) return { kind: 'v6', address: v6, text };
  throw new Error(`invalid address or range "${text}": expected an IPv4 CIDR (10.0.0.0/24), a range (10.0.0.5-10.0.0.80), or an address`);
}

type Interval = [number, number];

/** Sorted, disjoint, non-adjacent intervals covering the same addresses. */
function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** `from` minus `cut` (both merged). */
function subtract(from: Interval[], cut: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [s0, e] of from) {
    let s = s0;
    for (const [cs, ce] of cut) {
      if (ce < s || cs > e) continue;
      if (cs > s) out.push([s, cs - 1]);
      s = ce + 1;
      if (s > e) break;
    }
    if (s <= e) out.push([s, e]);
  }
  return out;
}

const size = (xs: Interval[]): number => xs.reduce((n, [s, e]) => n + (e - s + 1), 0);

/**
 * The addresses of `ranges` minus `exclude`, each once, as a lazy iterator and a count. Pure: no I/O, nothing is
 * materialised. Throws an Error naming the range when one is malformed, is an IPv6 subnet, or when a range (or all
 * of them together) holds more than `cap` addresses after exclusions.
 */
export function expandRanges(ranges: readonly string[], exclude: readonly string[] = [], cap: number = DEFAULT_ADDRESS_CAP): AddressPlan {
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`the address cap must be a positive integer, got ${cap}`);
  if (ranges.length === 0) throw new Error('no address ranges to sweep');
  const included = ranges.map((r) => parseRange(r, true));
  const excluded = exclude.map((r) => parseRange(r, false));
  const cut = merge(excluded.flatMap((x): Interval[] => (x.kind === 'v4' ? [[x.start, x.end]] : [])));
  const cutV6 = new Set(excluded.flatMap((x) => (x.kind === 'v6' ? [x.address] : [])));
  for (const r of included) {
    if (r.kind !== 'v4') continue;
    const n = size(subtract([[r.start, r.end]], cut));
    if (n > cap) throw new Error(`range ${r.text} holds ${fmt(n)} addresses, more than the cap of ${fmt(cap)}: split the sweep or raise the cap`);
  }
  const v4 = subtract(merge(included.flatMap((x): Interval[] => (x.kind === 'v4' ? [[x.start, x.end]] : []))), cut);
  const v6 = [...new Set(included.flatMap((x) => (x.kind === 'v6' ? [x.address] : [])))].filter((a) => !cutV6.has(a));
  const total = size(v4) + v6.length;
  if (total > cap) {
    throw new Error(`ranges ${ranges.join(', ')} hold ${fmt(total)} addresses together, more than the cap of ${fmt(cap)}: split the sweep or raise the cap`);
  }
  return {
    total,
    *[Symbol.iterator]() {
      for (const [s, e] of v4) for (let n = s; n <= e; n++) yield intToV4(n);
      yield* v6;
    },
  };
}
