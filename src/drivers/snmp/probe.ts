/**
 * Probe for SNMP drivers: confirms a candidate from what discovery already read (sysDescr, sysObjectID), without
 * credentials and without I/O. Never throws: a bad pattern or a junk candidate is a "no".
 */
import type { DriverManifest, ProbeCandidate, ProbeResult } from '../api.js';
import { parseSysDescr } from './sys-descr.js';
import { normOid } from './varbinds.js';

/** A manifest pattern matches the whole value, case-insensitively (the SDK's rule); an invalid one matches nothing. */
function matchesAny(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => {
    try {
      return new RegExp(`^(?:${p})$`, 'i').test(value);
    } catch {
      return false;
    }
  });
}

/**
 * Matched when the candidate speaks SNMP and, where the manifest has sysDescr or sysObjectID patterns, they match.
 * A missing sysDescr is tested as the empty string, so a catch-all pattern still takes it and a vendor pattern does
 * not. `confidence` is the driver's: low for the generic driver, so that vendor drivers win.
 */
export function snmpProbe(manifest: DriverManifest, c: ProbeCandidate, confidence = 0.3): ProbeResult {
  try {
    if (!c || c.protocol !== 'snmp') return { matched: false, reason: 'not an SNMP candidate' };
    const sysDescr = typeof c.snmp?.sysDescr === 'string' ? c.snmp.sysDescr : '';
    const rules = manifest.match.snmp;
    if (rules?.sysDescr?.length && !matchesAny(rules.sysDescr, sysDescr)) return { matched: false, reason: 'sysDescr does not match the manifest' };
    const objectId = typeof c.snmp?.sysObjectId === 'string' ? normOid(c.snmp.sysObjectId) : undefined;
    if (rules?.sysObjectId?.length && objectId !== undefined && !matchesAny(rules.sysObjectId, objectId)) {
      return { matched: false, reason: 'sysObjectID does not match the manifest' };
    }
    const facts = parseSysDescr(sysDescr);
    const identity = {
      ...(facts.vendor ? { manufacturer: facts.vendor } : {}),
      ...(facts.product ? { model: facts.product } : {}),
      ...(facts.firmwareVersion ? { firmwareVersion: facts.firmwareVersion } : {}),
    };
    return { matched: true, confidence, identity };
  } catch (e) {
    return { matched: false, reason: `probe failed: ${(e as Error).message}` };
  }
}
