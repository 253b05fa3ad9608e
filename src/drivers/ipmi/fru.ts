/**
 * `ipmitool fru print 0`: the builtin FRU device's chassis, board and product areas (IPMI Platform Management FRU
 * Information Storage Definition v1.0). Pure: text in, identities out.
 */
import type { Identity, UnmappedNote } from '../../model/inventory.js';
import { compact, keyValues, type Parsed } from './text.js';

/** The FRU areas, mapped onto the identities the snapshot needs. */
export interface FruInfo {
  /** The system: product area first, because that is what the vendor sells and labels. */
  system: Identity;
  /** The chassis: chassis area serial and part number, with the product's manufacturer and name. */
  chassis: Identity;
  /** Redfish `ChassisType`, from the FRU chassis type (SMBIOS enumeration). */
  chassisType?: string;
  /** Product name, for `SystemInfo.name` and the endpoint's `product`. */
  productName?: string;
  /** Every field as printed, for callers that want more than the identities. */
  fields: Record<string, string>;
}

/**
 * FRU chassis types (SMBIOS 3.x type 3 names as ipmitool prints them) onto Redfish `ChassisType`. Servers report
 * few of these; anything else becomes `Other` with a note, so a new name is visible rather than guessed.
 */
const CHASSIS_TYPES: Record<string, string> = {
  'rack mount chassis': 'RackMount',
  'main server chassis': 'RackMount',
  'multi-system chassis': 'Enclosure',
  'blade': 'Blade',
  'blade enclosure': 'Enclosure',
  'blade chassis': 'Enclosure',
  'desktop': 'StandAlone',
  'low profile desktop': 'StandAlone',
  'tower': 'StandAlone',
  'mini tower': 'StandAlone',
  'pizza box': 'RackMount',
  'sub chassis': 'Module',
  'expansion chassis': 'Expansion',
  'rack': 'Rack',
  'sealed-case pc': 'StandAlone',
  'all in one': 'StandAlone',
  'embedded pc': 'Card',
  'mini pc': 'StandAlone',
  'stick pc': 'Card',
  'other': 'Other',
  'unknown': 'Other',
};

/**
 * Values ipmitool prints for fields that are empty in the FRU image, and placeholders vendors write instead of a real
 * serial. Treating them as absent keeps "To Be Filled By O.E.M." out of identity correlation.
 */
function real(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '' || /^(not specified|to be filled by o\.?e\.?m\.?|none|n\/a|0+|unknown|default string)$/i.test(v)) return undefined;
  return v;
}

/** Parses `fru print 0` (or the first device of `fru print`). */
export function parseFru(text: string): Parsed<FruInfo> {
  const unmapped: UnmappedNote[] = [];
  const { entries, other } = keyValues(text);
  const fields: Record<string, string> = {};
  for (const e of entries) {
    // `fru print` without an id lists several devices; only the first (the builtin FRU, id 0) describes the box.
    if (e.key === 'FRU Device Description' && Object.keys(fields).length > 0) break;
    if (!(e.key in fields)) fields[e.key] = e.value;
  }
  for (const line of other) {
    if (/no fru|not present|unknown fru/i.test(line)) unmapped.push({ source: 'fru', reason: line });
    else unmapped.push({ source: 'fru', reason: `unrecognised line: ${line}` });
  }
  const get = (k: string): string | undefined => real(fields[k]);

  const manufacturer = get('Product Manufacturer') ?? get('Board Mfg');
  const productName = get('Product Name') ?? get('Board Product');
  const productSerial = get('Product Serial');
  const chassisSerial = get('Chassis Serial');
  const boardSerial = get('Board Serial');

  const system: Identity = compact({
    manufacturer,
    model: productName,
    serialNumber: productSerial ?? chassisSerial ?? boardSerial,
    partNumber: get('Product Part Number') ?? get('Board Part Number'),
    sku: get('Product Asset Tag'),
  });
  const chassis: Identity = compact({
    manufacturer,
    model: productName,
    serialNumber: chassisSerial ?? productSerial ?? boardSerial,
    partNumber: get('Chassis Part Number') ?? get('Product Part Number'),
  });

  let chassisType: string | undefined;
  const rawType = fields['Chassis Type'];
  if (rawType !== undefined && rawType !== '') {
    chassisType = CHASSIS_TYPES[rawType.toLowerCase()];
    if (!chassisType) {
      chassisType = 'Other';
      unmapped.push({ source: 'fru', path: 'Chassis Type', reason: `no Redfish ChassisType for "${rawType}"` });
    }
  }
  if (entries.length === 0) unmapped.push({ source: 'fru', reason: 'no FRU fields in the output' });
  return { value: compact({ system, chassis, chassisType, productName, fields }), unmapped };
}
