/**
 * What every discovery probe answers when nothing useful came back, and the small pieces the probes share. A probe
 * never throws for the network: an unreachable address is an ordinary outcome of a sweep, not an exception.
 */
import { isIPv6 } from 'node:net';

/**
 * Why a probe found nothing:
 * - `refused`: nothing listens there (TCP RST, or ICMP port unreachable for UDP);
 * - `timeout`: no answer in time (the address is dead, filtered, or the service hangs);
 * - `unreachable`: no route to the host or network;
 * - `reset`: the peer dropped the connection;
 * - `tls`: the TLS handshake failed (not TLS, or an unusable server);
 * - `dns`: the name does not resolve;
 * - `http-status`: HTTP answered with a status other than 200;
 * - `redirect`: a redirect the probe does not follow;
 * - `not-redfish`: an answer that is not a Redfish service root (not JSON, broken JSON, the wrong document);
 * - `bad-answer`: a UDP answer that does not parse or is not for us;
 * - `auth`: the agent refused our credentials (SNMPv3 reports);
 * - `aborted`: the caller's signal fired;
 * - `error`: anything else (`detail` says what).
 */
export type ProbeFailureReason =
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'reset'
  | 'tls'
  | 'dns'
  | 'http-status'
  | 'redirect'
  | 'not-redfish'
  | 'bad-answer'
  | 'auth'
  | 'aborted'
  | 'error';

/** A probe that found no usable endpoint. `detail` is for logs, `status` is the HTTP status where there was one. */
export interface ProbeFailure {
  ok: false;
  reason: ProbeFailureReason;
  detail: string;
  status?: number;
}

/** Builds a {@link ProbeFailure}. */
export function probeFailure(reason: ProbeFailureReason, detail: string, status?: number): ProbeFailure {
  return status === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, status };
}

/** Maps a socket error code (ECONNREFUSED, EHOSTUNREACH...) onto a reason; undefined when the code says nothing. */
export function reasonForCode(code: unknown): ProbeFailureReason | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return 'dns';
    default:
      return undefined;
  }
}

/** `host` as it goes into a URL: IPv6 literals need brackets (and a zone's `%` must be escaped). */
export function hostForUrl(host: string): string {
  return isIPv6(host.split('%')[0] ?? host) ? `[${host.replace('%', '%25')}]` : host;
}

/** A UUID as identity keys want it: lower-case and dashed, or undefined when the text is not a UUID. */
export function normaliseUuid(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const t = text.trim().toLowerCase().replace(/^urn:uuid:/, '').replace(/^\{(.*)\}$/, '$1');
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(t)) return t;
  if (/^[0-9a-f]{32}$/.test(t)) return `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`;
  return undefined;
}

/**
 * A per-probe deadline joined with the caller's signal. `timedOut()` tells the two apart afterwards, so that an
 * abort is reported as `aborted` and an expired deadline as `timeout`, whatever error the library raised. The link to
 * the outer signal is a plain listener removed by `clear()`: a sweep runs tens of thousands of probes under one
 * signal, and listeners left behind would pile up on it.
 */
export function probeDeadline(timeoutMs: number, outer: AbortSignal | undefined): { signal: AbortSignal; timedOut(): boolean; clear(): void } {
  const ac = new AbortController();
  let expired = false;
  const t = setTimeout(() => {
    expired = true;
    ac.abort(new Error(`no answer within ${timeoutMs} ms`));
  }, timeoutMs);
  const onAbort = (): void => ac.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: ac.signal,
    timedOut: () => expired && !outer?.aborted,
    clear: () => {
      clearTimeout(t);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}
