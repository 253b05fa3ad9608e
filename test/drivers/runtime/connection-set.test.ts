/**
 * The per-endpoint connections of the Redfish transport, against a real HTTP server: keep-alive reuse, the cap on
 * connections, and idle connections forgotten once the server has closed them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildConnector } from 'undici';
import { ConnectionSet } from '../../../src/drivers/runtime/connection-set.js';
import { eventually } from '../support/runtime.js';

let server: Server;
let origin: string;
let opened = 0;
let open = 0;
let maxOpen = 0;
let inHandler = 0;
let maxInHandler = 0;
const sockets = new Set<Socket>();

beforeEach(async () => {
  opened = open = maxOpen = inHandler = maxInHandler = 0;
  server = createServer((req, res) => {
    inHandler++;
    maxInHandler = Math.max(maxInHandler, inHandler);
    setTimeout(() => {
      inHandler--;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url }));
    }, 20);
  });
  // Node announces whole seconds (`Keep-Alive: timeout=4`); undici keeps an idle connection 2 s less than announced, and
  // not at all below that.
  server.keepAliveTimeout = 4000;
  server.on('connection', (s: Socket) => {
    opened++;
    open++;
    maxOpen = Math.max(maxOpen, open);
    sockets.add(s);
    s.on('close', () => {
      open--;
      sockets.delete(s);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  // Counters are per test: wait for the last sockets' close events before the next test resets them.
  await eventually(() => sockets.size === 0, 2000);
});

function set(connections: number, keepAliveTimeout = 10_000): ConnectionSet {
  return new ConnectionSet(origin, { connections, connect: buildConnector({}), keepAliveTimeout, keepAliveMaxTimeout: keepAliveTimeout, headersTimeout: 0, bodyTimeout: 0 });
}

async function get(c: ConnectionSet, path: string): Promise<unknown> {
  const res = await c.request({ method: 'GET', path });
  return JSON.parse(await res.body.text());
}

describe('ConnectionSet', () => {
  it('reuses one kept-alive connection for sequential requests', async () => {
    const c = set(4);
    for (let i = 0; i < 5; i++) expect(await get(c, `/r/${i}`)).toEqual({ path: `/r/${i}` });
    expect(opened).toBe(1);
    expect(c.size).toBe(1);
    await c.close();
  });

  it('never opens more connections than its cap, and every request is answered', async () => {
    const c = set(2);
    const answers = await Promise.all(Array.from({ length: 7 }, (_, i) => get(c, `/p/${i}`)));
    expect(answers).toEqual(Array.from({ length: 7 }, (_, i) => ({ path: `/p/${i}` })));
    expect(maxOpen).toBeLessThanOrEqual(2);
    expect(maxInHandler).toBe(2);
    expect(c.size).toBeLessThanOrEqual(2);
    await c.close();
  });

  it('forgets a connection the server closed while idle, and opens a new one when needed', async () => {
    const c = set(4);
    await get(c, '/a');
    expect(c.size).toBe(1);
    // The server's keep-alive timeout (as undici reads it) closes the idle socket: nothing is held for the endpoint.
    expect(await eventually(() => c.size === 0, 6000)).toBe(true);
    expect(open).toBe(0);
    expect(await get(c, '/b')).toEqual({ path: '/b' });
    expect(opened).toBe(2);
    await c.close();
  });

  it('keeps only the first connection between bursts: the others close soon after going idle', async () => {
    const c = new ConnectionSet(origin, { connections: 3, connect: buildConnector({}), keepAliveTimeout: 10_000, keepAliveMaxTimeout: 10_000, extraKeepAliveTimeout: 200, headersTimeout: 0, bodyTimeout: 0 });
    await Promise.all([get(c, '/1'), get(c, '/2'), get(c, '/3')]);
    expect(opened).toBe(3);
    expect(await eventually(() => c.size === 1 && open === 1, 1500)).toBe(true);
    // The one kept is reused: no new connection for the next request.
    expect(await get(c, '/4')).toEqual({ path: '/4' });
    expect(opened).toBe(3);
    await c.close();
  });

  it('closeIdle() closes the idle connections at once and leaves a running request alone', async () => {
    const c = set(2);
    await Promise.all([get(c, '/1'), get(c, '/2')]);
    expect(open).toBe(2);
    const running = get(c, '/slow');
    c.closeIdle();
    expect(c.size).toBe(1);
    expect(await running).toEqual({ path: '/slow' });
    expect(await eventually(() => open === 1, 1000)).toBe(true);
    c.closeIdle();
    expect(c.size).toBe(0);
    expect(await eventually(() => open === 0, 1000)).toBe(true);
    // Nothing is lost: the next request opens a connection again.
    expect(await get(c, '/again')).toEqual({ path: '/again' });
    await c.close();
  });

  it('forgets a connection reset under a running request', async () => {
    const c = set(2);
    server.removeAllListeners('request');
    server.on('request', (req) => req.socket.destroy());
    await expect(get(c, '/reset')).rejects.toThrow();
    expect(await eventually(() => c.size === 0, 6000)).toBe(true);
    await c.close();
  });

  it('refuses requests once closed', async () => {
    const c = set(1);
    await get(c, '/x');
    await c.close();
    expect(c.size).toBe(0);
    await expect(get(c, '/y')).rejects.toThrow(/closed/);
  });
});
