import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../model/account.js';
import { authenticate, clientAddress, unauthorized } from './auth.js';
import { authorize, methodNotAllowed } from './authorize.js';
import { answerUnknownMethods } from './client-error.js';
import { RedfishError, baseMessage, errorBody } from './errors.js';
import type { Json } from './odata.js';
import type { Method } from './privileges.js';
import { accountUri } from './resources/account-service.js';
import { ResourceRouter, allowedMethods, requestPath } from './router.js';
import { serveGet } from './serve-get.js';
import type { RawReply, RedfishServices, RequestContext, ResourceDef } from './types.js';
import { checkIfMatch, patch, post, resourceKey, send, withWriteLock } from './writes.js';

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

const WRITE_METHODS: Method[] = ['POST', 'PATCH', 'PUT', 'DELETE'];

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

  // Hooks are callback-style and the token path stays synchronous: this runs on every request, and async hooks
  // and per-request allocations showed up as a third of the pipeline's cost in profiles.
  const authHook = (def: ResourceDef) => (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    try {
      checkODataVersion(req);
      if (req.method === 'POST' && def.entity === 'SessionCollection') return done(); // login authenticates its own body
      const r = authenticate(req, services);
      if (r instanceof Promise) {
        r.then((p) => {
          admit(def, req, p);
          done();
        }, done);
      } else {
        admit(def, req, r);
        done();
      }
    } catch (e) {
      done(e as Error);
    }
  };

  const auditHook = (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    services.audit.append({
      at: Date.now(),
      username: req.principal?.username ?? loginName(req),
      clientIp: clientAddress(req),
      method: req.method,
      path: req.url.split('?')[0]!,
      status: reply.statusCode,
    });
    done();
  };
  if ((app.log as { isLevelEnabled?: (l: string) => boolean }).isLevelEnabled?.('debug')) {
    app.addHook('onResponse', (req, reply, done) => {
      req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
      done();
    });
  }

  app.setErrorHandler(async (err: Error & { code?: string; statusCode?: number }, req, reply) => {
    let rf: RedfishError;
    if (err instanceof RedfishError) rf = err;
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') rf = RedfishError.of(413, 'PayloadTooLarge');
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') rf = RedfishError.of(415, 'UnrecognizedRequestBody');
    else if (err.statusCode === 400) rf = RedfishError.of(400, 'MalformedJSON');
    else if (err.name === 'PlaneUnavailable') {
      // The device plane's worker died under this call and is being replaced: worth a retry, not an internal error.
      rf = new RedfishError(503, baseMessage('ServiceTemporarilyUnavailable', ['5']), { 'Retry-After': '5' });
    } else {
      req.log.error({ err }, 'unhandled error');
      rf = RedfishError.of(500, 'InternalError');
    }
    standardHeaders(reply, req.routeOptions.config.def);
    reply.code(rf.status).headers(rf.headers);
    return errorBody(rf.messages);
  });

  app.setNotFoundHandler(async (req, reply) => {
    // Unknown URIs are only revealed to authenticated callers.
    if (!(await authenticate(req, services))) throw unauthorized();
    const path = req.url.split('?')[0]!;
    // A known URI reached with a method no route takes (OPTIONS, TRACE, ...): 405 with Allow, not 404.
    const known = router.match(path)?.def;
    standardHeaders(reply, known);
    if (known) throw methodNotAllowed(known);
    reply.code(404);
    return errorBody([baseMessage('InvalidURI', [path])]);
  });
  answerUnknownMethods(app.server);

  // Reads and writes are separate routes: reads carry no hooks (they have no body to guard, and need no audit), and
  // authenticate inline; writes authenticate before their body is parsed and are audited whatever the outcome.
  for (const def of opts.resources) {
    const auth = authHook(def);
    const schema = { summary: `${def.entity} (${def.path})`, tags: [def.entity] };
    app.route({
      method: ['GET', 'HEAD'],
      url: def.path,
      config: { def },
      schema,
      handler: (req, reply) => {
        standardHeaders(reply, def);
        checkODataVersion(req);
        const principal = authenticate(req, services);
        if (principal instanceof Promise) {
          return principal.then((p) => {
            admit(def, req, p);
            return dispatch(def, req, reply, services, router);
          });
        }
        admit(def, req, principal);
        return dispatch(def, req, reply, services, router);
      },
    });
    app.route({
      method: WRITE_METHODS,
      url: def.path,
      config: { def },
      schema,
      onRequest: auth,
      onResponse: auditHook,
      handler: (req, reply) => {
        standardHeaders(reply, def);
        return dispatch(def, req, reply, services, router);
      },
    });
    // DSP0266: a POST to a collection's Members property is the same request as a POST to the collection.
    if (def.create && def.collection) {
      app.route({
        method: 'POST',
        url: `${def.path}/Members`,
        config: { def },
        schema: { ...schema, hide: true },
        onRequest: auth,
        onResponse: auditHook,
        handler: (req, reply) => {
          standardHeaders(reply, def);
          return dispatch(def, req, reply, services, router);
        },
      });
    }
  }
}

const BASE_HEADERS = { 'odata-version': '4.0', 'cache-control': 'no-cache' };
const headersFor = new WeakMap<ResourceDef, Record<string, string>>();

/** Headers every Redfish response carries; each resource's set (with its `Allow`) is built once. */
function standardHeaders(reply: FastifyReply, def?: ResourceDef): void {
  if (!def) {
    reply.headers(BASE_HEADERS);
    return;
  }
  let h = headersFor.get(def);
  if (h === undefined) {
    h = { ...BASE_HEADERS, allow: allowedMethods(def).join(', ') };
    headersFor.set(def, h);
  }
  reply.headers(h);
}

function checkODataVersion(req: FastifyRequest): void {
  const ver = req.headers['odata-version'];
  if (ver !== undefined && ver !== '4.0') throw new RedfishError(412, baseMessage('HeaderInvalid', ['OData-Version']));
}

/** Records the caller, or refuses an anonymous request to a resource that needs authentication. */
function admit(def: ResourceDef, req: FastifyRequest, principal: Principal | undefined): void {
  if (principal) req.principal = principal;
  else if (!def.noAuth?.includes(req.method)) throw unauthorized();
  if (principal?.passwordChangeRequired && !allowedBeforePasswordChange(def, req, principal)) {
    throw new RedfishError(403, baseMessage('PasswordChangeRequired', [accountUri(principal.accountId)]));
  }
}

/** DSP0266: with a password change pending, only the account itself, its password change and logout are open. */
function allowedBeforePasswordChange(def: ResourceDef, req: FastifyRequest, p: Principal): boolean {
  if (def.noAuth?.includes(req.method)) return true;
  const path = requestPath(req.url);
  if (path === accountUri(p.accountId)) return ['GET', 'HEAD', 'PATCH'].includes(req.method);
  if (p.sessionId && path === `${def.path.split('/:')[0]}/${p.sessionId}` && def.entity === 'Session') return req.method !== 'PATCH';
  return false;
}

function loginName(req: FastifyRequest): string | null {
  const b = req.body as { UserName?: unknown } | undefined;
  return typeof b?.UserName === 'string' ? b.UserName : null;
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
    // A subtree route's rest is taken from the raw URL, still encoded, as the router does for $expand.
    params: def.path.endsWith('/*') ? { '*': requestPath(req.url).slice(def.path.length - 1) } : (req.params as Record<string, string>),
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
      return withWriteLock(resourceKey(req), () => patch(def, ctx, req, reply));
    case 'POST':
      if (!def.create && !def.action && !def.post) throw methodNotAllowed(def);
      if (!(def.entity === 'SessionCollection')) authorize(def, ctx, method);
      return send(reply, await post(def, ctx, req.body));
    case 'PUT': {
      const put = def.put;
      if (!put) throw methodNotAllowed(def);
      authorize(def, ctx, method);
      return withWriteLock(resourceKey(req), async () => {
        await checkIfMatch(def, ctx, req);
        return send(reply, await put(ctx, req.body));
      });
    }
    case 'DELETE': {
      const del = def.delete;
      if (!del) throw methodNotAllowed(def);
      authorize(def, ctx, method);
      return withWriteLock(resourceKey(req), async () => {
        await checkIfMatch(def, ctx, req);
        return send(reply, await del(ctx));
      });
    }
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
