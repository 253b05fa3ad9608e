import type { Session } from '../../model/account.js';
import { tooManyLogins, clientAddress, unauthorized } from '../auth.js';
import { baseMessage, RedfishError } from '../errors.js';
import { collection, isoTime, link, ROOT, TYPES, type Json } from '../odata.js';
import type { RequestContext, ResourceDef } from '../types.js';
import { accountUri } from './account-service.js';

const SESSIONS = `${ROOT}/SessionService/Sessions`;

function buildSession(ctx: RequestContext, s: Session): Json {
  const account = ctx.services.accounts.get(s.accountId);
  const body: Json = {
    '@odata.id': `${SESSIONS}/${s.id}`,
    '@odata.type': TYPES.Session,
    Id: s.id,
    Name: 'User Session',
    UserName: account?.username ?? '',
    Password: null,
    SessionType: 'Redfish',
    CreatedTime: isoTime(s.createdAt),
  };
  if (s.clientIp) body.ClientOriginIPAddress = s.clientIp;
  return body;
}

function findSession(ctx: RequestContext): Session {
  const s = ctx.services.sessions.get(ctx.params.sessionId ?? '');
  if (!s) throw RedfishError.of(404, 'ResourceNotFound', ['Session', ctx.params.sessionId ?? '']);
  return s;
}

export const sessionResources: ResourceDef[] = [
  {
    path: `${ROOT}/SessionService`,
    entity: 'SessionService',
    get: (ctx) => ({
      '@odata.id': `${ROOT}/SessionService`,
      '@odata.type': TYPES.SessionService,
      Id: 'SessionService',
      Name: 'Session Service',
      ServiceEnabled: true,
      SessionTimeout: ctx.services.sessions.timeoutSeconds(),
      Sessions: link(SESSIONS),
      Status: { State: 'Enabled', Health: 'OK' },
    }),
    patch: {
      props: { SessionTimeout: { type: 'integer', min: 30, max: 86400 } },
      apply: (ctx, v) => ctx.services.sessions.setTimeoutSeconds(v.SessionTimeout as number),
    },
  },
  {
    path: SESSIONS,
    entity: 'SessionCollection',
    collection: true,
    noAuth: ['POST'],
    get: (ctx) =>
      collection('SessionCollection', SESSIONS, 'Session Collection', ctx.services.sessions.list().map((s) => `${SESSIONS}/${s.id}`)),
    create: {
      props: {
        UserName: { type: 'string', required: true },
        Password: { type: 'string', required: true },
        Context: { type: 'string' },
      },
      create: async (ctx, v) => {
        const { limiter, accounts, sessions } = ctx.services;
        const ip = clientAddress(ctx.request);
        const wait = limiter.attempt(ip);
        if (wait > 0) throw tooManyLogins(wait);
        const r = await accounts.login(v.UserName as string, v.Password as string);
        // RFC 9110 §15.5.2: every 401 carries WWW-Authenticate, a failed login included.
        if (!r.ok) throw unauthorized();
        const made = sessions.create(r.account.id, ip, (ctx.request.headers['user-agent'] as string | undefined) ?? null);
        if (!made) throw RedfishError.of(503, 'SessionLimitExceeded');
        const uri = `${SESSIONS}/${made.session.id}`;
        const body = buildSession(ctx, made.session);
        if (r.account.passwordChangeRequired) {
          body['@Message.ExtendedInfo'] = [baseMessage('PasswordChangeRequired', [accountUri(r.account.id)])];
        }
        if (typeof v.Context === 'string') body.Context = v.Context;
        return { status: 201, body, headers: { 'X-Auth-Token': made.token, Location: uri } };
      },
    },
  },
  {
    path: `${SESSIONS}/:sessionId`,
    entity: 'Session',
    owner: (ctx) => ctx.services.sessions.get(ctx.params.sessionId ?? '')?.accountId,
    get: (ctx) => buildSession(ctx, findSession(ctx)),
    delete: (ctx) => {
      const s = findSession(ctx);
      ctx.services.sessions.delete(s.id);
      return { status: 204 };
    },
  },
];
