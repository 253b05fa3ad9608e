import type { FastifyRequest } from 'fastify';
import type { Principal } from '../model/account.js';
import { RedfishError, baseMessage } from './errors.js';
import type { RedfishServices } from './types.js';

const WWW_AUTH = { 'WWW-Authenticate': 'Basic realm="Shoal"' };

export function clientAddress(req: FastifyRequest): string {
  return req.ip;
}

function unauthorized(): RedfishError {
  return new RedfishError(401, baseMessage('NoValidSession'), WWW_AUTH);
}

/** 429 when one client exceeds its login attempts. */
export function tooManyLogins(retryAfter: number): RedfishError {
  return new RedfishError(429, baseMessage('ServiceTemporarilyUnavailable', [retryAfter]), {
    'Retry-After': String(retryAfter),
  });
}

/**
 * Resolves the caller from `X-Auth-Token` or Basic credentials. Returns undefined when the request carries neither;
 * throws 401 when it carries bad ones, so a client with a stale token learns so even on public resources.
 */
export function authenticate(req: FastifyRequest, s: RedfishServices): Principal | undefined | Promise<Principal | undefined> {
  const token = req.headers['x-auth-token'];
  if (typeof token === 'string' && token.length > 0) {
    const session = s.sessions.authenticate(token);
    if (!session) throw unauthorized();
    const account = s.accounts.get(session.accountId);
    if (!account || !account.enabled) {
      s.sessions.delete(session.id);
      throw unauthorized();
    }
    return s.accounts.principalFor(account, session.id);
  }
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw unauthorized();
    return s.accounts.login(decoded.slice(0, colon), decoded.slice(colon + 1)).then((result) => {
      if (!result.ok) {
        const wait = s.limiter.attempt(clientAddress(req));
        if (wait > 0) throw tooManyLogins(wait);
        throw unauthorized();
      }
      return s.accounts.principalFor(result.account);
    });
  }
  if (auth !== undefined) throw unauthorized();
  return undefined;
}

export { unauthorized };
