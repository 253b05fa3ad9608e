import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DriverError, type RedfishClient } from '../../../src/drivers/api.js';
import { redfishDriver } from '../../../src/drivers/redfish/index.js';
import { DriverRuntime } from '../../../src/drivers/runtime/index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A scripted Redfish service: each test gives the handler; sessions are accepted and counted. */
async function service(handle: (req: IncomingMessage, res: ServerResponse, body: string) => boolean): Promise<{ server: Server; url: string; sessions: { created: number; deleted: number } }> {
  const sessions = { created: 0, deleted: 0 };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (handle(req, res, body)) return;
      if (req.url === '/redfish/v1') return json(res, 200, { '@odata.id': '/redfish/v1', RedfishVersion: '1.17.0', Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } } });
      if (req.url === '/redfish/v1/SessionService/Sessions' && req.method === 'POST') {
        sessions.created++;
        return json(res, 201, { '@odata.id': '/redfish/v1/SessionService/Sessions/1' }, { 'x-auth-token': 'tok', location: '/redfish/v1/SessionService/Sessions/1' });
      }
      if (req.url === '/redfish/v1/SessionService/Sessions/1' && req.method === 'DELETE') {
        sessions.deleted++;
        return json(res, 204, undefined);
      }
      json(res, 404, { error: { code: 'Base.1.22.ResourceMissingAtURI', message: 'missing' } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sessions };
}

describe('Redfish client: TaskMonitor and Task following (DSP0266 §12.2)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  async function clientFor(url: string, server: Server): Promise<RedfishClient> {
    const rt = new DriverRuntime({ log: silent, guard: { timeoutMs: 2000, backoffMs: 10 } });
    const dev = rt.add({ id: 'scripted', protocol: 'redfish', host: '127.0.0.1', baseUrl: url, credentials: { kind: 'basic', username: 'u', password: 'p' } }, redfishDriver);
    cleanup.push(async () => {
      await rt.close();
      await new Promise<void>((r) => server.close(() => r()));
    });
    // The session object is not needed: the client is what the driver gets in its ConnectContext.
    return (dev as unknown as { redfish?: RedfishClient; open(): Promise<unknown> }).redfish ?? (await (async () => {
      await dev.connect().catch(() => undefined);
      return (dev as unknown as { redfish: RedfishClient }).redfish;
    })());
  }

  it('follows 202s on a TaskMonitor until a 303 to the result', async () => {
    let polls = 0;
    const { server, url } = await service((req, res) => {
      if (req.url !== '/redfish/v1/TaskService/TaskMonitors/7') return false;
      polls++;
      if (polls < 3) {
        res.writeHead(202, { location: '/redfish/v1/TaskService/TaskMonitors/7', 'retry-after': '0' });
        res.end();
      } else {
        res.writeHead(303, { location: '/redfish/v1/Systems/1' });
        res.end();
      }
      return true;
    });
    const client = await clientFor(url, server);
    const progress: unknown[] = [];
    const out = await client.waitTask('/redfish/v1/TaskService/TaskMonitors/7', { timeoutMs: 10_000, pollMs: 10, onProgress: (p) => progress.push(p) });
    expect(out).toEqual({ ok: true, state: 'Completed', messages: [], resultUri: '/redfish/v1/Systems/1' });
    expect(polls).toBe(3);
  });

  it('reads TaskState and PercentComplete from a Task resource, and reports an Exception as not ok', async () => {
    let polls = 0;
    const { server, url } = await service((req, res) => {
      if (req.url !== '/redfish/v1/TaskService/Tasks/9') return false;
      polls++;
      const state = polls < 2 ? 'Running' : 'Exception';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ '@odata.id': '/redfish/v1/TaskService/Tasks/9', TaskState: state, TaskStatus: polls < 2 ? 'OK' : 'Critical', PercentComplete: polls * 40, Messages: polls < 2 ? [] : [{ MessageId: 'Update.1.0.ApplyFailed', Message: 'flash failed' }] }));
      return true;
    });
    const client = await clientFor(url, server);
    const progress: { percent?: number; state?: string }[] = [];
    const out = await client.waitTask('/redfish/v1/TaskService/Tasks/9', { timeoutMs: 10_000, pollMs: 10, onProgress: (p) => progress.push(p) });
    expect(out.ok).toBe(false);
    expect(out.state).toBe('Exception');
    expect(out.messages[0]?.MessageId).toBe('Update.1.0.ApplyFailed');
    expect(progress).toEqual([{ percent: 40, state: 'Running' }, { percent: 80, state: 'Exception' }]);
  });

  it('waits through a BMC that restarts mid-task (connection refused, then 503), then sees the end', async () => {
    let polls = 0;
    const { server, url } = await service((req, res) => {
      if (req.url !== '/redfish/v1/TaskService/Tasks/3') return false;
      polls++;
      if (polls === 1) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ '@odata.id': '/redfish/v1/TaskService/Tasks/3', TaskState: 'Running', PercentComplete: 50 }));
      } else if (polls === 2) {
        req.socket.destroy(); // the BMC went down mid-answer
      } else if (polls === 3) {
        res.writeHead(503, { 'retry-after': '0', 'content-type': 'application/json' });
        res.end('{}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ '@odata.id': '/redfish/v1/TaskService/Tasks/3', TaskState: 'Completed', PercentComplete: 100 }));
      }
      return true;
    });
    const client = await clientFor(url, server);
    const out = await client.waitTask('/redfish/v1/TaskService/Tasks/3', { timeoutMs: 20_000, pollMs: 10 });
    expect(out).toMatchObject({ ok: true, state: 'Completed' });
  });

  it('says the task is lost when the device forgets it after a restart, instead of waiting forever', async () => {
    let polls = 0;
    const { server, url } = await service((req, res) => {
      if (req.url !== '/redfish/v1/TaskService/TaskMonitors/5') return false;
      polls++;
      if (polls === 1) {
        res.writeHead(202, { location: '/redfish/v1/TaskService/TaskMonitors/5', 'content-type': 'application/json' });
        res.end(JSON.stringify({ TaskState: 'Running', '@odata.id': '/redfish/v1/TaskService/Tasks/5' }));
        return true;
      }
      return false; // 404 from now on, for the monitor and the task
    });
    const client = await clientFor(url, server);
    const out = await client.waitTask('/redfish/v1/TaskService/TaskMonitors/5', { timeoutMs: 10_000, pollMs: 10 });
    expect(out.ok).toBe(false);
    expect(out.state).toBe('Lost');
  });

  it('re-creates the pooled session on 401 once, then succeeds; logs out on close', async () => {
    let calls = 0;
    const { server, url, sessions } = await service((req, res) => {
      if (req.url !== '/redfish/v1/Systems') return false;
      calls++;
      if (calls === 1) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"Base.1.22.NoValidSession","message":"expired"}}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"Members":[]}');
      }
      return true;
    });
    const client = await clientFor(url, server);
    const res = await client.get('/redfish/v1/Systems');
    expect(res.body).toEqual({ Members: [] });
    expect(sessions.created).toBe(2);
    await cleanup.shift()!();
    expect(sessions.deleted).toBe(1);
  });

  it('turns a malformed JSON answer into BadResponse, not a crash', async () => {
    const { server, url } = await service((req, res) => {
      if (req.url !== '/redfish/v1/Chassis') return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"Members": [');
      return true;
    });
    const client = await clientFor(url, server);
    const err = await client.get('/redfish/v1/Chassis').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as DriverError).code).toBe('BadResponse');
  });
});
