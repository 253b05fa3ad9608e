import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Device } from '../core/device.js';
import { message, messageText } from '../core/messages.js';
import type { Session } from '../core/sessions.js';

/** Everything a resource handler needs for one request. */
export interface Ctx {
  device: Device;
  params: Record<string, string>;
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  query: URLSearchParams;
  /** Authenticated user; undefined on public routes without credentials. */
  user?: string;
  session?: Session;
  /** Parses the JSON request body (bounded); throws a {@link RedfishError} on bad JSON. */
  json(): Promise<Record<string, unknown>>;
}

/** A response to send, or `handled` when the handler wrote to `res` itself (streams, SSE). */
export type Reply = { status: number; body?: unknown; headers?: Record<string, string>; raw?: string } | { handled: true };
export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;
export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface Route {
  /** Path pattern with `{name}` segments, e.g. `/redfish/v1/Systems/{sys}`. */
  path: string;
  get?: Handler;
  post?: Handler;
  patch?: Handler;
  put?: Handler;
  delete?: Handler;
  /** Readable without authentication (service root, odata, $metadata). */
  public?: boolean;
  /** POST is allowed without authentication (session login). */
  publicPost?: boolean;
}

/** Error a handler can throw to answer with a Redfish error body. */
export class RedfishError extends Error {
  constructor(
    readonly status: number,
    readonly messageId: string,
    readonly args: string[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(messageText(messageId, args));
  }
}

/** Redfish error body per DSP0266 §9.7 (`error` with `code`, `message` and `@Message.ExtendedInfo`). */
export function errorBody(messageId: string, args: string[] = []): Record<string, unknown> {
  const severity = messageId.endsWith('Success') || messageId.endsWith('Created') ? 'OK' : 'Critical';
  return {
    error: {
      code: messageId,
      message: messageText(messageId, args),
      '@Message.ExtendedInfo': [message(messageId, args, severity, 'Retry the request or correct it as the message says.')],
    },
  };
}

export const ok = (body: unknown, headers?: Record<string, string>): Reply => ({ status: 200, body, ...(headers ? { headers } : {}) });
export const noContent = (): Reply => ({ status: 204 });
export const fail = (status: number, messageId: string, args: string[] = [], headers?: Record<string, string>): Reply => ({
  status,
  body: errorBody(messageId, args),
  ...(headers ? { headers } : {}),
});
export const notFound = (path: string): Reply => fail(404, 'Base.1.22.ResourceMissingAtURI', [path]);

interface Node {
  lit: Map<string, Node>;
  param?: { name: string; node: Node };
  route?: Route;
}

const newNode = (): Node => ({ lit: new Map() });

/** Segment trie: one per persona, shared by every device of that persona. */
export class Router {
  private readonly root = newNode();

  add(routes: Route[]): this {
    for (const r of routes) {
      let n = this.root;
      for (const seg of split(r.path)) {
        const m = /^\{(\w+)\}$/.exec(seg);
        if (m) {
          n.param ??= { name: m[1]!, node: newNode() };
          n = n.param.node;
        } else {
          let next = n.lit.get(seg);
          if (!next) n.lit.set(seg, (next = newNode()));
          n = next;
        }
      }
      // First registration wins, so personas can override common resources by listing theirs first.
      n.route ??= r;
    }
    return this;
  }

  match(path: string): { route: Route; params: Record<string, string> } | undefined {
    const params: Record<string, string> = {};
    const walk = (n: Node, segs: string[], i: number): Route | undefined => {
      if (i === segs.length) return n.route;
      const seg = segs[i]!;
      const lit = n.lit.get(seg);
      if (lit) {
        const r = walk(lit, segs, i + 1);
        if (r) return r;
      }
      if (n.param) {
        const r = walk(n.param.node, segs, i + 1);
        if (r) {
          params[n.param.name] = decodeURIComponent(seg);
          return r;
        }
      }
      return undefined;
    };
    const route = walk(this.root, split(path), 0);
    return route ? { route, params } : undefined;
  }
}

function split(p: string): string[] {
  return p.split('/').filter(Boolean);
}
