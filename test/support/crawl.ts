import type { FastifyInstance } from 'fastify';

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
