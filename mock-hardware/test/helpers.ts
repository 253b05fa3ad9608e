import { Agent, request } from 'undici';
import type { FleetDevice } from '../src/index.js';

export const agent = new Agent({ connect: { rejectUnauthorized: false }, connections: 16 });

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

/** Redfish call with Basic auth (or a token, or none). */
export async function rf(d: FleetDevice, method: string, path: string, body?: unknown, opts: { token?: string; auth?: false | [string, string]; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers['x-auth-token'] = opts.token;
  else if (opts.auth !== false) {
    const [u, p] = opts.auth ?? [d.credentials.user, d.credentials.password];
    headers.authorization = `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const base = d.url.replace(/\/redfish\/v1$/, '');
  const r = await request(base + path, { method: method as 'GET', headers, body: body === undefined ? null : JSON.stringify(body), dispatcher: agent });
  const text = await r.body.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: r.statusCode, headers: r.headers, body: parsed, text };
}

export const get = (d: FleetDevice, path: string) => rf(d, 'GET', path);

/** Every `@odata.id` reachable from the service root, with its payload. */
export async function crawl(d: FleetDevice, start = '/redfish/v1'): Promise<Map<string, any>> {
  const seen = new Map<string, any>();
  const queue = [start];
  while (queue.length) {
    const p = queue.shift()!;
    if (seen.has(p)) continue;
    const r = await get(d, p);
    if (r.status !== 200) throw new Error(`GET ${p} -> ${r.status} ${r.text.slice(0, 200)}`);
    seen.set(p, r.body);
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '@odata.id' && typeof x === 'string') {
            const clean = x.split('#')[0]!.replace(/\/$/, '');
            if (clean.startsWith('/redfish/v1') && !seen.has(clean)) queue.push(clean);
          } else walk(x);
        }
      }
    };
    walk(r.body);
  }
  return seen;
}
