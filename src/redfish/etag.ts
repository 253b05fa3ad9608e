import { createHash } from 'node:crypto';

/** A strong ETag over the resource's JSON, so any change to what a client sees changes it. */
export function etagOf(json: string): string {
  return `"${createHash('sha1').update(json).digest('base64url').slice(0, 16)}"`;
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
