/**
 * The Redfish probe: one unauthenticated GET of `/redfish/v1`, the only resource a Redfish service must serve without
 * credentials. Every probe of a sweep goes through one shared, bounded {@link ProbeAgent}, so that a sweep of a /16
 * holds at most `connections` sockets at any moment, and each connection is closed once its answer is read.
 */
import { Client, type Dispatcher } from 'undici';
import { Limiter } from '../../drivers/runtime/limiter.js';
import { sharedSecureContext } from '../../drivers/runtime/tls-trust.js';
import { hostForUrl, normaliseUuid, probeDeadline, probeFailure, reasonForCode, type ProbeFailure } from './result.js';

/** Where to look for a Redfish service. `scheme` defaults to `https`; `port` to the scheme's default. */
export interface RedfishTarget {
  host: string;
  port?: number;
  scheme?: 'https' | 'http';
}

/** Options of {@link createProbeAgent}. */
export interface ProbeAgentOptions {
  /** Probes allowed to hold a connection at the same time. Default 64. */
  connections?: number;
  /** Limit on TCP connect plus TLS handshake. Default 3000 ms. */
  connectTimeoutMs?: number;
  /** Largest service root body read. Default 256 KiB: a service root is a few KB, a hostile peer could send GBs. */
  maxBodyBytes?: number;
}

/**
 * The shared, bounded agent of a sweep: a gate of `connections` slots and the connection settings. Create with
 * {@link createProbeAgent}; `close()` it when the sweep is over.
 */
export interface ProbeAgent {
  readonly connections: number;
  readonly maxBodyBytes: number;
  /** Probes holding a connection slot now. */
  readonly inFlight: number;
  /** Sockets open (or opening) now; never more than `connections`. */
  readonly openSockets: number;
  /** Waits for a slot; the returned function gives it back. Rejects when `signal` aborts. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** A single-connection client to `origin`, for a caller holding a slot; `done()` destroys it. */
  connect(origin: string): { client: Dispatcher; done(): Promise<void> };
  /** Destroys every client still open; running probes fail. */
  close(): Promise<void>;
}

/**
 * Creates the agent probes share. Each probe gets its own single-connection undici Client, destroyed as soon as the
 * probe ends, behind a gate of `connections` slots. An undici Agent would pool by origin, which a sweep never
 * revisits, and it cannot drop a connection still in its TLS handshake: a BMC that accepts TCP and never answers
 * would hold the probe until the connect timeout, and destroying that origin's client leaves the Agent handing out
 * a dead one. Destroying a Client of our own ends the handshake at once.
 */
export function createProbeAgent(opts: ProbeAgentOptions = {}): ProbeAgent {
  const connections = opts.connections ?? 64;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 3000;
  const maxBodyBytes = opts.maxBodyBytes ?? 256 * 1024;
  const slots = new Limiter(connections);
  const live = new Set<Client>();
  const options: Client.Options = {
    pipelining: 1,
    keepAliveTimeout: 1000,
    headersTimeout: connectTimeoutMs,
    bodyTimeout: connectTimeoutMs,
    maxResponseSize: maxBodyBytes,
    // The service root is public, and the certificate is pinned when an operator (or the policy) registers the
    // device. A probe that verified certificates would miss every factory-fresh BMC with a self-signed one.
    connect: { rejectUnauthorized: false, timeout: connectTimeoutMs, secureContext: sharedSecureContext() },
  };
  return {
    connections,
    maxBodyBytes,
    get inFlight() {
      return slots.inFlight;
    },
    get openSockets() {
      return live.size;
    },
    acquire: (signal) => slots.acquire(signal),
    connect(origin) {
      const client = new Client(origin, options);
      live.add(client);
      let ended: Promise<void> | undefined;
      return {
        client,
        done: () => {
          ended ??= client
            .destroy()
            .catch(() => undefined)
            .finally(() => live.delete(client));
          return ended;
        },
      };
    },
    async close() {
      await Promise.all([...live].map((c) => c.destroy().catch(() => undefined)));
    },
  };
}

/** Successful Redfish probe: the URL that answered and the service root it returned. */
export interface RedfishProbeSuccess {
  ok: true;
  /** The service root URL, after at most one http→https redirect. */
  url: string;
  serviceRoot: Record<string, unknown>;
}

/** Options of {@link probeRedfish}. */
export interface RedfishProbeOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** The agent to use; default a process-wide agent of 64 connections. */
  agent?: ProbeAgent;
}

let shared: ProbeAgent | undefined;

/** The process-wide agent used when a caller passes none. */
function sharedAgent(): ProbeAgent {
  shared ??= createProbeAgent();
  return shared;
}

/** True when the body is a Redfish ServiceRoot: its `@odata.id` is `/redfish/v1`, or it names a `RedfishVersion`. */
export function looksLikeServiceRoot(body: unknown): body is Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  const id = typeof b['@odata.id'] === 'string' ? b['@odata.id'].replace(/\/+$/, '') : undefined;
  return id === '/redfish/v1' || (typeof b.RedfishVersion === 'string' && b.RedfishVersion.length > 0);
}

/** The service root's `UUID`, normalised for identity keys; undefined when absent or not a UUID. */
export function serviceRootUuid(root: Record<string, unknown>): string | undefined {
  return normaliseUuid(root.UUID);
}

/** TLS failures carry OpenSSL codes (ERR_SSL_*), EPROTO, or undici's certificate/handshake wording. */
function isTlsError(e: { code?: unknown; message?: unknown }): boolean {
  const code = typeof e.code === 'string' ? e.code : '';
  const msg = typeof e.message === 'string' ? e.message : '';
  return code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO' || /\b(ssl|tls)\b|handshake|wrong version number/i.test(msg);
}

/** Unwraps undici's errors to the socket error underneath (undici nests them as `cause`). */
function classify(err: unknown): ProbeFailure {
  let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (e.code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return probeFailure('not-redfish', 'the body is larger than a service root can be');
    const reason = reasonForCode(e.code);
    if (reason) return probeFailure(reason, String(e.message ?? e.code));
    if (isTlsError(e)) return probeFailure('tls', String(e.message ?? e.code));
    e = e.cause as typeof e;
  }
  const top = err as { message?: unknown } | undefined;
  return probeFailure('error', String(top?.message ?? err));
}

/** Reads at most `limit` bytes of a body; undefined when it is larger. Always consumes or destroys the stream. */
async function readCapped(body: Dispatcher.ResponseData['body'], limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) {
      body.destroy();
      return undefined;
    }
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** Drops a body we do not want. A bare destroy() would make the stream emit an error nobody listens to. */
async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
}

/** Same host for a redirect: the hostname must match exactly; only the scheme (and so the port) may change. */
function isSecureUpgrade(from: URL, location: string | undefined): URL | undefined {
  if (!location) return undefined;
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    return undefined;
  }
  return from.protocol === 'http:' && to.protocol === 'https:' && to.hostname === from.hostname ? to : undefined;
}

type Answer = { status: number; location?: string; body?: Buffer };

/**
 * One GET of `url` on a client of its own, without following anything. The client is destroyed when the signal
 * fires, which is what ends a hung TLS handshake (undici aborts a request only once its connection is up).
 */
async function getOnce(url: URL, agent: ProbeAgent, signal: AbortSignal): Promise<Answer | ProbeFailure> {
  const { client, done } = agent.connect(url.origin);
  const onAbort = (): void => void done();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await readAnswer(client, url, agent.maxBodyBytes, signal);
  } finally {
    signal.removeEventListener('abort', onAbort);
    await done();
  }
}

async function readAnswer(client: Dispatcher, url: URL, maxBodyBytes: number, signal: AbortSignal): Promise<Answer | ProbeFailure> {
  const r = await client.request({
    origin: url.origin,
    path: url.pathname + url.search,
    method: 'GET',
    signal,
    // Connection: close, so the peer lets go too; the client is destroyed right after anyway.
    reset: true,
    headers: { accept: 'application/json', 'user-agent': 'shoal-discovery', 'odata-version': '4.0' },
  });
  if (r.statusCode >= 300 && r.statusCode < 400) {
    const loc = r.headers.location;
    await discard(r.body);
    return { status: r.statusCode, location: Array.isArray(loc) ? loc[0] : loc };
  }
  if (r.statusCode !== 200) {
    await discard(r.body);
    return { status: r.statusCode };
  }
  const body = await readCapped(r.body, maxBodyBytes);
  if (!body) return probeFailure('not-redfish', `body larger than ${maxBodyBytes} bytes`, 200);
  return { status: 200, body };
}

/** GET of the service root with at most one http→https upgrade, judged as a Redfish ServiceRoot. Throws network errors. */
async function fetchServiceRoot(first: URL, agent: ProbeAgent, signal: AbortSignal): Promise<RedfishProbeSuccess | ProbeFailure> {
  let url = first;
  let answer = await getOnce(url, agent, signal);
  if ('ok' in answer) return answer;
  if (answer.status === 301 || answer.status === 308) {
    const next = isSecureUpgrade(url, answer.location);
    if (next) {
      url = next;
      answer = await getOnce(url, agent, signal);
      if ('ok' in answer) return answer;
    }
  }
  if (answer.status >= 300 && answer.status < 400) {
    return probeFailure('redirect', `HTTP ${answer.status} to ${answer.location ?? '(no Location)'}`, answer.status);
  }
  if (answer.status !== 200 || !answer.body) return probeFailure('http-status', `HTTP ${answer.status}`, answer.status);
  let json: unknown;
  try {
    json = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return probeFailure('not-redfish', 'the body is not JSON', 200);
  }
  if (!looksLikeServiceRoot(json)) return probeFailure('not-redfish', 'JSON without @odata.id /redfish/v1 or RedfishVersion', 200);
  return { ok: true, url: url.href, serviceRoot: json };
}

/**
 * Probes one address for a Redfish service. Never throws for the network: every failure comes back as
 * `{ ok: false, reason }`. Follows no redirect except one 301/308 from http to https on the same host.
 */
export async function probeRedfish(target: RedfishTarget, opts: RedfishProbeOptions): Promise<RedfishProbeSuccess | ProbeFailure> {
  const scheme = target.scheme ?? 'https';
  const port = target.port ?? (scheme === 'https' ? 443 : 80);
  const agent = opts.agent ?? sharedAgent();
  if (opts.signal?.aborted) return probeFailure('aborted', 'cancelled before the probe started');
  let url: URL;
  try {
    url = new URL(`${scheme}://${hostForUrl(target.host)}:${port}/redfish/v1`);
  } catch (e) {
    return probeFailure('error', `bad target ${target.host}:${port}: ${(e as Error).message}`);
  }
  let release: () => void;
  try {
    // Waiting for a slot is the sweep's own queue, not the target's slowness: the deadline starts after it.
    release = await agent.acquire(opts.signal);
  } catch {
    return probeFailure('aborted', 'cancelled while waiting for a connection slot');
  }
  const dl = probeDeadline(opts.timeoutMs, opts.signal);
  try {
    return await fetchServiceRoot(url, agent, dl.signal);
  } catch (e) {
    if (dl.timedOut()) return probeFailure('timeout', `no answer within ${opts.timeoutMs} ms`);
    if (opts.signal?.aborted) return probeFailure('aborted', 'cancelled');
    return classify(e);
  } finally {
    dl.clear();
    release();
  }
}
