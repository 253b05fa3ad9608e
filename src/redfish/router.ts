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
  /** Subtrees (`<prefix>/*`), longest prefix first: tried only when no template matches. */
  private readonly subtrees: { prefix: string; def: ResourceDef }[] = [];
  readonly defs: ResourceDef[] = [];

  add(def: ResourceDef): void {
    this.defs.push(def);
    if (def.path.endsWith('/*')) {
      this.subtrees.push({ prefix: def.path.slice(0, -1), def });
      this.subtrees.sort((a, b) => b.prefix.length - a.prefix.length);
      return;
    }
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
    // The rest of a subtree path stays percent-encoded: it is looked up as the `@odata.id` it is.
    for (const t of this.subtrees) if (clean.startsWith(t.prefix) && clean.length > t.prefix.length) return { def: t.def, params: { '*': clean.slice(t.prefix.length) } };
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
