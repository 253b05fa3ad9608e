import type { FastifyInstance } from 'fastify';
import { validateRedfish } from './redfish-schema.js';

/** Walks every `@odata.id` reachable from `start`, returning each payload by URI. */
export async function crawl(
  app: FastifyInstance,
  headers: Record<string, string>,
  start = '/redfish/v1',
  limit = 2000,
): Promise<Map<string, Record<string, unknown>>> {
  const seen = new Map<string, Record<string, unknown>>();
  const queue = [start];
  while (queue.length && seen.size < limit) {
    const uri = queue.shift()!;
    if (seen.has(uri)) continue;
    const r = await app.inject({ url: uri, headers });
    if (r.statusCode !== 200) throw new Error(`GET ${uri} -> ${r.statusCode}: ${r.body}`);
    const body = r.json() as Record<string, unknown>;
    seen.set(uri, body);
    for (const id of links(body)) {
      const clean = id.split('#')[0]!;
      if (clean.startsWith('/redfish/v1') && !seen.has(clean)) queue.push(clean);
    }
  }
  return seen;
}

function links(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => links(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '@odata.id' && typeof x === 'string') out.push(x);
      else links(x, out);
    }
  }
  return out;
}

/**
 * Schema failures of crawled payloads, one line per resource: each against the DMTF schema its `@odata.type` names,
 * and its `Oem.Shoal` object against Shoal's own.
 */
export function schemaFailures(all: Map<string, Record<string, unknown>>): string[] {
  const failures: string[] = [];
  for (const [uri, body] of all) {
    const r = validateRedfish(body);
    if (!r.valid) failures.push(`${uri}: ${r.errors.slice(0, 5).join('; ')}`);
    const oem = (body.Oem as { Shoal?: Record<string, unknown> } | undefined)?.Shoal;
    if (oem) {
      const o = validateRedfish(oem);
      if (!o.valid) failures.push(`${uri} Oem.Shoal: ${o.errors.join('; ')}`);
    }
  }
  return failures;
}
