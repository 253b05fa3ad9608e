import type { Method } from './privileges.js';
import type { ResourceDef } from './types.js';

interface Entry {
  re: RegExp;
  keys: string[];
  def: ResourceDef;
}

/**
 * Maps Redfish URIs to resource definitions. Fastify routes requests; this second index lets the pipeline resolve
 * an `@odata.id` in-process for `$expand`, `$filter` on members, and `only`.
 */
export class ResourceRouter {
  private readonly bySegments = new Map<number, Entry[]>();
  readonly defs: ResourceDef[] = [];

  add(def: ResourceDef): void {
    const segs = def.path.split('/');
    const keys: string[] = [];
    const pattern = segs
      .map((s) => {
        if (s.startsWith(':')) {
          keys.push(s.slice(1));
          return '([^/]+)';
        }
        return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    const list = this.bySegments.get(segs.length) ?? [];
    list.push({ re: new RegExp(`^${pattern}$`), keys, def });
    this.bySegments.set(segs.length, list);
    this.defs.push(def);
  }

  match(url: string): { def: ResourceDef; params: Record<string, string> } | undefined {
    const clean = requestPath(url);
    for (const e of this.bySegments.get(clean.split('/').length) ?? []) {
      const m = e.re.exec(clean);
      if (!m) continue;
      const params: Record<string, string> = {};
      e.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
      return { def: e.def, params };
    }
    return undefined;
  }
}

/** The resource a URL names: no query string, no trailing slash (`/redfish/v1/` is `/redfish/v1`). */
export function requestPath(url: string): string {
  const path = url.split('?')[0]!;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Methods a definition answers, for the `Allow` header. */
export function allowedMethods(def: ResourceDef): Method[] {
  const m: Method[] = [];
  if (def.get) m.push('GET', 'HEAD');
  // A collection that creates members and an action target both answer POST (DSP0266 Allow header).
  if (def.post || def.create || def.action) m.push('POST');
  if (def.patch) m.push('PATCH');
  if (def.put) m.push('PUT');
  if (def.delete) m.push('DELETE');
  return m;
}
