/**
 * Probe: does a candidate endpoint look like a Contoso SmartNIC BMC?
 *
 * Discovery has already checked the manifest's `match` rules (ServiceRoot `Vendor` is Contoso, or absent); `probe`
 * looks at the unauthenticated service root itself and says how sure it is. It needs no credentials, does no I/O and
 * never throws: a junk candidate is a plain "no".
 */
import type { ProbeCandidate, ProbeResult } from 'shoal/drivers/api';

/** Confidence when the service root names Contoso: above the generic Redfish driver's 0.5. */
export const CONFIDENT = 0.9;
/**
 * Confidence for a Redfish root with no `Vendor` at all (older Contoso firmware, and DMTF's public-smartnic mockup,
 * do not fill it in). Below the generic driver's 0.5, so a built-in still wins when both claim the device.
 */
export const UNSURE = 0.3;

/** Confirms a candidate from its service root: Contoso by name (sure), or a vendorless Redfish root (unsure). */
export function probeContoso(c: ProbeCandidate): ProbeResult {
  const root = c.serviceRoot;
  if (!root || typeof root !== 'object' || Array.isArray(root)) return { matched: false, reason: 'no service root' };
  if (typeof root.RedfishVersion !== 'string') return { matched: false, reason: 'not a Redfish service root (no RedfishVersion)' };
  const identity = typeof root.UUID === 'string' ? { uuid: root.UUID } : {};
  const vendor = root.Vendor;
  if (typeof vendor === 'string' && /^contoso\b/i.test(vendor)) {
    return { matched: true, confidence: CONFIDENT, identity: { ...identity, manufacturer: vendor }, reason: `Vendor is ${vendor}` };
  }
  if (vendor === undefined || vendor === null) {
    return { matched: true, confidence: UNSURE, identity, reason: 'Redfish service root without Vendor; could be Contoso' };
  }
  return { matched: false, reason: `Vendor ${JSON.stringify(vendor)} is not Contoso` };
}
