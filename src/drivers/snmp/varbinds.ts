/**
 * Varbinds as plain JSON: what the driver keeps in `InventorySnapshot.raw` and what the mapping tests load from
 * fixtures captured on a real agent. Kept free of net-snmp so the mapping modules stay pure.
 */

/** One SNMP variable binding, JSON-safe. */
export interface RawVarbind {
  /** Dotted OID without a leading dot. */
  oid: string;
  /** net-snmp's ObjectType name: `OctetString`, `Integer`, `OID`, `TimeTicks`, `NoSuchObject`... */
  type: string;
  /** Text for OctetString (hex when `hex` is set), a number for integer types, dotted text for OID/IpAddress. */
  value: string | number | null;
  /** Set when an OctetString was not printable text and `value` is its hex. */
  hex?: true;
}

/** The v2 exception types: the varbind names an OID but carries no value. */
const EXCEPTIONS = new Set(['NoSuchObject', 'NoSuchInstance', 'EndOfMibView']);

/** True for a varbind that names an OID but has no value (noSuchObject, noSuchInstance, endOfMibView). */
export function isException(vb: RawVarbind): boolean {
  return EXCEPTIONS.has(vb.type);
}

/** Strips a leading dot, so `.1.3.6` and `1.3.6` compare equal. */
export function normOid(oid: string): string {
  return oid.replace(/^\./, '');
}

/** True when `oid` lies strictly inside the subtree `base`. */
export function inSubtree(oid: string, base: string): boolean {
  return normOid(oid).startsWith(`${normOid(base)}.`);
}

/** SNMP order: arc by arc, as numbers (string order puts .10 before .2). */
export function compareOids(a: string, b: string): number {
  const x = normOid(a).split('.').map(Number);
  const y = normOid(b).split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** The value as text, or undefined for exceptions, empty strings and hex blobs. */
export function text(vb: RawVarbind | undefined): string | undefined {
  if (!vb || isException(vb) || vb.value === null || vb.hex) return undefined;
  const s = String(vb.value).trim();
  return s.length ? s : undefined;
}

/** The value as an integer, or undefined. */
export function int(vb: RawVarbind | undefined): number | undefined {
  if (!vb || isException(vb) || typeof vb.value !== 'number' || !Number.isFinite(vb.value)) return undefined;
  return vb.value;
}
