import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../src/index.js';

let fleet: Fleet;

const ipmitool = (host: string, port: number, ...args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', host, '-p', String(port), '-U', 'admin', '-E', ...args], { env: { ...process.env, IPMI_PASSWORD: 'password' }, timeout: 15_000 }, (e, out, err) => (e ? reject(new Error(err || e.message)) : resolve(out))),
  );

beforeAll(async () => {
  fleet = await startFleet({ seed: 'ipmi', timeScale: 0, baseAddress: '127.26.0.1', ipmiPort: 9623, devices: [{ persona: 'bluefield3' }, { persona: 'ipmi-legacy' }] });
});
afterAll(async () => fleet?.stop());

describe('ipmi-legacy devices in a fleet', () => {
  it('run ipmi_sim on their own address and show a power-loss fault over IPMI', async () => {
    const d = fleet.device('ipmi-0001');
    expect(d.url).toBe('ipmi://127.26.0.2:9623');
    expect(await ipmitool(d.address, d.port, 'chassis', 'power', 'status')).toContain('is on');
    fleet.inject(d.id, { kind: 'power-loss' });
    expect(await ipmitool(d.address, d.port, 'chassis', 'power', 'status')).toContain('is off');
    expect(() => fleet.inject(d.id, { kind: 'dpu-kernel-panic' })).toThrow(/does not apply/);
  });
});
