import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from './authorize.js';
import { RedfishError } from './errors.js';
import { etagMatches, resourceEtag } from './etag.js';
import type { Json } from './odata.js';
import { PASSWORD_SELF_RULE } from './privileges.js';
import type { HandlerReply, RequestContext, ResourceDef } from './types.js';
import { requestPath } from './router.js';
import { checkAll, isAnnotation, requireObject, sortPatch } from './validate-body.js';

const locks = new Map<string, Promise<unknown>>();

/**
 * Runs writes to one resource one at a time, so an `If-Match` check and the write it guards are atomic: of several
 * writers holding the same ETag exactly one succeeds and the others get 412, even when a write awaits (password
 * hashing). Writes to different resources still run concurrently.
 */
export function withWriteLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  void tail.then(() => {
    if (locks.get(key) === tail) locks.delete(key);
  });
  return run;
}

/** The lock key: the resource's path without query or trailing slash. */
export function resourceKey(req: FastifyRequest): string {
  return requestPath(req.url);
}

/**
 * `If-Match` (RFC 9110 §13.1.1) on PATCH, PUT and DELETE: 412 `PreconditionFailed` unless the header lists the
 * resource's current ETag or is `*`. Returns the current representation when one was read.
 */
export async function checkIfMatch(def: ResourceDef, ctx: RequestContext, req: FastifyRequest): Promise<Json | undefined> {
  const ifMatch = req.headers['if-match'];
  if (typeof ifMatch !== 'string' || !def.get || def.raw) return undefined;
  const current = await def.get(ctx);
  if (!etagMatches(ifMatch, resourceEtag(def, ctx, JSON.stringify(current)), false)) {
    throw RedfishError.of(412, 'PreconditionFailed');
  }
  return current;
}

export async function post(def: ResourceDef, ctx: RequestContext, body: unknown): Promise<HandlerReply> {
  if (def.create) {
    const values = checkAll(requireObject(body), def.create.props, 'create');
    return def.create.create(ctx, values);
  }
  if (def.action) {
    const obj = body === undefined ? {} : requireObject(body);
    const params = checkAll(obj, def.action.parameters, 'action', def.action.name);
    return def.action.run(ctx, params);
  }
  return def.post!(ctx, body);
}

/**
 * PATCH per DSP0266: If-Match first, then each property on its own. Valid ones are applied; if some were refused the
 * answer is 200 with the resource and a message per refused property, and if none could be applied it is 400. A body
 * of nothing but OData annotations changes nothing: 400 `NoOperation`.
 */
export async function patch(def: ResourceDef, ctx: RequestContext, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const body = requireObject(req.body);
  const own = ctx.principal && def.owner?.(ctx) === ctx.principal.accountId;
  const onlyPassword = Object.keys(body).every((k) => k === 'Password' || k.startsWith('@odata.'));
  authorize(def, ctx, 'PATCH', own && onlyPassword && def.entity === 'ManagerAccount' ? PASSWORD_SELF_RULE : undefined);
  const current = (await checkIfMatch(def, ctx, req)) ?? (await def.get!(ctx));
  if (Object.keys(body).length === 0) throw RedfishError.of(400, 'EmptyJSON');
  if (Object.keys(body).every(isAnnotation)) throw RedfishError.of(400, 'NoOperation');
  const { values, errors } = sortPatch(body, def.patch!.props, current);
  if (Object.keys(values).length === 0) throw new RedfishError(400, errors);
  await def.patch!.apply(ctx, values);
  const fresh = await def.get!(ctx);
  const text = JSON.stringify(fresh);
  const etag = resourceEtag(def, ctx, text);
  reply.header('ETag', etag);
  const out: Json = { '@odata.etag': etag, ...fresh };
  if (errors.length) out['@Message.ExtendedInfo'] = errors;
  return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(out));
}

export function send(reply: FastifyReply, r: HandlerReply): FastifyReply {
  reply.code(r.status);
  if (r.headers) reply.headers(r.headers);
  if (r.body === undefined) return reply.send();
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(r.body));
}
