/**
 * `ipmitool mc info` (Get Device ID) and `ipmitool mc guid` (Get System GUID): the BMC's own identity and the
 * system's UUID. Pure: text in, model values out.
 */
import type { UnmappedNote } from '../../model/inventory.js';
import { compact, field, keyValues, type Parsed } from './text.js';

/** What `mc info` says about the BMC. */
export interface McInfo {
  firmwareVersion?: string;
  ipmiVersion?: string;
  manufacturer?: string;
  manufacturerId?: number;
  /** Product name, when ipmitool knows it (it prints `Unknown (0x..)` otherwise). */
  product?: string;
  productId?: number;
  deviceId?: number;
  /** `Additional Device Support` items: `SEL Device`, `FRU Inventory Device`, `Chassis Device`... */
  supports: string[];
}

/** ipmitool prints `Unknown (0xF02)` when its tables have no name; that is no name, not a model called Unknown. */
function known(v: string | undefined): string | undefined {
  if (v === undefined || /^unknown\b/i.test(v)) return undefined;
  return v;
}

/** Parses `mc info`. */
export function parseMcInfo(text: string): Parsed<McInfo> {
  const unmapped: UnmappedNote[] = [];
  const { entries, other } = keyValues(text);
  for (const line of other) unmapped.push({ source: 'mc', reason: `unrecognised line: ${line}` });
  const int = (k: string): number | undefined => {
    const m = /^(\d+)/.exec(field(entries, k) ?? '');
    return m ? Number(m[1]) : undefined;
  };
  const support = entries.find((e) => e.key === 'Additional Device Support');
  const value: McInfo = {
    ...compact({
      firmwareVersion: field(entries, 'Firmware Revision'),
      ipmiVersion: field(entries, 'IPMI Version'),
      manufacturer: known(field(entries, 'Manufacturer Name')),
      manufacturerId: int('Manufacturer ID'),
      product: known(field(entries, 'Product Name')),
      productId: int('Product ID'),
      deviceId: int('Device ID'),
    }),
    supports: support?.more ?? [],
  };
  if (value.firmwareVersion === undefined) unmapped.push({ source: 'mc', path: 'Firmware Revision', reason: 'missing from mc info' });
  return { value, unmapped };
}

const HEX32 = /^[0-9a-f]{32}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Parses `mc guid` into a canonical lowercase UUID. ipmitool 1.8.19 decodes the GUID when its version field makes
 * sense and prints the 16 wire bytes as bare hex when it does not (ipmi_sim's GUID is arbitrary bytes). The bare form
 * is decoded as SMBIOS byte order (first three fields little-endian), which is what most BMCs send and what the host's
 * `dmidecode -s system-uuid` prints, so the gateway correlates the BMC with its host.
 */
export function parseGuid(text: string): Parsed<string | undefined> {
  const line = text.split(/\r?\n/).find((l) => /GUID\s*:/i.test(l));
  const raw = line?.slice(line.indexOf(':') + 1).trim() ?? '';
  let uuid: string | undefined;
  if (UUID.test(raw)) uuid = raw.toLowerCase();
  else if (HEX32.test(raw)) {
    const b = raw.toLowerCase().match(/../g) ?? [];
    const le = (from: number, to: number): string => b.slice(from, to).reverse().join('');
    uuid = `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${b.slice(8, 10).join('')}-${b.slice(10, 16).join('')}`;
  }
  if (uuid !== undefined) {
    // All zeros or all ones is "no GUID configured", not an identity.
    if (/^[0-]+$|^[f-]+$/.test(uuid)) return { value: undefined, unmapped: [{ source: 'guid', reason: `placeholder GUID ${raw}` }] };
    return { value: uuid, unmapped: [] };
  }
  return { value: undefined, unmapped: [{ source: 'guid', reason: raw ? `unrecognised GUID ${raw}` : 'no GUID in mc guid output' }] };
}
