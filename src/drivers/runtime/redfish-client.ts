import { Readable } from 'node:stream';
import {
  DriverError,
  type Credentials,
  type DriverLogger,
  type JobOutcome,
  type JobProgress,
  type MultipartPart,
  type RedfishClient,
  type RedfishResponse,
  type RequestOptions,
} from '../api.js';
import { sleep } from './abort.js';
import { ConnectionSet } from './connection-set.js';
import type { EndpointGuard } from './guard.js';
import { multipartBody } from './multipart.js';

export interface RedfishClientOptions {
  baseUrl: string;
  credentials: Credentials;
  guard: EndpointGuard;
  connect: import('undici').buildConnector.connector;
  log: DriverLogger;
  longTimeoutMs: number;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * 404s tolerated for a task not yet seen. A rebooting BMC refuses connections while down (that is waited for without
 * limit); once it answers, a task it does not know after a few polls is gone.
 */
const UNSEEN_404_LIMIT = 3;

/** Redfish messages from an error body, for `DriverError.details.deviceMessages`. */
function deviceMessages(body: unknown): { MessageId?: string; Message?: string }[] {
  const err = (body as { error?: { '@Message.ExtendedInfo'?: unknown; code?: string; message?: string } })?.error;
  if (!err) return [];
  const info = Array.isArray(err['@Message.ExtendedInfo']) ? (err['@Message.ExtendedInfo'] as { MessageId?: string; Message?: string }[]) : [];
  return info.length ? info : [{ MessageId: err.code, Message: err.message }];
}

function retryAfterMs(h: Record<string, string>): number | undefined {
  const v = h['retry-after'];
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** Devices send ETags quoted, unquoted or weak; callers always see the quoted form. */
export function quoteEtag(tag: string): string {
  const t = tag.trim();
  if (t.startsWith('W/') || (t.startsWith('"') && t.endsWith('"'))) return t;
  return `"${t}"`;
}
const unquoteEtag = (tag: string) => tag.trim().replace(/^"(.*)"$/, '$1');
/** Callers may pass an ETag in either form; the first attempt always sends the standard, quoted one. */
const withQuotedIfMatch = (o: RequestOptions): RequestOptions => (o.ifMatch ? { ...o, ifMatch: quoteEtag(o.ifMatch) } : o);

/** The longest an idle connection is kept (undici keeps it 2 s less than a device's `Keep-Alive: timeout=`). */
const KEEP_ALIVE_MS = 15_000;

/**
 * The runtime's Redfish transport: one {@link ConnectionSet} per endpoint (connections capped at the guard's in-flight limit,
 * TLS trust from the connector), one pooled Redfish session created lazily and shared by every call, re-created on 401
 * and deleted by {@link close}. Every request runs under the endpoint guard.
 */
export class RedfishHttpClient implements RedfishClient {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly pool: ConnectionSet;
  private token: string | undefined;
  private sessionUri: string | undefined;
  private login: Promise<void> | undefined;
  private useBasic = false;
  private closed = false;

  constructor(private readonly o: RedfishClientOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.baseUrl).origin;
    this.pool = new ConnectionSet(this.origin, {
      connections: o.guard.opts.maxInFlight,
      connect: o.connect,
      // An idle connection is kept 15 s at most, less if the device announces less (undici keeps it 2 s under a
      // `Keep-Alive: timeout=`): long enough for state polls every 5 or 10 s, plus jitter and a slow answer, to reuse
      // it instead of paying a TLS handshake each; short enough that a fleet polled less often holds no sockets.
      keepAliveTimeout: KEEP_ALIVE_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_MS,
      // The guard owns timeouts; undici's own would only race it.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  serviceRoot(opts: RequestOptions = {}): Promise<Record<string, unknown>> {
    return this.o.guard.run(async (signal) => (await this.send('GET', '/redfish/v1', undefined, opts, signal, false)).body as Record<string, unknown>, {
      idempotent: true,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
    });
  }

  get<T = Record<string, unknown>>(path: string, opts: RequestOptions = {}): Promise<RedfishResponse<T>> {
    return this.authed<T>('GET', path, undefined, opts, true);
  }
  post<T = unknown>(path: string, body: unknown, opts: RequestOptions = {}): Promise<RedfishResponse<T>> {
    return this.authed<T>('POST', path, body, opts, false);
  }
  delete(path: string, opts: RequestOptions = {}): Promise<RedfishResponse> {
    return this.authed('DELETE', path, undefined, withQuotedIfMatch(opts), false);
  }

  async patch<T = unknown>(path: string, body: unknown, opts: RequestOptions = {}): Promise<RedfishResponse<T>> {
    const first = withQuotedIfMatch(opts);
    try {
      return await this.authed<T>('PATCH', path, body, first, false);
    } catch (e) {
      // ETag quirk: some BMCs compare If-Match byte for byte against their unquoted form. Try that once.
      const bare = first.ifMatch === undefined ? undefined : unquoteEtag(first.ifMatch);
      if (e instanceof DriverError && e.details.status === 412 && bare !== undefined && bare !== first.ifMatch) {
        return this.authed<T>('PATCH', path, body, { ...opts, ifMatch: bare }, false);
      }
      throw e;
    }
  }

  postMultipart<T = unknown>(path: string, parts: MultipartPart[], opts: RequestOptions = {}): Promise<RedfishResponse<T>> {
    return this.authed<T>('POST', path, { multipart: parts }, { ...opts, long: true }, false);
  }

  async waitTask(
    uri: string,
    w: { signal?: AbortSignal; timeoutMs: number; pollMs?: number; onProgress?: (p: JobProgress) => void },
  ): Promise<JobOutcome> {
    const deadline = Date.now() + w.timeoutMs;
    const pollMs = w.pollMs ?? 1000;
    let taskUri: string | undefined;
    let knownTask: string | undefined;
    let seen = false;
    let unseen404 = 0;
    let lastErr: DriverError | undefined;
    while (Date.now() < deadline) {
      let res: RedfishResponse<Record<string, unknown>>;
      try {
        res = await this.authed<Record<string, unknown>>('GET', taskUri ?? uri, undefined, { signal: w.signal }, true);
      } catch (e) {
        if (!(e instanceof DriverError)) throw e;
        if (e.code === 'Cancelled') throw e;
        if (e.details.status === 404 && seen) {
          // A TaskMonitor may vanish once the task ends; the Task resource may outlive it, or the BMC lost both.
          const fallback = taskUri ? undefined : knownTask;
          if (fallback) {
            taskUri = fallback;
            continue;
          }
          return { ok: false, state: 'Lost', messages: [{ Message: 'the device no longer knows the task (it may have restarted)' }] };
        }
        if (e.details.status === 404 && !seen && ++unseen404 > UNSEEN_404_LIMIT) {
          // Never seen and still unknown after a restart's worth of polls: the device lost it (or never had it).
          return { ok: false, state: 'Lost', messages: [{ Message: 'the device does not know the task (it may have restarted before the task was seen)' }] };
        }
        if (e.code === 'Unavailable' || e.code === 'Timeout' || e.code === 'Busy' || e.details.status === 404) {
          // A BMC rebooting mid-task refuses connections, or answers 404/503 while its services come back.
          lastErr = e;
          await sleep(pollMs, w.signal);
          continue;
        }
        throw e;
      }
      seen = true;
      const body = res.body && typeof res.body === 'object' ? res.body : {};
      const state = typeof body.TaskState === 'string' ? body.TaskState : undefined;
      if (typeof body['@odata.id'] === 'string' && state) knownTask = body['@odata.id'];
      if (res.status === 303) return { ok: true, state: 'Completed', messages: [], resultUri: res.location };
      if (state) {
        const percent = typeof body.PercentComplete === 'number' ? body.PercentComplete : undefined;
        w.onProgress?.({ percent, state });
        if (['Completed', 'Exception', 'Killed', 'Cancelled', 'Interrupted'].includes(state)) {
          const msgs = Array.isArray(body.Messages) ? (body.Messages as JobOutcome['messages']) : [];
          const ok = state === 'Completed' && body.TaskStatus !== 'Critical';
          return { ok, state, messages: msgs, resultUri: res.location };
        }
      } else if (res.status !== 202) {
        // A TaskMonitor's final answer is the operation's own response.
        return { ok: true, state: 'Completed', messages: deviceMessages(body) };
      }
      await sleep(retryAfterMs(res.headers) ?? pollMs, w.signal);
    }
    throw new DriverError('Timeout', `task ${uri} did not finish within ${w.timeoutMs} ms`, { cause: lastErr });
  }

  /**
   * The caller will send nothing for about `ms`. When that is longer than an idle connection is kept, the idle ones are
   * closed now rather than left to time out unused.
   */
  idleFor(ms: number): void {
    if (ms > KEEP_ALIVE_MS) this.pool.closeIdle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.token && this.sessionUri) {
      try {
        await this.o.guard.run((signal) => this.send('DELETE', this.sessionUri!, undefined, { timeoutMs: 3000 }, signal, true), { timeoutMs: 3000 });
      } catch (e) {
        this.o.log.debug({ err: (e as Error).message }, 'session logout failed (the device may be down)');
      }
    }
    this.token = undefined;
    await this.pool.close();
  }

  private async authed<T>(method: Method, path: string, body: unknown, opts: RequestOptions, idempotent: boolean): Promise<RedfishResponse<T>> {
    const timeoutMs = opts.timeoutMs ?? (opts.long ? this.o.longTimeoutMs : undefined);
    let used: string | undefined;
    const run = () =>
      this.o.guard.run(
        async (signal) => {
          await this.ensureSession(signal);
          used = this.token;
          return this.send(method, path, body, opts, signal, true);
        },
        { idempotent, timeoutMs, signal: opts.signal },
      );
    try {
      return (await run()) as RedfishResponse<T>;
    } catch (e) {
      if (e instanceof DriverError && e.code === 'AuthenticationFailed' && used) {
        // The session expired or the BMC rebooted and forgot it: log in again, once. Requests in flight on the same
        // dead token all land here; only the first clears it, the rest join the one new login.
        if (this.token === used) {
          this.token = undefined;
          this.sessionUri = undefined;
        }
        return (await run()) as RedfishResponse<T>;
      }
      throw e;
    }
  }

  private ensureSession(signal: AbortSignal): Promise<void> {
    if (this.token || this.useBasic || this.o.credentials.kind !== 'basic') return Promise.resolve();
    this.login ??= this.createSession(signal).finally(() => {
      this.login = undefined;
    });
    return this.login;
  }

  private async createSession(signal: AbortSignal): Promise<void> {
    const c = this.o.credentials as { username: string; password: string };
    let sessionsPath = '/redfish/v1/SessionService/Sessions';
    try {
      const root = (await this.send('GET', '/redfish/v1', undefined, {}, signal, false)).body as { Links?: { Sessions?: { '@odata.id'?: string } } };
      sessionsPath = root?.Links?.Sessions?.['@odata.id'] ?? sessionsPath;
    } catch (e) {
      if (!(e instanceof DriverError) || e.code !== 'Rejected') throw e;
    }
    try {
      const res = await this.send('POST', sessionsPath, { UserName: c.username, Password: c.password }, {}, signal, false);
      const token = res.headers['x-auth-token'];
      if (!token) throw new DriverError('BadResponse', 'session created without X-Auth-Token');
      this.token = token;
      this.sessionUri = res.location ?? (res.body as { '@odata.id'?: string })?.['@odata.id'];
    } catch (e) {
      if (e instanceof DriverError && (e.details.status === 404 || e.details.status === 405 || e.details.status === 501)) {
        this.o.log.info({ status: e.details.status }, 'device has no session service; using Basic authentication');
        this.useBasic = true;
        return;
      }
      throw e;
    }
  }

  private authHeaders(auth: boolean): Record<string, string> {
    if (!auth || this.o.credentials.kind !== 'basic') return {};
    if (this.token) return { 'x-auth-token': this.token };
    const c = this.o.credentials;
    return { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` };
  }

  private async send(method: Method, path: string, body: unknown, opts: RequestOptions, signal: AbortSignal, auth: boolean): Promise<RedfishResponse> {
    const url = new URL(path, this.baseUrl + '/');
    if (url.origin !== this.origin) throw new DriverError('Rejected', `refusing to follow ${path} off the device's origin`);
    const headers: Record<string, string> = { accept: 'application/json', 'odata-version': '4.0', ...this.authHeaders(auth), ...opts.headers };
    if (opts.ifMatch) headers['if-match'] = opts.ifMatch;
    let payload: string | Readable | undefined;
    const multipart = (body as { multipart?: MultipartPart[] } | undefined)?.multipart;
    if (multipart) {
      const m = multipartBody(multipart);
      headers['content-type'] = m.contentType;
      headers['content-length'] = String(m.length);
      payload = m.stream;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await this.pool.request({ method, path: url.pathname + url.search, headers, body: payload, signal });
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
    const text = await res.body.text();
    let parsed: unknown = undefined;
    if (text.length) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (res.statusCode < 400 && (h['content-type'] ?? '').includes('json')) {
          throw new DriverError('BadResponse', `${method} ${url.pathname}: malformed JSON from the device`, { status: res.statusCode });
        }
        parsed = text;
      }
    }
    const location = h.location ? new URL(h.location, this.baseUrl + '/').pathname : undefined;
    const odataEtag = (parsed as { '@odata.etag'?: unknown })?.['@odata.etag'];
    const etagRaw = h.etag ?? (typeof odataEtag === 'string' ? odataEtag : undefined);
    const out: RedfishResponse = { status: res.statusCode, headers: h, body: parsed, etag: etagRaw ? quoteEtag(etagRaw) : undefined, location };
    if (res.statusCode < 300 || res.statusCode === 303 || res.statusCode === 304) return out;
    const where = `${method} ${url.pathname}`;
    const details = { status: res.statusCode, retryAfterMs: retryAfterMs(h), deviceMessages: deviceMessages(parsed) };
    if (res.statusCode === 401) throw new DriverError('AuthenticationFailed', `${where}: 401`, details);
    if (res.statusCode === 503 || res.statusCode === 429) throw new DriverError('Busy', `${where}: ${res.statusCode}`, details);
    if (res.statusCode >= 500) throw new DriverError('Busy', `${where}: device error ${res.statusCode}`, details);
    if (res.statusCode === 409 && details.retryAfterMs !== undefined) throw new DriverError('Busy', `${where}: 409, retry later`, details);
    const first = details.deviceMessages[0];
    throw new DriverError('Rejected', `${where}: ${res.statusCode}${first?.MessageId ? ` ${first.MessageId}` : ''}`, details);
  }
}
