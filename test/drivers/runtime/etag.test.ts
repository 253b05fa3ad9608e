/**
 * The If-Match / ETag quirk. The simulator sends weak ETags and compares If-Match byte for byte, and has no persona
 * option for unquoted ETags, so the quoted/unquoted quirk is exercised against a tiny local HTTPS Redfish service.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetDevice } from '../../../mock-hardware/src/index.js';
import { DriverError } from '../../../src/drivers/api.js';
import { redfishDriver } from '../../../src/drivers/redfish/index.js';
import { DEFAULT_GUARD, EndpointGuard } from '../../../src/drivers/runtime/guard.js';
import { DriverRuntime } from '../../../src/drivers/runtime/index.js';
import { RedfishHttpClient } from '../../../src/drivers/runtime/redfish-client.js';
import { MemoryTrustStore, trustingConnector } from '../../../src/drivers/runtime/tls-trust.js';
import { baseUrlOf, endpointFor, silentLog } from '../support/runtime.js';

type Style = 'unquoted' | 'quoted' | 'odata-only' | 'always-412';

/** A minimal Redfish service whose ETag style can be switched between tests. */
class QuirkyBmc {
  style: Style = 'unquoted';
  readonly ifMatchSeen: (string | undefined)[] = [];
  logins = 0;
  server!: Server;
  url = '';
  private readonly tag = 'abc123';

  async start(): Promise<void> {
    const cert = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
    this.server = createServer({ key: cert.private, cert: cert.cert }, (req, res) => {
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      req.resume();
      req.on('end', () => {
        const path = req.url ?? '/';
        if (path === '/redfish/v1' && req.method === 'GET') return send(200, { RedfishVersion: '1.17.0', Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } } });
        if (path === '/redfish/v1/SessionService/Sessions' && req.method === 'POST') {
          this.logins++;
          return send(201, { '@odata.id': '/redfish/v1/SessionService/Sessions/1' }, { 'x-auth-token': 'tok', location: '/redfish/v1/SessionService/Sessions/1' });
        }
        if (path === '/redfish/v1/SessionService/Sessions/1' && req.method === 'DELETE') return send(204);
        if (req.headers['x-auth-token'] !== 'tok') return send(401, { error: { code: 'Base.1.0.NoValidSession', message: 'no session' } });
        if (path === '/redfish/v1/Systems/1' && req.method === 'GET') {
          const body: Record<string, unknown> = { '@odata.id': '/redfish/v1/Systems/1', Id: '1' };
          if (this.style === 'odata-only') return send(200, { ...body, '@odata.etag': this.tag });
          return send(200, body, { etag: this.style === 'unquoted' ? this.tag : `"${this.tag}"` });
        }
        if (path === '/redfish/v1/Systems/1' && req.method === 'PATCH') {
          const got = req.headers['if-match'];
          this.ifMatchSeen.push(got);
          const want = this.style === 'unquoted' || this.style === 'odata-only' ? this.tag : `"${this.tag}"`;
          if (this.style === 'always-412' || (got !== undefined && got !== want)) {
            return send(412, { error: { code: 'Base.1.8.PreconditionFailed', message: 'ETag mismatch', '@Message.ExtendedInfo': [{ MessageId: 'Base.1.8.PreconditionFailed' }] } });
          }
          return send(204);
        }
        send(404, { error: { code: 'Base.1.8.ResourceMissingAtURI', message: path } });
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  client(): RedfishHttpClient {
    return new RedfishHttpClient({
      baseUrl: this.url,
      credentials: { kind: 'basic', username: 'u', password: 'p' },
      guard: new EndpointGuard('quirky', { ...DEFAULT_GUARD, timeoutMs: 3000, retries: 2, backoffMs: 10 }),
      connect: trustingConnector('quirky', { mode: 'pin' }, new MemoryTrustStore(), silentLog, 3000),
      log: silentLog,
      longTimeoutMs: 3000,
    });
  }
}

const bmc = new QuirkyBmc();
let c: RedfishHttpClient;
beforeAll(() => bmc.start());
afterAll(() => new Promise<void>((r) => bmc.server.close(() => r())));
beforeEach(async () => {
  await c?.close();
  c = bmc.client();
  bmc.ifMatchSeen.length = 0;
});
afterAll(() => c?.close());

describe('ETag normalisation and the If-Match quirk', () => {
  it('callers always see the quoted form, whatever the device sends', async () => {
    for (const style of ['unquoted', 'quoted', 'odata-only'] as const) {
      bmc.style = style;
      expect((await c.get('/redfish/v1/Systems/1')).etag).toBe('"abc123"');
    }
  });

  it('a device that wants the unquoted form: the quoted If-Match gets 412, the unquoted retry succeeds', async () => {
    bmc.style = 'unquoted';
    const cur = await c.get('/redfish/v1/Systems/1');
    const r = await c.patch('/redfish/v1/Systems/1', { AssetTag: 'x' }, { ifMatch: cur.etag });
    expect(r.status).toBe(204);
    expect(bmc.ifMatchSeen).toEqual(['"abc123"', 'abc123']);
  });

  it('a device that wants the unquoted form, given an unquoted tag by the caller: quoted first, then the bare retry', async () => {
    bmc.style = 'unquoted';
    const r = await c.patch('/redfish/v1/Systems/1', { AssetTag: 'x' }, { ifMatch: 'abc123' });
    expect(r.status).toBe(204);
    expect(bmc.ifMatchSeen).toEqual(['"abc123"', 'abc123']);
  });

  it('a device that wants the quoted form: an unquoted tag from the caller is quoted and works at once', async () => {
    bmc.style = 'quoted';
    const r = await c.patch('/redfish/v1/Systems/1', { AssetTag: 'x' }, { ifMatch: 'abc123' });
    expect(r.status).toBe(204);
    expect(bmc.ifMatchSeen).toEqual(['"abc123"']);
  });

  it('a really stale ETag ends as Rejected 412 after exactly one alternative try (writes never loop)', async () => {
    bmc.style = 'always-412';
    const e = await c.patch('/redfish/v1/Systems/1', { AssetTag: 'x' }, { ifMatch: '"abc123"' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DriverError);
    expect(e).toMatchObject({ code: 'Rejected', details: { status: 412, deviceMessages: [{ MessageId: 'Base.1.8.PreconditionFailed' }] } });
    expect(bmc.ifMatchSeen).toEqual(['"abc123"', 'abc123']);
  });

  it('a PATCH without If-Match sends none', async () => {
    bmc.style = 'unquoted';
    expect((await c.patch('/redfish/v1/Systems/1', { AssetTag: 'x' })).status).toBe(204);
    expect(bmc.ifMatchSeen).toEqual([undefined]);
  });

  it('logs in once for all of it', async () => {
    bmc.logins = 0;
    await Promise.all([c.get('/redfish/v1/Systems/1'), c.get('/redfish/v1/Systems/1'), c.patch('/redfish/v1/Systems/1', {})]);
    expect(bmc.logins).toBe(1);
  });
});

describe('ETags against the simulator (weak ETags)', () => {
  let fleet: Fleet;
  let bf: FleetDevice;
  beforeAll(async () => {
    fleet = await startFleet({ seed: 'runtime-etag', timeScale: 0, baseAddress: '127.152.0.1', devices: [{ persona: 'bluefield3' }] });
    bf = fleet.devices[0]!;
  });
  afterAll(() => fleet?.stop());

  it('setBootOverride reads the ETag and PATCHes with If-Match; the device accepts it', async () => {
    const rt = new DriverRuntime({ log: silentLog, guard: { timeoutMs: 3000 } });
    try {
      const dev = rt.add(endpointFor(bf), redfishDriver);
      await dev.call('setBootOverride', ['Bluefield', { target: 'Pxe', enabled: 'Once' }]);
      expect(bf.model.bootOverride).toEqual({ target: 'Pxe', enabled: 'Once' });
    } finally {
      await rt.close();
    }
  });

  it('a stale weak ETag is refused with Rejected 412 (weak tags have no other form to try)', async () => {
    const g = new EndpointGuard(bf.id, { ...DEFAULT_GUARD, timeoutMs: 3000 });
    const client = new RedfishHttpClient({
      baseUrl: baseUrlOf(bf),
      credentials: { kind: 'basic', username: bf.credentials.user, password: bf.credentials.password },
      guard: g,
      connect: trustingConnector(bf.id, { mode: 'insecure' }, new MemoryTrustStore(), silentLog, 3000),
      log: silentLog,
      longTimeoutMs: 3000,
    });
    try {
      const cur = await client.get('/redfish/v1/Systems/Bluefield');
      expect(cur.etag).toMatch(/^W\/".+"$/);
      await client.patch('/redfish/v1/Systems/Bluefield', { AssetTag: 'changed' }, { ifMatch: cur.etag });
      const e = await client.patch('/redfish/v1/Systems/Bluefield', { AssetTag: 'again' }, { ifMatch: cur.etag }).catch((x: unknown) => x);
      expect(e).toMatchObject({ name: 'DriverError', code: 'Rejected', details: { status: 412 } });
      expect(bf.model.assetTag).toBe('changed');
    } finally {
      await client.close();
    }
  });
});
