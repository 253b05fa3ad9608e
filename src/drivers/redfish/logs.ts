import { DriverError, type LogRecord, type RedfishClient, type ResourceRef } from '../api.js';
import { Mapping } from './fields.js';
import { mapLogEntry } from './maps.js';

/** A LogService found at connect, with where its entries are and whether it collects diagnostic data. */
export interface LogServiceRef {
  uri: string;
  id: string;
  owner: ResourceRef;
  entries?: string;
  diagnostics?: { target: string; types?: string[] };
}

/** Entries per log read at most; BMC event logs hold thousands and the newest matter. */
const MAX_PER_LOG = 1000;

/**
 * Reads the entries of every log service. Collections usually carry whole entries inline (bmcweb does); members given
 * by reference are fetched. A log that cannot be read is skipped, not fatal: one broken dump service must not hide
 * the event log.
 */
export async function readLogs(client: RedfishClient, services: LogServiceRef[], signal: AbortSignal, o: { since?: string; limit?: number } = {}): Promise<LogRecord[]> {
  const m = new Mapping();
  const out: LogRecord[] = [];
  for (const svc of services) {
    if (!svc.entries) continue;
    let members: unknown[];
    try {
      const coll = (await client.get(svc.entries, { signal })).body;
      members = Array.isArray(coll.Members) ? coll.Members.slice(-MAX_PER_LOG) : [];
    } catch (e) {
      if (e instanceof DriverError && (e.code === 'Rejected' || e.code === 'BadResponse')) continue;
      throw e;
    }
    for (const raw of members) {
      const ref = (raw as { '@odata.id'?: unknown })?.['@odata.id'];
      if (typeof ref !== 'string') continue;
      let body = raw as Record<string, unknown>;
      if (Object.keys(body).length <= 2) {
        try {
          body = (await client.get(ref, { signal })).body;
        } catch (e) {
          if (e instanceof DriverError && e.code === 'Rejected') continue;
          throw e;
        }
      }
      out.push(mapLogEntry(m, ref, body, svc.id));
    }
  }
  const since = o.since ? Date.parse(o.since) : undefined;
  const kept = since === undefined ? out : out.filter((r) => r.created !== undefined && Date.parse(r.created) > since);
  kept.sort((a, b) => (a.created ?? '').localeCompare(b.created ?? ''));
  return o.limit ? kept.slice(-o.limit) : kept;
}
