import type { FastifyReply, FastifyRequest } from 'fastify';
import { RedfishError } from './errors.js';
import { etagMatches, etagOf, resourceEtag } from './etag.js';
import { schemaUri, type Json } from './odata.js';
import { allowed, ruleFor } from './privileges.js';
import { applySelect, evaluateFilter, expandResource, parseQuery, type QueryOptions } from './query/index.js';
import { toPredicate } from './query/to-predicate.js';
import type { ResourceRouter } from './router.js';
import type { RequestContext, ResourceDef } from './types.js';

/** Reads a resource in-process for `$expand`, `$filter` and `only`, with the caller's own rights. */
export function makeResolver(router: ResourceRouter, ctx: RequestContext): (id: string) => Promise<Json | undefined> {
  return async (id) => {
    const m = router.match(id);
    if (!m?.def.get || m.def.raw) return undefined;
    const sub: RequestContext = { ...ctx, params: m.params };
    const rule = ruleFor(m.def.entity, 'GET');
    if (ctx.principal && !allowed(rule, ctx.principal.privileges, m.def.owner?.(sub) === ctx.principal.accountId)) {
      return undefined;
    }
    try {
      return await m.def.get(sub);
    } catch (e) {
      if (e instanceof RedfishError && e.status === 404) return undefined;
      throw e;
    }
  };
}

const NO_QUERY: QueryOptions = {};
const linkCache = new Map<string, string>();

function describedBy(type: string): string {
  let v = linkCache.get(type);
  if (v === undefined) {
    v = `<${schemaUri(type)}>; rel=describedby`;
    linkCache.set(type, v);
  }
  return v;
}

const hasQuery = (q: QueryOptions) =>
  q.select !== undefined || q.expand !== undefined || q.filter !== undefined || q.top !== undefined || q.skip !== undefined || q.only === true;

/**
 * GET and HEAD: build the resource, tag it, answer 304 when the client's copy is current, then apply the query
 * parameters. The ETag describes the full resource, before `$select` or `$expand`; the one exception is an expanded
 * page of a fleet collection, tagged by the members it shows (see {@link serveExpandedPage}).
 */
export async function serveGet(
  def: ResourceDef,
  ctx: RequestContext,
  router: ResourceRouter,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const query = req.url.includes('?') ? parseQuery(req.query as Record<string, string | string[] | undefined>) : NO_QUERY;
  if (def.fleet && isExpandedPage(query)) return serveExpandedPage(def.fleet, ctx, req, reply, query);
  let body = await def.get!(ctx);
  const text = JSON.stringify(body);
  const etag = resourceEtag(def, ctx, text);
  reply.header('ETag', etag);
  if (typeof body['@odata.type'] === 'string') reply.header('Link', describedBy(body['@odata.type']));
  const inm = req.headers['if-none-match'];
  // The tag describes the resource itself; an expanded or filtered page also depends on its members, which the tag
  // does not cover, so such a page is never answered with 304.
  if (typeof inm === 'string' && !query.expand && !query.filter && etagMatches(inm, etag, true)) return reply.code(304).send();

  if (!hasQuery(query)) {
    // The common case: splice the annotation into the already serialised text rather than serialising twice.
    const out = text.length > 2 ? `{"@odata.etag":${JSON.stringify(etag)},${text.slice(1)}` : text;
    return reply.type('application/json; charset=utf-8').send(req.method === 'HEAD' ? undefined : out);
  }
  if (!def.collection && (query.filter || query.top !== undefined || query.skip !== undefined || query.only)) {
    throw RedfishError.of(400, 'QueryNotSupportedOnResource');
  }
  const resolve = makeResolver(router, ctx);
  if (def.fleet && !query.only) {
    const where = query.filter ? toPredicate(query.filter) : undefined;
    if (!query.filter || where) {
      fleetPage(def.fleet.collection, body, query, ctx, req.url, where);
      if (query.expand) body = await expandResource(body, query.expand, resolve);
      if (query.select) body = applySelect(body, query.select) as Json;
      return reply.type('application/json; charset=utf-8').send(req.method === 'HEAD' ? undefined : JSON.stringify({ '@odata.etag': etag, ...body }));
    }
  }
  if (def.collection) {
    const only = await applyCollectionQuery(body, query, resolve, req.url);
    if (only) body = only;
  }
  if (query.expand) body = await expandResource(body, query.expand, resolve);
  if (query.select) body = applySelect(body, query.select) as Json;
  const out = { '@odata.etag': etag, ...body };
  return reply.type('application/json; charset=utf-8').send(req.method === 'HEAD' ? undefined : JSON.stringify(out));
}

/** A page of fleet members expanded one level, the most common fleet read: served without building the collection. */
const isExpandedPage = (q: QueryOptions) => q.expand?.levels === 1 && q.expand.kind !== 'links' && !q.select && !q.filter && !q.only;

/**
 * `Systems?$expand=.($levels=1)&$top=N`: the members' stored JSON is spliced into the page as it is, so a thousand
 * Systems are never parsed and serialised again, and the full member list (which only the collection's own ETag
 * needs) is never read. The page's ETag is over what the page shows: the count and each member's stored tag.
 */
function serveExpandedPage(
  fleet: NonNullable<ResourceDef['fleet']>,
  ctx: RequestContext,
  req: FastifyRequest,
  reply: FastifyReply,
  q: QueryOptions,
): FastifyReply {
  const skip = q.skip ?? 0;
  const r = ctx.services.inventory.memberTexts(fleet.collection, { skip, ...(q.top !== undefined ? { top: q.top } : {}) });
  const etag = etagOf(`${fleet.collection}\u0000${r.total}\u0000${skip}\u0000${r.etags.join('')}`);
  reply.header('ETag', etag);
  reply.header('Link', describedBy(fleet.type));
  const head: Json = { '@odata.etag': etag, '@odata.id': fleet.collection, '@odata.type': fleet.type, Name: fleet.name, 'Members@odata.count': r.total };
  if (q.top !== undefined && skip + q.top < r.total) head['Members@odata.nextLink'] = nextLink(req.url, skip + q.top);
  const text = JSON.stringify(head);
  return reply.type('application/json; charset=utf-8').send(req.method === 'HEAD' ? undefined : `${text.slice(0, -1)},"Members":[${r.texts.join(',')}]}`);
}

/** A fleet collection's page, filtered and paged inside the store, set into `body` in place. */
function fleetPage(collection: string, body: Json, q: QueryOptions, ctx: RequestContext, url: string, where: ReturnType<typeof toPredicate>): void {
  const skip = q.skip ?? 0;
  const page = { skip, ...(q.top !== undefined ? { top: q.top } : {}) };
  const r = where ? ctx.services.inventory.query(collection, where, page) : ctx.services.inventory.members(collection, page);
  body.Members = r.uris.map((u) => ({ '@odata.id': u }));
  body['Members@odata.count'] = r.total;
  if (q.top !== undefined && skip + q.top < r.total) body['Members@odata.nextLink'] = nextLink(url, skip + q.top);
}

/**
 * `$filter`, `$skip`/`$top` (with `Members@odata.nextLink`) and `only` on a collection, in place. Returns the single
 * member for `only` when there is exactly one.
 */
async function applyCollectionQuery(
  body: Json,
  q: QueryOptions,
  resolve: (id: string) => Promise<Json | undefined>,
  url: string,
): Promise<Json | undefined> {
  let members = (body.Members as { '@odata.id': string }[] | undefined) ?? [];
  if (q.only) {
    if (members.length !== 1) return undefined;
    return resolve(members[0]!['@odata.id']);
  }
  if (q.filter) {
    const kept: { '@odata.id': string }[] = [];
    for (const m of members) {
      const full = await resolve(m['@odata.id']);
      if (full && evaluateFilter(q.filter, full)) kept.push(m);
    }
    members = kept;
  }
  const total = members.length;
  const skip = q.skip ?? 0;
  const page = q.top !== undefined ? members.slice(skip, skip + q.top) : members.slice(skip);
  body['Members@odata.count'] = total;
  body.Members = page;
  if (q.top !== undefined && skip + q.top < total) {
    body['Members@odata.nextLink'] = nextLink(url, skip + q.top);
  }
  return undefined;
}

/** The same request with `$skip` moved on; every other parameter kept as the client sent it. */
function nextLink(url: string, skip: number): string {
  const [path, qs = ''] = url.split('?') as [string, string?];
  const params = new URLSearchParams(qs);
  params.set('$skip', String(skip));
  return `${path}?${params.toString().replace(/%24/g, '$')}`;
}
