/**
 * Which changes to the aggregated tree become ResourceEvents. A device's first documents announce only its top-level
 * resources (one ResourceCreated per System, Chassis, Manager; not one per DIMM). After that every added, removed or
 * changed document is announced, except telemetry: sensor readings and metrics move on every poll, and an event per
 * reading would bury the changes operators act on (Redfish carries telemetry in MetricReports, not ResourceEvents).
 */
import type { ReplaceResult } from './resource-store.js';

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
export function journalChanges(journal: ChangeJournal, r: ReplaceResult, when: 'first' | 'update' | 'last'): void {
  if (when !== 'update') {
    for (const uri of r.added) if (TOP_LEVEL.test(uri)) journal.resourceEvent('ResourceCreated', uri);
    for (const uri of r.removed) if (TOP_LEVEL.test(uri)) journal.resourceEvent('ResourceRemoved', uri);
    return;
  }
  for (const uri of r.removed) if (!TELEMETRY.test(uri)) journal.resourceEvent('ResourceRemoved', uri);
  for (const uri of r.added) if (!TELEMETRY.test(uri)) journal.resourceEvent('ResourceCreated', uri);
  for (const uri of r.changed) if (!TELEMETRY.test(uri)) journal.resourceEvent('ResourceChanged', uri);
}
