import manifestJson from './manifest.json' with { type: 'json' };
import type { DriverManifest, ProbeCandidate, ProbeResult, RedfishExtension } from '../api.js';
import { bfbUpdate } from './bfb-update.js';
import { oemLastState } from './boot-states.js';
import { resetWindows } from './reset-windows.js';
import { stagedActivation } from './staged-activation.js';

export const bluefieldManifest = manifestJson as DriverManifest;

/** Applied in order on top of the generic Redfish session. */
export const bluefieldExtensions: readonly RedfishExtension[] = [oemLastState, resetWindows, bfbUpdate, stagedActivation];

/** A BlueField BMC names NVIDIA as vendor; the product, where present, says BlueField. */
export function probeBluefield(c: ProbeCandidate): ProbeResult {
  const root = c.serviceRoot;
  if (!root) return { matched: false, reason: 'no service root' };
  const vendor = String(root.Vendor ?? '');
  const product = String(root.Product ?? '');
  if (!/nvidia/i.test(vendor)) return { matched: false, reason: `vendor ${vendor || '(none)'} is not NVIDIA` };
  const uuid = typeof root.UUID === 'string' ? root.UUID : undefined;
  return { matched: true, confidence: /bluefield/i.test(product) ? 0.9 : 0.7, identity: uuid ? { uuid } : {} };
}
