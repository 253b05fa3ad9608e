import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A Mockup Creator directory loaded into memory: `@odata.id` → payload. Shared by every device that serves it. */
export interface Mockup {
  dir: string;
  resources: Map<string, Record<string, unknown>>;
  systems: string[];
  managers: string[];
  chassis: string[];
}

const cache = new Map<string, Mockup>();

/** Loads (once) a mockup directory; accepts either the folder holding `index.json` or its `redfish/v1` parent. */
export function loadMockup(dirIn: string): Mockup {
  let dir = resolve(dirIn);
  if (!existsSync(join(dir, 'index.json')) && existsSync(join(dir, 'redfish', 'v1', 'index.json'))) dir = join(dir, 'redfish', 'v1');
  const hit = cache.get(dir);
  if (hit) return hit;
  if (!existsSync(join(dir, 'index.json'))) throw new Error(`no Mockup Creator tree at ${dirIn} (expected index.json of /redfish/v1)`);
  const resources = new Map<string, Record<string, unknown>>();
  const walk = (d: string, rel: string) => {
    const f = join(d, 'index.json');
    if (existsSync(f)) {
      const body = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
      const id = typeof body['@odata.id'] === 'string' ? (body['@odata.id'] as string).replace(/\/+$/, '') : `/redfish/v1${rel}`;
      resources.set(id, body);
    }
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p, `${rel}/${e}`);
    }
  };
  walk(dir, '');
  for (const [id, body] of resources) resources.set(id, fillRequired(id, prune(body, resources) as Record<string, unknown>));
  // A mockup may be hand-edited or damaged on purpose (the gateway's robustness tests): take only usable members.
  const members = (id: string) => {
    const list = resources.get(id)?.Members;
    return (Array.isArray(list) ? list : [])
      .map((m) => (m && typeof m === 'object' ? (m as Record<string, unknown>)['@odata.id'] : undefined))
      .filter((x): x is string => typeof x === 'string');
  };
  const m: Mockup = { dir, resources, systems: members('/redfish/v1/Systems'), managers: members('/redfish/v1/Managers'), chassis: members('/redfish/v1/Chassis') };
  cache.set(dir, m);
  return m;
}

export function defaultMockupDir(): string {
  return process.env.MOCK_HARDWARE_MOCKUP ?? join(process.env.SHOAL_SHARED_DIR ?? resolve(process.cwd(), '../shared'), 'mockups', 'public-smartnic');
}

const isDangling = (v: unknown, resources: Map<string, unknown>): boolean => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  const id = (v as Record<string, unknown>)['@odata.id'];
  return keys.length === 1 && typeof id === 'string' && id.startsWith('/redfish/v1') && !resources.has(id.split('#')[0]!.replace(/\/+$/, ''));
};

/**
 * Drops links to resources the mockup does not contain (DMTF's public-smartnic links ports it never ships), so that
 * every link a client follows resolves. Counts (`X@odata.count`) follow the pruned arrays.
 */
function prune(v: unknown, resources: Map<string, unknown>): unknown {
  if (Array.isArray(v)) return v.filter((x) => !isDangling(x, resources)).map((x) => prune(x, resources));
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k !== '@odata.id' && isDangling(x, resources)) continue;
    out[k] = prune(x, resources);
  }
  for (const k of Object.keys(out)) {
    const m = /^(.*)@odata\.count$/.exec(k);
    if (m && Array.isArray(out[m[1]!])) out[k] = (out[m[1]!] as unknown[]).length;
  }
  return out;
}

/**
 * DMTF's mockups are illustrative and sometimes omit properties the schemas require (`Id`, `Name`, `Role.RoleId`).
 * Serving them as-is would fail validators, so the simulator fills them from the URI.
 */
function fillRequired(id: string, body: Record<string, unknown>): Record<string, unknown> {
  const type = String(body['@odata.type'] ?? '');
  if (!type || type.includes('Collection.')) return body;
  const last = decodeURIComponent(id.split('/').pop() ?? '');
  const out = { ...body };
  out.Id ??= last;
  out.Name ??= last;
  if (type.startsWith('#Role.')) out.RoleId ??= out.Id;
  return out;
}
