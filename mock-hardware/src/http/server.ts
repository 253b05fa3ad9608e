import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Device } from '../core/device.js';
import type { Persona } from '../personas/persona.js';
import type { CertAuthority } from './certs.js';
import { errorBody, RedfishError, type Ctx, type Method, type Reply } from './router.js';

const DEVICE = Symbol('device');
const RAW = Symbol('raw');
const MAX_JSON = 1024 * 1024;

interface Slot {
  device: Device;
  persona: Persona;
  server?: NetServer;
  sockets: Set<Socket>;
  parked: Set<Socket>;
  context?: Promise<SecureContext>;
}

/**
 * The Redfish HTTPS front of every device. Each device has its own listener on its own address (or port), so that
 * "connection refused" while its BMC is down is real, but all of them share one HTTP parser instance and one request
 * pipeline. Measured: 10,000 listeners bind in about 0.3 s and cost about 4 KB each.
 */
export class DeviceServer {
  private readonly slots = new Map<string, Slot>();
  // bmcweb sends no Keep-Alive timeout and drops a connection on a deadline: 15 s before a request has authenticated,
  // 60 s after (http_connection.hpp). Node's default of 5 s would close every connection just before a 5 s poller's
  // next request, so a client would pay a TLS handshake per poll that real BMCs do not make it pay. 15 s is the
  // shorter of bmcweb's two.
  private readonly http = createHttpServer({ keepAliveTimeout: 15_000, requestTimeout: 0 }, (req, res) => void this.handle(req, res));

  constructor(
    private readonly certs: CertAuthority,
    private readonly selfSigned = false,
  ) {
    this.http.on('clientError', (_err, socket) => socket.destroy());
  }

  /** Starts serving `device`; follows its BMC state (down = refused, hung = accepted but silent). */
  async attach(device: Device, persona: Persona): Promise<void> {
    const slot: Slot = { device, persona, sockets: new Set(), parked: new Set() };
    this.slots.set(device.id, slot);
    device.on('bmc', (state: string) => {
      if (state === 'down') void this.stopListening(slot);
      else if (state === 'up') {
        for (const s of slot.parked) s.destroy();
        slot.parked.clear();
        void this.listen(slot).catch(() => undefined);
      } else if (state === 'hung') {
        // Requests already in flight stall too: a hung BMC stops answering everything.
      }
    });
    await this.listen(slot);
  }

  async detach(id: string): Promise<void> {
    const slot = this.slots.get(id);
    if (!slot) return;
    this.slots.delete(id);
    await this.stopListening(slot);
  }

  async close(): Promise<void> {
    await Promise.all([...this.slots.keys()].map((id) => this.detach(id)));
    this.http.close();
  }

  private listen(slot: Slot): Promise<void> {
    if (slot.server) return Promise.resolve();
    const server = createNetServer({ pauseOnConnect: true }, (sock) => this.onConnection(slot, sock));
    slot.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: slot.device.init.address, port: slot.device.init.port, backlog: 64 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  private stopListening(slot: Slot): Promise<void> {
    const server = slot.server;
    slot.server = undefined;
    for (const s of slot.sockets) s.destroy();
    for (const s of slot.parked) s.destroy();
    slot.sockets.clear();
    slot.parked.clear();
    if (!server) return Promise.resolve();
    return new Promise((r) => server.close(() => r()));
  }

  private onConnection(slot: Slot, sock: Socket): void {
    sock.on('error', () => sock.destroy());
    if (slot.device.bmc === 'hung') {
      slot.parked.add(sock);
      sock.on('close', () => slot.parked.delete(sock));
      return;
    }
    slot.sockets.add(sock);
    sock.on('close', () => slot.sockets.delete(sock));
    slot.context ??= this.certs.issue(slot.device.init.address, slot.device.init.hostname, this.selfSigned).then((c) => c.context);
    slot.context.then(
      (secureContext) => {
        if (sock.destroyed) return;
        const tls = new TLSSocket(sock, { isServer: true, secureContext });
        (tls as unknown as Record<symbol, Slot>)[DEVICE] = slot;
        (tls as unknown as Record<symbol, Socket>)[RAW] = sock;
        tls.on('error', () => tls.destroy());
        this.http.emit('connection', tls);
        sock.resume();
      },
      (e: unknown) => {
        process.emitWarning(`mock-hardware ${slot.device.id}: cannot issue certificate: ${String(e)}`);
        slot.context = undefined;
        sock.destroy();
      },
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const slot = (req.socket as unknown as Record<symbol, Slot | undefined>)[DEVICE];
    if (!slot) {
      res.destroy();
      return;
    }
    const { device, persona } = slot;
    if (device.bmc !== 'up') {
      slot.parked.add(req.socket as Socket);
      return;
    }
    res.setHeader('OData-Version', '4.0');
    try {
      const url = new URL(req.url ?? '/', 'https://device');
      let path = url.pathname.replace(/\/+$/, '') || '/';
      if (path === '/redfish/v1/') path = '/redfish/v1';
      const net = device.netDecision(path);
      if (net.reset) {
        // An RST on the TCP socket, not a TLS close_notify: that is what a crashing web server looks like.
        const raw = (req.socket as unknown as Record<symbol, Socket | undefined>)[RAW];
        if (raw) raw.resetAndDestroy();
        else req.socket.destroy();
        return;
      }
      if (net.latencyMs > 0) await device.clock.sleep(net.latencyMs);
      if (device.bmc !== 'up') {
        slot.parked.add(req.socket as Socket);
        return;
      }
      if (net.error) return this.send(res, req, { status: net.error, body: errorBody(net.error === 503 ? 'Base.1.22.ServiceTemporarilyUnavailable' : 'Base.1.22.InternalError', ['10']), ...(net.error === 503 ? { headers: { 'Retry-After': '10' } } : {}) });
      if (path === '/redfish/v1/$metadata') {
        return this.send(res, req, { status: 200, raw: persona.metadata(device), headers: { 'Content-Type': 'application/xml' } });
      }
      const m = persona.router.match(path);
      if (!m) return this.send(res, req, { status: 404, body: errorBody('Base.1.22.ResourceMissingAtURI', [path]) });
      const method = (req.method ?? 'GET').toLowerCase() as Method | 'head';
      const handlerMethod: Method = method === 'head' ? 'get' : method;
      const handler = m.route[handlerMethod];
      if (!handler) {
        const allow = (['get', 'post', 'patch', 'put', 'delete'] as const).filter((k) => m.route[k]).map((k) => k.toUpperCase());
        if (allow.includes('GET')) allow.push('HEAD');
        return this.send(res, req, { status: 405, body: errorBody('Base.1.22.OperationNotAllowed'), headers: { Allow: allow.join(', ') } });
      }
      if (handlerMethod === 'get') {
        // As bmcweb does: GET names the methods the resource takes, so clients learn what is writable before trying.
        const allow = (['get', 'post', 'patch', 'put', 'delete'] as const).filter((k) => m.route[k]).map((k) => k.toUpperCase());
        res.setHeader('Allow', [...allow, 'HEAD'].join(', '));
      }
      const ctx: Ctx = { device, params: m.params, req, res, path, query: url.searchParams, json: () => readJson(req) };
      const isPublic = m.route.public === true && handlerMethod === 'get';
      const isPublicPost = m.route.publicPost === true && handlerMethod === 'post';
      const auth = authenticate(device, req);
      if (auth === 'bad' || (!auth && !isPublic && !isPublicPost)) {
        return this.send(res, req, { status: 401, body: errorBody('Base.1.22.NoValidSession'), headers: { 'WWW-Authenticate': 'Basic realm="Redfish"' } });
      }
      if (auth) {
        ctx.user = auth.user;
        if (auth.session) ctx.session = auth.session;
      }
      if (handlerMethod === 'patch' || handlerMethod === 'put') {
        const ifMatch = req.headers['if-match'];
        if (ifMatch && ifMatch !== '*' && m.route.get) {
          const cur = await m.route.get(ctx);
          if ('body' in cur && cur.body !== undefined && etagOf(JSON.stringify(cur.body)) !== ifMatch) {
            return this.send(res, req, { status: 412, body: errorBody('Base.1.22.PreconditionFailed') });
          }
        }
      }
      const reply = await handler(ctx);
      if ('handled' in reply) return;
      if (net.malformed && reply.body !== undefined) {
        const text = JSON.stringify(reply.body);
        return this.send(res, req, { status: reply.status, raw: text.slice(0, Math.max(1, Math.floor(text.length / 2))) + '{"' });
      }
      this.send(res, req, reply);
    } catch (e) {
      if (e instanceof RedfishError) return this.send(res, req, { status: e.status, body: errorBody(e.messageId, e.args), headers: e.headers });
      this.send(res, req, { status: 500, body: errorBody('Base.1.22.InternalError') });
      process.emitWarning(`mock-hardware ${device.id}: ${(e as Error).stack ?? String(e)}`);
    }
  }

  private send(res: ServerResponse, req: IncomingMessage, reply: Exclude<Reply, { handled: true }>): void {
    if (res.headersSent || res.destroyed) return;
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    let text = reply.raw;
    if (text === undefined && reply.body !== undefined) {
      text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'application/json; charset=utf-8');
    } else if (text !== undefined && !res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'application/json; charset=utf-8');
    if (text !== undefined && reply.status === 200 && (req.method === 'GET' || req.method === 'HEAD')) {
      const tag = etagOf(text);
      res.setHeader('ETag', tag);
      if (req.headers['if-none-match'] === tag) {
        res.writeHead(304).end();
        return;
      }
    }
    res.statusCode = reply.status;
    if (text === undefined || reply.status === 204 || reply.status === 304) {
      res.end();
      return;
    }
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(req.method === 'HEAD' ? undefined : text);
  }
}

/** Weak ETag from the representation: any change to the resource changes it. */
export function etagOf(text: string): string {
  return `W/"${createHash('sha1').update(text).digest('base64url').slice(0, 16)}"`;
}

function authenticate(device: Device, req: IncomingMessage): { user: string; session?: import('../core/sessions.js').Session } | 'bad' | undefined {
  const token = req.headers['x-auth-token'];
  if (typeof token === 'string') {
    const s = device.sessions.touch(token);
    return s ? { user: s.user, session: s } : 'bad';
  }
  const h = req.headers.authorization;
  if (h?.startsWith('Basic ')) {
    const dec = Buffer.from(h.slice(6), 'base64').toString('utf8');
    const i = dec.indexOf(':');
    const user = dec.slice(0, i);
    const pass = dec.slice(i + 1);
    return user === device.init.user && pass === device.init.password ? { user } : 'bad';
  }
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_JSON) throw new RedfishError(413, 'Base.1.22.PayloadTooLarge');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new RedfishError(400, 'Base.1.22.MalformedJSON');
  }
}
