import manifestJson from './manifest.json' with { type: 'json' };
import type { DriverManifest, ProbeCandidate, ProbeResult, RedfishExtension } from '../api.js';
import { dpuSlots } from './dpu-slots.js';

export const openbmcManifest = manifestJson as DriverManifest;

export const openbmcExtensions: readonly RedfishExtension[] = [dpuSlots];

/** bmcweb's service root says `Vendor: OpenBMC`; OpenBMC also advertises `_obmc_redfish._tcp`. */
export function probeOpenbmc(c: ProbeCandidate): ProbeResult {
  const root = c.serviceRoot;
  const vendor = String(root?.Vendor ?? '');
  if (/openbmc/i.test(vendor)) return { matched: true, confidence: 0.8, identity: typeof root?.UUID === 'string' ? { uuid: root.UUID } : {} };
  if (c.dnsSdType && /_obmc_redfish/.test(c.dnsSdType)) return { matched: true, confidence: 0.6 };
  return { matched: false, reason: `vendor ${vendor || '(none)'} is not OpenBMC` };
}
