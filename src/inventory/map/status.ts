/**
 * `Status` for mapped resources, including what the gateway knows and the device cannot say: that the last poll
 * failed, that the data is stale, or that the device is unreachable (`Status.Conditions`, `UnavailableOffline`).
 */
import type { ResourceStatus } from '../../model/inventory.js';
import { inEnum } from './schema-facts.js';
import { show } from './show.js';
import type { DeviceFreshness, MapNote } from './types.js';

/** The Base registry the condition MessageIds name (major.minor, as DSP0266 forms MessageIds). */
export const BASE_REGISTRY = 'Base.1.22';

/**
 * The Base 1.22.1 messages used as conditions, with their registry text and severity (a test compares them with the
 * registry file). Base has no "device unreachable" message with zero arguments; DMTF's own description of these two
 * names aggregation ("an internal service provider is unable to complete the request"), which is what a failed or
 * overdue poll of a device is.
 */
export const CONDITION_MESSAGES = {
  OperationFailed: { severity: 'Warning', message: 'An error occurred internal to the service as part of the overall request.  Partial results may have been returned.' },
  OperationTimeout: { severity: 'Warning', message: 'A timeout internal to the service occurred as part of the request.  Partial results may have been returned.' },
} as const;

type ConditionId = keyof typeof CONDITION_MESSAGES;

/** Redfish DateTime with an explicit offset, as the schemas' `date-time` format requires. */
export const isoTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

/** The conditions freshness implies, at most one per message. `origin` is the device's AggregationSource. */
export function freshnessConditions(f: DeviceFreshness | undefined, origin: string): Record<string, unknown>[] {
  if (!f) return [];
  const out = new Map<ConditionId, number | undefined>();
  if (f.error) out.set(f.error.code === 'Timeout' ? 'OperationTimeout' : 'OperationFailed', f.error.at);
  const lastGood = Math.max(f.inventoryAt ?? -Infinity, f.stateAt ?? -Infinity);
  if (f.stale && !out.has('OperationTimeout')) out.set('OperationTimeout', Number.isFinite(lastGood) ? lastGood : undefined);
  // The breaker can be open with no error recorded for the current poll (a poll skipped, not failed).
  if (f.availability === 'unavailable' && out.size === 0) out.set('OperationFailed', undefined);
  return [...out].map(([id, at]) => ({
    MessageId: `${BASE_REGISTRY}.${id}`,
    Message: CONDITION_MESSAGES[id].message,
    Severity: CONDITION_MESSAGES[id].severity,
    ...(at !== undefined && Number.isFinite(at) ? { Timestamp: isoTime(at) } : {}),
    OriginOfCondition: { '@odata.id': origin },
  }));
}

/** Options for one resource's Status. */
export interface StatusInput {
  status: ResourceStatus | undefined;
  freshness: DeviceFreshness | undefined;
  /** Conditions to attach (top-level resources only; parts inherit them through HealthRollup of their parent). */
  conditions?: Record<string, unknown>[];
  note: (n: Omit<MapNote, 'source'>) => void;
}

/** A schema-valid Status; unknown enum values are left out and reported. */
export function buildStatus({ status, freshness, conditions, note }: StatusInput): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (status?.state !== undefined) {
    if (inEnum('Resource.State', status.state)) out.State = status.state;
    else note({ path: 'Status/State', reason: `not a Resource.State: ${show(status.state)}` });
  }
  for (const [k, v] of [['Health', status?.health], ['HealthRollup', status?.healthRollup]] as const) {
    if (v === undefined) continue;
    if (inEnum('Resource.Health', v)) out[k] = v;
    else note({ path: `Status/${k}`, reason: `not a Resource.Health: ${show(v)}` });
  }
  if (freshness?.availability === 'unavailable') out.State = 'UnavailableOffline';
  if (conditions?.length) out.Conditions = conditions;
  return Object.keys(out).length ? out : undefined;
}
