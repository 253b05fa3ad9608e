/**
 * Which changes to the aggregated tree become ResourceEvents. A device's first documents announce only its top-level
 * resources (one ResourceCreated per System, Chassis, Manager; not one per DIMM). After that every added, removed or
 * changed document is announced, except telemetry: sensor readings and metrics move on every poll, and an event per
 * reading would bury the changes operators act on (Redfish carries telemetry in MetricReports, not ResourceEvents).
 * The same holds for the usage figures (`Consumed`, `Remaining`) in a System's capabilities: a System whose only
 * change is usage is not announced, while a change of what it can do (an engine added or gone) is.
 */
import { canonicalJson, type ReplaceResult } from './resource-store.js';

/** The journal, as far as inventory uses it. */
export interface ChangeJournal {
  resourceEvent(id: 'ResourceCreated' | 'ResourceRemoved' | 'ResourceChanged', origin: string, args?: string[], detail?: unknown): unknown;
}

/** Fleet-level collections whose members are announced when a device first appears or leaves. */
const TOP_LEVEL = /^\/redfish\/v1\/(Systems|Chassis|Managers)\/[^/]+$/;

/** Telemetry: Sensors and their collections, and every *Metrics resource. */
const TELEMETRY = /\/Sensors(\/|$)|Metrics$/;

/**
 * Journals what one write did. `first` (the device's first documents) and `last` (it left management) announce only
 * its top-level resources.
 */
export function journalChanges(journal: ChangeJournal, r: ReplaceResult, when: 'first' | 'update' | 'last', quiet: ReadonlySet<string> = new Set()): void {
  if (when !== 'update') {
    for (const uri of r.added) if (TOP_LEVEL.test(uri)) journal.resourceEvent('ResourceCreated', uri);
    for (const uri of r.removed) if (TOP_LEVEL.test(uri)) journal.resourceEvent('ResourceRemoved', uri);
    return;
  }
  for (const uri of r.removed) if (!TELEMETRY.test(uri)) journal.resourceEvent('ResourceRemoved', uri);
  for (const uri of r.added) if (!TELEMETRY.test(uri)) journal.resourceEvent('ResourceCreated', uri);
  for (const uri of r.changed) if (!TELEMETRY.test(uri) && !quiet.has(uri)) journal.resourceEvent('ResourceChanged', uri);
}

/** Usage figures inside a System's `Oem.Shoal.Capabilities`: telemetry too, though they live in the System. */
const USAGE = ['Consumed', 'Remaining'];

/**
 * What a System's ResourceChanged is about: the document without its usage figures. Two Systems that differ only in
 * how many cores are busy have the same digest, so a poll that moved only usage journals nothing.
 */
export function significantDigest(body: Record<string, unknown>): string {
  const caps = ((body.Oem as Record<string, unknown> | undefined)?.Shoal as Record<string, unknown> | undefined)?.Capabilities as Record<string, unknown> | undefined;
  if (!caps || typeof caps !== 'object') return canonicalJson(body);
  const still: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(caps)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) still[k] = Object.fromEntries(Object.entries(v).filter(([f]) => !USAGE.includes(f)));
    else still[k] = v;
  }
  const oem = body.Oem as Record<string, Record<string, unknown>>;
  return canonicalJson({ ...body, Oem: { ...oem, Shoal: { ...oem.Shoal, Capabilities: still } } });
}
