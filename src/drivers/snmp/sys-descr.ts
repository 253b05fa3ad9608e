/**
 * The SNMPv2-MIB system group (RFC 3418) and what can honestly be read out of it. sysDescr is free text, so the
 * parse is a best effort that ENTITY-MIB overrides wherever the agent has it.
 */
import { int, normOid, text, type RawVarbind } from './varbinds.js';

/** system group scalars (1.3.6.1.2.1.1.N.0). */
export const SYSTEM_OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectID: '1.3.6.1.2.1.1.2.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysContact: '1.3.6.1.2.1.1.4.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  sysLocation: '1.3.6.1.2.1.1.6.0',
} as const;

export interface SystemGroup {
  sysDescr?: string;
  sysObjectId?: string;
  /** sysUpTime in hundredths of a second since the agent (re)started. */
  sysUpTimeCs?: number;
  sysContact?: string;
  sysName?: string;
  sysLocation?: string;
}

/** Picks the system scalars out of a GET answer; exceptions (noSuchObject) leave a field undefined. */
export function systemGroup(vbs: readonly RawVarbind[]): SystemGroup {
  const by = new Map(vbs.map((vb) => [normOid(vb.oid), vb]));
  const g: SystemGroup = {};
  const set = <K extends keyof SystemGroup>(k: K, v: SystemGroup[K] | undefined): void => {
    if (v !== undefined) g[k] = v;
  };
  set('sysDescr', text(by.get(SYSTEM_OIDS.sysDescr)));
  const oid = text(by.get(SYSTEM_OIDS.sysObjectID));
  set('sysObjectId', oid === undefined ? undefined : normOid(oid));
  set('sysUpTimeCs', int(by.get(SYSTEM_OIDS.sysUpTime)));
  set('sysContact', text(by.get(SYSTEM_OIDS.sysContact)));
  set('sysName', text(by.get(SYSTEM_OIDS.sysName)));
  set('sysLocation', text(by.get(SYSTEM_OIDS.sysLocation)));
  return g;
}

/** What sysDescr says, as far as a pattern can tell. */
export interface SysDescrFacts {
  vendor?: string;
  product?: string;
  firmwareVersion?: string;
}

/** "firmware 4.2.1", "Version 12.2(55)SE", "fw: v1.0-rc2", "Release 7.1". */
const VERSION = /\b(?:firmware|fw|version|ver\.?|release|software)\s*[:=]?\s*v?(\d+(?:[.\-_()]*[0-9A-Za-z]+)*)/i;
/** net-snmp's own default on Linux: `Linux <host> <release> <build> <machine>`. */
const LINUX = /^Linux\s+\S+\s+(\S+)/;

/**
 * Reads vendor, product and firmware from sysDescr. `Contoso SmartNIC SN2200 firmware 4.2.1` gives vendor
 * `Contoso`, product `SmartNIC SN2200`, firmware `4.2.1`. A stock Linux net-snmp agent gives product `Linux` and
 * the kernel release as firmware. Anything else gives what it can, never a guess it cannot back.
 */
export function parseSysDescr(sysDescr: string | undefined): SysDescrFacts {
  const s = (sysDescr ?? '').replace(/\s+/g, ' ').trim();
  if (!s) return {};
  const linux = LINUX.exec(s);
  if (linux) return { product: 'Linux', firmwareVersion: linux[1]! };
  const facts: SysDescrFacts = {};
  const v = VERSION.exec(s);
  if (v) facts.firmwareVersion = v[1]!.replace(/[.\-_]+$/, '');
  const head = (v ? s.slice(0, v.index) : s).replace(/[\s,;:(-]+$/, '').trim();
  const words = head.split(' ').filter(Boolean);
  // One word is a product name at best; two or more read "<vendor> <product...>", as vendors write them.
  if (words.length >= 2) {
    facts.vendor = words[0]!.replace(/[,;:]+$/, '');
    facts.product = words.slice(1).join(' ');
  } else if (words.length === 1) {
    facts.product = words[0]!;
  }
  return facts;
}

/**
 * IANA private enterprise numbers of a few hardware vendors common in a rack. Net-SNMP's own 8072 is left out on
 * purpose: a stock Linux agent reports it, and it names the agent software, not who made the device.
 */
const ENTERPRISES: Readonly<Record<number, string>> = {
  2: 'IBM',
  9: 'Cisco',
  11: 'Hewlett-Packard',
  311: 'Microsoft',
  343: 'Intel',
  674: 'Dell',
  2636: 'Juniper Networks',
  32473: 'Example Enterprise (RFC 5612)',
};

/** The private enterprise number in a sysObjectID under 1.3.6.1.4.1, if it is one. */
export function enterpriseNumber(sysObjectId: string | undefined): number | undefined {
  const m = /^1\.3\.6\.1\.4\.1\.(\d+)(?:\.|$)/.exec(normOid(sysObjectId ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** The vendor a sysObjectID names, for the few enterprises this driver knows. */
export function vendorFromSysObjectId(sysObjectId: string | undefined): string | undefined {
  const n = enterpriseNumber(sysObjectId);
  return n === undefined ? undefined : ENTERPRISES[n];
}
