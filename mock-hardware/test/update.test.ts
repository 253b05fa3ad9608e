import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage, startFleet, type Fleet, type FleetDevice } from '../src/index.js';
import { agent, get, rf } from './helpers.js';

let fleet: Fleet;
let bf: FleetDevice;
let bfSigned: FleetDevice;
let host: FleetDevice;
let http: Server;
let https: Server;
let httpBase: string;
let httpsBase: string;
const images = new Map<string, ReturnType<typeof createImage>>();

function serve(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
  const img = images.get(req.url ?? '');
  if (!img) return res.writeHead(404).end();
  res.writeHead(200, { 'content-length': img.length, 'content-type': 'application/octet-stream' });
  img.stream().pipe(res);
}

beforeAll(async () => {
  fleet = await startFleet({
    seed: 'update',
    timeScale: 0,
    baseAddress: '127.22.0.1',
    devices: [
      { persona: 'bluefield3', options: { bmcBootMs: 60_000 } },
      { persona: 'bluefield3', options: { requireSignature: true } },
      { persona: 'openbmc-host' },
    ],
  });
  [bf, bfSigned, host] = fleet.devices as [FleetDevice, FleetDevice, FleetDevice];
  http = createHttp(serve);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  httpBase = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const cert = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
  https = createHttps({ key: cert.private, cert: cert.cert }, serve);
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  httpsBase = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await fleet?.stop();
  http?.close();
  https?.close();
});

async function waitTask(d: FleetDevice, monitor: string, stepMs = 10_000, max = 400): Promise<any> {
  for (let i = 0; i < max; i++) {
    const r = await get(d, monitor);
    if (r.status !== 202) return r;
    fleet.clock.advance(stepMs);
    await new Promise((res) => setImmediate(res));
  }
  throw new Error('task did not finish');
}

describe('SimpleUpdate pulls over HTTP and HTTPS as a task', () => {
  it('streams a 64 MiB image over HTTPS, reports PercentComplete, and stages DPU_UEFI until reset', async () => {
    images.set('/uefi.img', createImage({ components: [{ id: 'DPU_UEFI', version: '4.12.0-1' }], size: 64 * 1024 * 1024 }));
    const r = await rf(bf, 'POST', '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', { ImageURI: `${httpsBase}/uefi.img`, TransferProtocol: 'HTTPS', '@Redfish.OperationApplyTime': 'OnReset' });
    expect(r.status).toBe(202);
    expect(r.body['@odata.type']).toBe('#Task.v1_7_4.Task');
    const monitor = String(r.headers.location);
    const percents: number[] = [];
    let final;
    for (let i = 0; i < 400; i++) {
      const m = await get(bf, monitor);
      percents.push(m.body.PercentComplete);
      if (m.status !== 202) {
        final = m;
        break;
      }
      fleet.clock.advance(15_000);
      await new Promise((res) => setTimeout(res, 5));
    }
    expect(final!.status).toBe(200);
    expect(final!.body.TaskState).toBe('Completed');
    expect(percents.some((p) => p > 0 && p < 100)).toBe(true);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const pend = await get(bf, '/redfish/v1/UpdateService/FirmwareInventory/DPU_UEFI_pending');
    expect(pend.body.Version).toBe('4.12.0-1');
    expect((await get(bf, '/redfish/v1/UpdateService/FirmwareInventory/DPU_UEFI')).body.Version).not.toBe('4.12.0-1');
    await rf(bf, 'POST', '/redfish/v1/Systems/Bluefield/Actions/ComputerSystem.Reset', { ResetType: 'ForceRestart' });
    expect((await get(bf, '/redfish/v1/UpdateService/FirmwareInventory/DPU_UEFI')).body.Version).toBe('4.12.0-1');
    expect((await get(bf, '/redfish/v1/UpdateService/FirmwareInventory/DPU_UEFI_pending')).status).toBe(404);
  });

  it('keeps NIC firmware staged across ForceRestart (Arm only); it needs a power cycle', async () => {
    images.set('/nic.img', createImage({ components: [{ id: 'DPU_NIC', version: '32.46.0001' }], size: 1024 * 1024 }));
    const r = await rf(bf, 'POST', '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', { ImageURI: `${httpBase}/nic.img`, TransferProtocol: 'HTTP', '@Redfish.OperationApplyTime': 'OnReset' });
    expect((await waitTask(bf, String(r.headers.location))).body.TaskState).toBe('Completed');
    fleet.clock.advance(60_000);
    await rf(bf, 'POST', '/redfish/v1/Systems/Bluefield/Actions/ComputerSystem.Reset', { ResetType: 'ForceRestart' });
    expect((await get(bf, '/redfish/v1/UpdateService/FirmwareInventory/DPU_NIC_pending')).body.Version).toBe('32.46.0001');
    bf.model.powerCycle();
    fleet.clock.advance(10_000);
    expect((await get(bf, '/redfish/v1/UpdateService/FirmwareInventory/DPU_NIC')).body.Version).toBe('32.46.0001');
  });

  it('fails the task with VerificationFailed on a digest mismatch, and on an unsigned image where signatures are required', async () => {
    images.set('/bad.img', createImage({ components: [{ id: 'DPU_ATF', version: '9.9' }], size: 100_000, corrupt: true }));
    const r = await rf(bf, 'POST', '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', { ImageURI: `${httpBase}/bad.img` });
    const t = await waitTask(bf, String(r.headers.location));
    expect(t.body.TaskState).toBe('Exception');
    expect(t.body.Messages.map((m: { MessageId: string }) => m.MessageId)).toContain('Update.1.3.VerificationFailed');
    images.set('/unsigned.img', createImage({ components: [{ id: 'DPU_ATF', version: '9.9' }], size: 1000 }));
    const u = await rf(bfSigned, 'POST', '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', { ImageURI: `${httpBase}/unsigned.img` });
    expect((await waitTask(bfSigned, String(u.headers.location))).body.TaskState).toBe('Exception');
    images.set('/signed.img', createImage({ components: [{ id: 'DPU_ATF', version: '9.9' }], size: 1000, signingKey: fleet.signingKey }));
    const s = await rf(bfSigned, 'POST', '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', { ImageURI: `${httpBase}/signed.img`, '@Redfish.OperationApplyTime': 'OnReset' });
    expect((await waitTask(bfSigned, String(s.headers.location))).body.TaskState).toBe('Completed');
  });

  it('fails with TransferFailed when the image cannot be fetched', async () => {
    const r = await rf(host, 'POST', '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', { ImageURI: `${httpBase}/missing.img` });
    const t = await waitTask(host, String(r.headers.location));
    expect(t.body.TaskState).toBe('Exception');
    expect(t.body.Messages.map((m: { MessageId: string }) => m.MessageId)).toContain('Update.1.3.TransferFailed');
  });
});

describe('multipart push and BMC update', () => {
  it('rejects a push over 200 MiB with 413 before reading it', async () => {
    const res = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: bf.address, port: bf.port, rejectUnauthorized: false }, () => {
        const auth = Buffer.from('root:0penBmc').toString('base64');
        s.write(`POST /redfish/v1/UpdateService/update-multipart HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: ${201 * 1024 * 1024}\r\n\r\n--B\r\n`);
      });
      let data = '';
      s.on('data', (c) => (data += c.toString()));
      s.on('error', reject);
      s.setTimeout(3000, () => resolve(data));
      s.on('close', () => resolve(data));
      setTimeout(() => s.destroy(), 1500);
    });
    expect(res).toMatch(/^HTTP\/1\.1 413/);
    expect(res).toContain('Base.1.22.PayloadTooLarge');
  });

  it('installs a BMC image pushed as multipart, then the BMC reboots and forgets sessions and subscriptions', async () => {
    const login = await rf(bf, 'POST', '/redfish/v1/SessionService/Sessions', { UserName: 'root', Password: '0penBmc' }, { auth: false });
    const token = String(login.headers['x-auth-token']);
    await rf(bf, 'POST', '/redfish/v1/EventService/Subscriptions', { Destination: 'https://127.0.0.1:9/x' });
    const img = createImage({ components: [{ id: 'BMC_Firmware', version: 'BF-25.10-1' }], size: 3 * 1024 * 1024 + 17 });
    const chunks: Buffer[] = [];
    for await (const c of img.stream()) chunks.push(c as Buffer);
    const boundary = 'mhboundary42';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="UpdateParameters"\r\nContent-Type: application/json\r\n\r\n{"Targets":["/redfish/v1/Managers/Bluefield_BMC"]}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="UpdateFile"; filename="bmc.fwpkg"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      ...chunks,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const base = bf.url.replace(/\/redfish\/v1$/, '');
    const r = await request(`${base}/redfish/v1/UpdateService/update-multipart`, { method: 'POST', body, dispatcher: agent, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-auth-token': token } });
    const task = (await r.body.json()) as any;
    expect(r.statusCode).toBe(202);
    const t = await waitTask(bf, String(r.headers.location), 60_000);
    expect(t.body.TaskState).toBe('Completed');
    expect((await get(bf, '/redfish/v1/UpdateService/FirmwareInventory/BMC_Firmware_pending')).body.Version).toBe('BF-25.10-1');
    expect(task.Id).toBeDefined();
    fleet.clock.advance(3_000); // the BMC reboots on its own
    await expect(get(bf, '/redfish/v1')).rejects.toThrow();
    fleet.clock.advance(60_000);
    await new Promise((res) => setTimeout(res, 20));
    expect((await get(bf, '/redfish/v1/UpdateService/FirmwareInventory/BMC_Firmware')).body.Version).toBe('BF-25.10-1');
    expect((await get(bf, '/redfish/v1/Managers/Bluefield_BMC')).body.FirmwareVersion).toBe('BF-25.10-1');
    expect((await rf(bf, 'GET', '/redfish/v1/Systems', undefined, { token })).status).toBe(401);
    expect((await get(bf, '/redfish/v1/EventService/Subscriptions')).body.Members).toEqual([]);
    expect((await get(bf, String(r.headers.location))).status).toBe(404);
  });
});
