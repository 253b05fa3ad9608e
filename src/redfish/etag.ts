import { createHash } from 'node:crypto';
import type { RequestContext, ResourceDef } from './types.js';

/** A strong ETag over the resource's JSON, so any change to what a client sees changes it. */
export function etagOf(json: string): string {
  return `"${createHash('sha1').update(json).digest('base64url').slice(0, 16)}"`;
}

/**
 * The ETag of a resource as served: its JSON plus any state the representation hides (a write-only `Password`),
 * so that every modification, visible or not, invalidates the copies clients hold (DSP0266 ETags; RFC 9110 §8.8.3).
 */
export function resourceEtag(def: ResourceDef, ctx: RequestContext, json: string): string {
  const rev = def.revision?.(ctx);
  return etagOf(rev === undefined ? json : `${json}\u0000${rev}`);
}

/** RFC 9110 list matching for If-Match / If-None-Match: `*`, or any listed tag (weak prefix ignored for None-Match). */
export function etagMatches(header: string, etag: string, weakOk: boolean): boolean {
  const h = header.trim();
  if (h === '*') return true;
  return h
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === etag || (weakOk && t.replace(/^W\//, '') === etag));
}
