import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFleetFile, startControlApi, startFleet, type AdvertisedDevice, type Fleet, type FleetDevice } from '../src/index.js';
import { agent, get, rf } from './helpers.js';
import { validateRedfish } from '../../test/support/redfish-schema.js';

let fleet: Fleet;
let control: Server;
let controlUrl: string;
const advertised: AdvertisedDevice[] = [];
let stopped = false;
const reach: string[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mh-fleet-'));
  const file = join(dir, 'fleet.yaml');
  writeFileSync(
    file,
    [
      'seed: yaml-seed',
      'timeScale: 0',
      'baseAddress: 127.24.0.1',
      'devices:',
      '  - persona: openbmc-host',
      '    count: 2',
      '    dpusPerHost: 2',
      '  - persona: bluefield3',
      'faults:',
      '  - { atMs: 1000000, device: bf3-0001, fault: { kind: dpu-kernel-panic } }',
    ].join('\n'),
  );
  const spec = loadFleetFile(file);
  fleet = await startFleet({
    ...spec,
    discovery: [{ name: 'test', start: async (d: AdvertisedDevice) => void advertised.push(d), stop: async () => void (stopped = true), onReachability: (id: string, up: boolean) => void reach.push(`${id}:${up}`) } as never],
  });
  control = await startControlApi(fleet, 0);
  controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
});
afterAll(async () => {
  control?.close();
  await fleet?.stop();
});

describe('fleet file, addressing and pairing', () => {
  it('gives each device its own 127.x address and a stable identity for a seed', async () => {
    expect(fleet.devices.map((d) => d.id)).toEqual(['host-0001', 'host-0001-dpu1', 'host-0001-dpu2', 'host-0002', 'host-0002-dpu1', 'host-0002-dpu2', 'bf3-0001']);
    expect(new Set(fleet.devices.map((d) => d.address)).size).toBe(7);
    expect(fleet.devices[0]!.url).toBe('https://127.24.0.1:8443/redfish/v1');
    const again = await startFleet({ seed: 'yaml-seed', timeScale: 0, baseAddress: '127.24.1.1', devices: [{ persona: 'openbmc-host', count: 2, dpusPerHost: 2 }] });
    expect(again.devices.map((d) => d.serial)).toEqual(fleet.devices.slice(0, 6).map((d) => d.serial));
    await again.stop();
  });

  it("pairs each DPU with its own BMC through the host's PCIe and NetworkAdapter serials", async () => {
    const host = fleet.device('host-0002');
    for (const [i, dpuId] of host.dpuIds!.entries()) {
      const dpu = fleet.device(dpuId);
      const card = (await get(dpu, '/redfish/v1/Chassis/Card1')).body.SerialNumber;
      expect((await get(host, `/redfish/v1/Chassis/chassis/PCIeDevices/slot${i + 1}`)).body.SerialNumber).toBe(card);
      expect((await get(host, `/redfish/v1/Chassis/chassis/NetworkAdapters/slot${i + 1}`)).body.SerialNumber).toBe(card);
    }
  });

  it('host power off cuts its DPUs; power on boots them again', async () => {
    const host = fleet.device('host-0001');
    await rf(host, 'POST', '/redfish/v1/Systems/system/Actions/ComputerSystem.Reset', { ResetType: 'ForceOff' });
    const dpu = fleet.device(host.dpuIds![0]!);
    expect((await get(dpu, '/redfish/v1/Systems/Bluefield')).body.PowerState).toBe('Off');
    await rf(host, 'POST', '/redfish/v1/Systems/system/Actions/ComputerSystem.Reset', { ResetType: 'On' });
    fleet.clock.advance(300_000);
    expect((await get(dpu, '/redfish/v1/Systems/Bluefield')).body.BootProgress.OemLastState).toBe('OsIsRunning');
  });

  it('calls the discovery hook once per device with its advertised identity', async () => {
    expect(advertised.map((a) => a.id)).toEqual(fleet.devices.map((d) => d.id));
    const root = (await rf(fleet.devices[0]!, 'GET', '/redfish/v1', undefined, { auth: false })).body;
    expect(advertised[0]).toMatchObject({ uuid: root.UUID, serviceRootUrl: fleet.devices[0]!.url, port: 8443, persona: 'openbmc-host' });
  });

  it('runs scheduled faults from the fleet file at their virtual time', async () => {
    const d = fleet.device('bf3-0001');
    expect((await get(d, '/redfish/v1/Systems/Bluefield')).body.BootProgress.OemLastState).toBe('OsIsRunning');
    fleet.clock.advance(1_000_000);
    expect((await get(d, '/redfish/v1/Systems/Bluefield')).body.BootProgress.OemLastState).toMatch(/^OsCrashDump(InProgress|IsComplete)$/);
  });
});

describe('control API', () => {
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await request(controlUrl + path, { method: method as 'GET', body: body === undefined ? null : JSON.stringify(body) });
    return { status: r.statusCode, body: (await r.body.json()) as any };
  };

  it('lists devices, injects and clears faults, advances the clock', async () => {
    expect((await call('GET', '/devices')).body).toHaveLength(7);
    const r = await call('POST', '/devices/host-0002/faults', { kind: 'error-rate', rate: 1, status: 500 });
    expect(r).toMatchObject({ status: 200, body: { applied: 'error-rate' } });
    expect((await get(fleet.device('host-0002'), '/redfish/v1/Systems')).status).toBe(500);
    expect((await call('GET', '/devices/host-0002')).body.netFaults).toHaveLength(1);
    await call('DELETE', '/devices/host-0002/faults');
    expect((await get(fleet.device('host-0002'), '/redfish/v1/Systems')).status).toBe(200);
    expect((await call('POST', '/devices/host-0002/faults', { kind: 'bogus' })).status).toBe(400);
    const t0 = Date.parse((await call('GET', '/clock')).body.now);
    await call('POST', '/clock/advance', { ms: 3_600_000 });
    expect(Date.parse((await call('GET', '/clock')).body.now) - t0).toBe(3_600_000);
  });

  it('the CLI fault subcommand goes through the control API', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', 'mock-hardware/src/cli.ts', 'fault', 'host-0001', 'host-crash', '--params', '{"mode":"hard"}', '--control', controlUrl], { cwd: join(__dirname, '../..') }, (e, so, se) => (e ? reject(new Error(se)) : resolve(so))),
    );
    expect(JSON.parse(out)).toMatchObject({ applied: 'host-crash' });
    expect((await get(fleet.device('host-0001'), '/redfish/v1/Systems/system')).body.Status.Health).toBe('Critical');
  });
});

describe('events', () => {
  it('pushes events to subscribers and streams them over SSE; a BMC reboot drops both', async () => {
    const got: any[] = [];
    const sink = createServer((req, res) => {
      let s = '';
      req.on('data', (c) => (s += c));
      req.on('end', () => {
        got.push(JSON.parse(s));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const d: FleetDevice = fleet.device('host-0002-dpu1');
    const sub = await rf(d, 'POST', '/redfish/v1/EventService/Subscriptions', { Destination: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/ev`, Protocol: 'Redfish', Context: 'ctx-1' });
    expect(sub.status).toBe(201);
    const base = d.url.replace(/\/redfish\/v1$/, '');
    const sse = await request(`${base}/redfish/v1/EventService/SSE`, { dispatcher: agent, headers: { authorization: `Basic ${Buffer.from('root:0penBmc').toString('base64')}` } });
    expect(sse.headers['content-type']).toContain('text/event-stream');
    let sseText = '';
    const sseDone = (async () => {
      try {
        for await (const c of sse.body) sseText += c.toString();
      } catch {
        /* closed by BMC reboot */
      }
    })();
    await rf(d, 'POST', '/redfish/v1/Systems/Bluefield/Actions/ComputerSystem.Reset', { ResetType: 'ForceRestart' });
    fleet.clock.advance(200_000);
    for (let i = 0; i < 50 && !got.some((e) => e.Events[0].MessageId === 'ResourceEvent.1.4.ResourceStateChanged'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(got.some((e) => e.Context === 'ctx-1' && e.Events[0].MessageId === 'ResourceEvent.1.4.ResourceStateChanged')).toBe(true);
    for (const e of got) expect(validateRedfish(e).errors).toEqual([]);
    for (let i = 0; i < 50 && !sseText.includes('ResourceStateChanged'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(sseText).toContain('ResourceEvent.1.4.ResourceStateChanged');
    fleet.inject(d.id, { kind: 'bmc-reboot', downMs: 30_000 });
    await sseDone;
    fleet.clock.advance(30_000);
    await new Promise((r) => setTimeout(r, 20));
    expect((await get(d, '/redfish/v1/EventService/Subscriptions')).body.Members).toEqual([]);
    expect(reach).toEqual([`${d.id}:false`, `${d.id}:true`]);
    sink.close();
  });
});

describe('stop', () => {
  it('stops advertisers', async () => {
    const f = await startFleet({ seed: 1, timeScale: 0, baseAddress: '127.24.2.1', devices: [{ persona: 'bluefield3' }], discovery: [() => ({ start: async () => undefined, stop: async () => void (stopped = true) })] });
    await f.stop();
    expect(stopped).toBe(true);
  });
});

describe('CLI', () => {
  it('prints one "<url> <user>:<password> <persona> <serial>" line per device', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['bin/mock-hardware.js', '--persona', 'bluefield3', '--count', '3', '--base-address', '127.24.3.1', '--seed', 's', '--time-scale', '60'], { cwd: join(__dirname, '../..') });
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (c) => {
        buf += c.toString();
        const parts = buf.split('\n');
        buf = parts.pop()!;
        lines.push(...parts);
        if (lines.length >= 3) resolve();
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      setTimeout(() => reject(new Error('timeout')), 20_000);
    });
    const dev = { url: 'https://127.24.3.2:8443/redfish/v1', credentials: { user: 'root', password: '0penBmc' } } as FleetDevice;
    const ok = (await get(dev, '/redfish/v1/Chassis/Card1')).body.SerialNumber;
    child.kill('SIGTERM');
    expect(lines).toHaveLength(3);
    for (const [i, l] of lines.entries()) expect(l).toMatch(new RegExp(`^https://127\\.24\\.3\\.${i + 1}:8443/redfish/v1 root:0penBmc bluefield3 MT\\d{4}X[A-Z0-9]{5}$`));
    expect(lines[1]!.split(' ')[3]).toBe(ok);
  });
});

describe('example fleet file', () => {
  it('loads', () => {
    const spec = loadFleetFile(join(__dirname, '../examples/demo-fleet.yaml'));
    expect(spec.devices.map((g) => g.persona)).toEqual(['openbmc-host', 'bluefield3', 'dmtf-mockup']);
    expect(spec.faults![0]!.fault.kind).toBe('dpu-kernel-panic');
    expect(String(spec.devices[2]!.options!.mockup)).toMatch(/shared\/mockups\/public-smartnic$/);
  });
});
