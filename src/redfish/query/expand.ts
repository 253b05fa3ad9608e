/**
 * `$expand` (DSP0266 §7.3, "The $expand query parameter"): replaces hyperlinks with the resources they name.
 */
import { RedfishError } from '../errors.js';
import type { ExpandOptions } from './types.js';

/** Optional bounds for {@link expandResource}. */
export interface ExpandLimits {
  /** Most hyperlinks one call may expand; past it the call fails with 507. Defaults to {@link DEFAULT_MAX_EXPANDED}. */
  maxResources?: number;
}

/**
 * Default budget of expanded hyperlinks per request. `$levels=6` over a fleet-wide tree can otherwise build a
 * response of millions of objects, and DSP0266 answers an oversized `$expand` with 507 rather than a truncated body.
 */
export const DEFAULT_MAX_EXPANDED = 10_000;

type Resolve = (odataId: string) => Promise<Record<string, unknown> | undefined>;

interface Walk {
  kind: ExpandOptions['kind'];
  fetch: Resolve;
  budget: { left: number };
}

/**
 * Returns a deep copy of `resource` with its hyperlinks (objects whose only key is `@odata.id`) replaced by what
 * `resolve` returns for them; a link `resolve` answers with `undefined` stays a link.
 *
 * - `subordinate` (`.`) expands links outside any `Links` object, collection `Members` included; `links` (`~`)
 *   expands only links inside a `Links` object; `all` (`*`) expands both.
 * - With `levels` > 1 each expanded resource is expanded in turn, its own `Links` judged afresh.
 * - A link to the resource itself or to any resource it was reached through stays a link, so cycles end.
 * - Annotations (keys containing `@`, such as `@Redfish.Settings`) are not navigation properties and are copied
 *   as they are; so are links with a `#` fragment, which name part of a resource rather than a resource.
 * - Each `@odata.id` is resolved at most once per call; the expanded copies never share objects.
 *
 * @throws RedfishError 507 `InsufficientStorage` when more than `limits.maxResources` links would be expanded.
 *   Rejections from `resolve` propagate unchanged.
 */
export async function expandResource(
  resource: Record<string, unknown>,
  opts: ExpandOptions,
  resolve: Resolve,
  limits: ExpandLimits = {},
): Promise<Record<string, unknown>> {
  const cache = new Map<string, Promise<Record<string, unknown> | undefined>>();
  const fetch: Resolve = (id) => {
    let pending = cache.get(id);
    if (!pending) {
      pending = resolve(id);
      cache.set(id, pending);
    }
    return pending;
  };
  const walk: Walk = { kind: opts.kind, fetch, budget: { left: limits.maxResources ?? DEFAULT_MAX_EXPANDED } };
  return walkObject(resource, false, opts.levels, ancestry(new Set(), resource), walk);
}

async function walkObject(
  source: Record<string, unknown>,
  inLinks: boolean,
  levels: number,
  ancestors: ReadonlySet<string>,
  walk: Walk,
): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(source).map(async ([key, value]): Promise<[string, unknown]> => {
      if (key.includes('@')) return [key, structuredClone(value)];
      return [key, await walkValue(value, inLinks || key === 'Links', levels, ancestors, walk)];
    }),
  );
  // fromEntries keeps a JSON key named "__proto__" as a plain property.
  return Object.fromEntries(entries);
}

async function walkValue(
  value: unknown,
  inLinks: boolean,
  levels: number,
  ancestors: ReadonlySet<string>,
  walk: Walk,
): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((el) => walkValue(el, inLinks, levels, ancestors, walk)));
  if (!isRecord(value)) return value;
  const wanted = walk.kind === 'all' || (walk.kind === 'links') === inLinks;
  const id = linkTarget(value);
  if (id === undefined || !wanted) return walkObject(value, inLinks, levels, ancestors, walk);
  return expandLink(id, levels, ancestors, walk);
}

async function expandLink(id: string, levels: number, ancestors: ReadonlySet<string>, walk: Walk): Promise<unknown> {
  if (id.includes('#') || ancestors.has(normalise(id))) return { '@odata.id': id };
  if (walk.budget.left <= 0) throw RedfishError.of(507, 'InsufficientStorage');
  // Taken before awaiting, so links expanded concurrently cannot overshoot the budget.
  walk.budget.left--;
  const target = await walk.fetch(id);
  if (!target) return { '@odata.id': id };
  if (levels <= 1) return structuredClone(target);
  return walkObject(target, false, levels - 1, ancestry(ancestors, target, id), walk);
}

/** The `@odata.id` of a hyperlink, or undefined when `value` is anything else. */
function linkTarget(value: Record<string, unknown>): string | undefined {
  const keys = Object.keys(value);
  const id = value['@odata.id'];
  return keys.length === 1 && keys[0] === '@odata.id' && typeof id === 'string' ? id : undefined;
}

function ancestry(
  ancestors: ReadonlySet<string>,
  resource: Record<string, unknown>,
  via?: string,
): ReadonlySet<string> {
  const next = new Set(ancestors);
  if (via !== undefined) next.add(normalise(via));
  const own = resource['@odata.id'];
  if (typeof own === 'string') next.add(normalise(own));
  return next;
}

/** `/redfish/v1/` and `/redfish/v1` name the same resource. */
function normalise(id: string): string {
  return id.length > 1 ? id.replace(/\/+$/, '') : id;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
