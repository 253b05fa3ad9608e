import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../model/account.js';
import { authenticate, clientAddress } from './auth.js';
import { RedfishError, baseMessage, errorBody } from './errors.js';
import { etagMatches, etagOf } from './etag.js';
import type { Json } from './odata.js';
import { allowed, ruleFor, PASSWORD_SELF_RULE, type Method, type PrivilegeRule } from './privileges.js';
import { ResourceRouter, allowedMethods } from './router.js';
import { serveGet } from './serve-get.js';
import type { HandlerReply, RawReply, RedfishServices, RequestContext, ResourceDef } from './types.js';
import { checkAll, requireObject, sortPatch } from './validate-body.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    def?: ResourceDef;
  }
}

export interface RedfishPluginOptions {
  services: RedfishServices;
  resources: ResourceDef[];
}

const METHODS: Method[] = ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'];
const WRITE = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * The one Redfish request pipeline: OData-Version check, authentication, privileges from the PrivilegeRegistry,
 * query parameters, ETags, `Allow`/405, `Link` rel=describedby, Redfish error bodies, and an audit record per write.
 * Resource files only describe resources; everything protocol-level happens here.
 */
export async function redfishPlugin(app: FastifyInstance, opts: RedfishPluginOptions): Promise<void> {
  const { services } = opts;
  const router = new ResourceRouter();
  for (const d of opts.resources) router.add(d);

  // Our own JSON parser: an empty body is "no body" (clients send Content-Type on bodiless actions), bad JSON is
  // MalformedJSON, and prototype keys are refused outright.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    const s = String(text);
    if (s.trim() === '') return done(null, undefined);
    try {
      done(
        null,
        JSON.parse(s, (k: string, v: unknown) => {
          if (k === '__proto__' || k === 'constructor') throw new SyntaxError('forbidden key');
          return v;
        }),
      );
    } catch {
      done(RedfishError.of(400, 'MalformedJSON'), undefined);
    }
  });

  app.addHook('onRequest', async (req) => {
    const ver = req.headers['odata-version'];
    if (ver !== undefined && ver !== '4.0') {
      throw new RedfishError(412, baseMessage('HeaderInvalid', ['OData-Version']));
    }
    const def = req.routeOptions.config.def;
    if (req.method === 'POST' && def?.entity === 'SessionCollection') return; // login authenticates its own body
    const principal = await authenticate(req, services);
    if (principal) req.principal = principal;
    else if (!def?.noAuth?.includes(req.method)) throw new RedfishError(401, baseMessage('NoValidSession'), { 'WWW-Authenticate': 'Basic realm="Shoal"' });
  });

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('OData-Version', '4.0');
    reply.header('Cache-Control', 'no-cache');
    const def = req.routeOptions.config.def;
    if (def) reply.header('Allow', allowedMethods(def).join(', '));
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    if (!WRITE.has(req.method)) return;
    services.audit.append({
      at: Date.now(),
      username: req.principal?.username ?? loginName(req),
      clientIp: clientAddress(req),
      method: req.method,
      path: req.url.split('?')[0]!,
      status: reply.statusCode,
    });
  });

  app.setErrorHandler(async (err: Error & { code?: string; statusCode?: number }, req, reply) => {
    let rf: RedfishError;
    if (err instanceof RedfishError) rf = err;
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') rf = RedfishError.of(413, 'PayloadTooLarge');
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') rf = RedfishError.of(415, 'UnrecognizedRequestBody');
    else if (err.statusCode === 400) rf = RedfishError.of(400, 'MalformedJSON');
    else {
      req.log.error({ err }, 'unhandled error');
      rf = RedfishError.of(500, 'InternalError');
    }
    reply.code(rf.status).headers(rf.headers);
    return errorBody(rf.messages);
  });

  app.setNotFoundHandler(async (req, reply) => {
    // Unknown URIs are only revealed to authenticated callers.
    if (!req.principal) throw new RedfishError(401, baseMessage('NoValidSession'), { 'WWW-Authenticate': 'Basic realm="Shoal"' });
    reply.code(404);
    return errorBody([baseMessage('InvalidURI', [req.url.split('?')[0]!])]);
  });

  for (const def of opts.resources) {
    app.route({
      method: METHODS,
      url: def.path,
      config: { def },
      handler: (req, reply) => dispatch(def, req, reply, services, router),
    });
  }
}

function loginName(req: FastifyRequest): string | null {
  const b = req.body as { UserName?: unknown } | undefined;
  return typeof b?.UserName === 'string' ? b.UserName : null;
}

function methodNotAllowed(def: ResourceDef): RedfishError {
  return new RedfishError(405, baseMessage('OperationNotAllowed'), { Allow: allowedMethods(def).join(', ') });
}

function authorize(def: ResourceDef, ctx: RequestContext, method: Method, rule?: PrivilegeRule): void {
  const p = ctx.principal;
  if (!p) return; // only reachable on noAuth routes
  const own = def.owner?.(ctx) === p.accountId;
  const r = rule ?? ruleFor(def.entity, method);
  if (allowed(r, p.privileges, own)) return;
  // With ConfigureSelf alone, a caller may not learn whether another user's resource exists.
  throw RedfishError.of(403, 'InsufficientPrivilege');
}

async function dispatch(
  def: ResourceDef,
  req: FastifyRequest,
  reply: FastifyReply,
  services: RedfishServices,
  router: ResourceRouter,
): Promise<FastifyReply | Json | undefined> {
  const method = req.method as Method;
  const ctx: RequestContext = {
    params: req.params as Record<string, string>,
    principal: req.principal,
    services,
    request: req,
  };
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (!def.get) throw methodNotAllowed(def);
      if (!def.noAuth?.includes(method)) authorize(def, ctx, method);
      if (def.raw) return serveRaw(def, ctx, req, reply);
      return serveGet(def, ctx, router, req, reply);
    case 'PATCH':
      if (!def.patch || !def.get) throw methodNotAllowed(def);
      return patch(def, ctx, req, reply);
    case 'POST':
      if (!def.create && !def.action && !def.post) throw methodNotAllowed(def);
      if (!(def.entity === 'SessionCollection')) authorize(def, ctx, method);
      return send(reply, await post(def, ctx, req.body));
    case 'PUT':
      if (!def.put) throw methodNotAllowed(def);
      authorize(def, ctx, method);
      return send(reply, await def.put(ctx, req.body));
    case 'DELETE':
      if (!def.delete) throw methodNotAllowed(def);
      authorize(def, ctx, method);
      return send(reply, await def.delete(ctx));
  }
}

async function serveRaw(def: ResourceDef, ctx: RequestContext, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const r = (await def.get!(ctx)) as unknown as RawReply;
  reply.code(r.status ?? 200);
  if (r.headers) reply.headers(r.headers);
  if (r.text !== undefined) {
    reply.type(r.contentType ?? 'application/json; charset=utf-8');
    return reply.send(req.method === 'HEAD' ? undefined : r.text);
  }
  if (r.body === undefined) return reply.send();
  reply.type('application/json; charset=utf-8');
  return reply.send(req.method === 'HEAD' ? undefined : JSON.stringify(r.body));
}

async function post(def: ResourceDef, ctx: RequestContext, body: unknown): Promise<HandlerReply> {
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
 * answer is 200 with the resource and a message per refused property, and if none could be applied it is 400.
 */
async function patch(def: ResourceDef, ctx: RequestContext, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const body = requireObject(req.body);
  const own = ctx.principal && def.owner?.(ctx) === ctx.principal.accountId;
  const onlyPassword = Object.keys(body).every((k) => k === 'Password' || k.startsWith('@odata.'));
  authorize(def, ctx, 'PATCH', own && onlyPassword && def.entity === 'ManagerAccount' ? PASSWORD_SELF_RULE : undefined);
  const current = await def.get!(ctx);
  const ifMatch = req.headers['if-match'];
  if (typeof ifMatch === 'string' && !etagMatches(ifMatch, etagOf(JSON.stringify(current)), false)) {
    throw RedfishError.of(412, 'PreconditionFailed');
  }
  if (Object.keys(body).length === 0) throw RedfishError.of(400, 'EmptyJSON');
  const { values, errors } = sortPatch(body, def.patch!.props, current);
  if (Object.keys(values).length === 0) throw new RedfishError(400, errors);
  await def.patch!.apply(ctx, values);
  const fresh = await def.get!(ctx);
  const text = JSON.stringify(fresh);
  const etag = etagOf(text);
  reply.header('ETag', etag);
  const out: Json = { '@odata.etag': etag, ...fresh };
  if (errors.length) out['@Message.ExtendedInfo'] = errors;
  return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(out));
}

function send(reply: FastifyReply, r: HandlerReply): FastifyReply {
  reply.code(r.status);
  if (r.headers) reply.headers(r.headers);
  if (r.body === undefined) return reply.send();
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(r.body));
}
