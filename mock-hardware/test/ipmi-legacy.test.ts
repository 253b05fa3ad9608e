import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFru, zeroChecksum } from '../src/personas/ipmi-legacy/fru.js';
import { bmcEmu, lanConf, defaultSel, selBytes } from '../src/personas/ipmi-legacy/config.js';
import { defaultSensors } from '../src/personas/ipmi-legacy/sdr.js';
import { startIpmiDevice, type IpmiDevice } from '../src/personas/ipmi-legacy/index.js';
import { freePort } from '../src/discovery/ports.js';

const run = promisify(execFile);

async function has(cmd: string): Promise<boolean> {
  try {
    await run('sh', ['-c', 'command -v "$1"', 'sh', cmd]);
    return true;
  } catch {
    return false;
  }
}

const tools = (await has('ipmi_sim')) && (await has('ipmitool'));

describe('ipmi-legacy files', () => {
  it('builds a FRU image whose header and areas checksum to zero', () => {
    const fru = encodeFru({ serial: 'SN123', vendor: 'Contoso', product: 'Box' });
    expect(fru.length % 8).toBe(0);
    expect(zeroChecksum(fru.slice(0, 8))).toBe(0);
    for (const offsetIndex of [2, 3, 4]) {
      const start = (fru[offsetIndex] ?? 0) * 8;
      const len = (fru[start + 1] ?? 0) * 8;
      expect(zeroChecksum(fru.slice(start, start + len))).toBe(0);
    }
  });

  it('encodes SEL records as 13 bytes and refuses config-breaking credentials', () => {
    for (const e of defaultSel()) expect(selBytes(e)).toHaveLength(13);
    const base = {
      name: 'x', address: '127.0.0.1', port: 9000, user: 'admin', password: 'pw', chassisScript: '/tmp/c.sh',
      fru: { serial: 's', vendor: 'v', product: 'p' }, sel: [], sensors: defaultSensors(), sensorDir: '/tmp/s',
    };
    expect(lanConf(base)).toContain('addr 127.0.0.1 9000');
    expect(bmcEmu(base)).toContain('mc_add_fru_data 0x20 0');
    expect(bmcEmu(base)).toContain('sensor_add 0x20 0 0x31 0x01 0x01 poll 500 file "/tmp/s/49"');
    expect(() => lanConf({ ...base, password: 'a b' })).toThrow(/whitespace/);
    expect(() => lanConf({ ...base, user: 'a"' })).toThrow(/quotes/);
  });
});

describe.skipIf(!tools)('ipmi-legacy with ipmi_sim and ipmitool (needs Debian openipmi + ipmitool)', () => {
  let dir = '';
  let dev: IpmiDevice;
  let port = 0;
  const ipmi = async (...args: string[]): Promise<string> => {
    const { stdout } = await run(
      'ipmitool',
      ['-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(port), '-U', 'admin', '-E', ...args],
      { env: { ...process.env, IPMI_PASSWORD: 's3cret-pw' }, timeout: 20_000 },
    );
    return stdout;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ipmi-legacy-'));
    port = await freePort('127.0.0.1');
    dev = await startIpmiDevice({
      address: '127.0.0.1', port, user: 'admin', password: 's3cret-pw', serial: 'LEG-000042', stateDir: dir,
      vendor: 'Contoso', product: 'Legacy 1U Server',
    });
  });
  afterAll(async () => {
    await dev?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports and changes power through chassis_control', async () => {
    expect(await ipmi('chassis', 'power', 'status')).toMatch(/Chassis Power is off/);
    await ipmi('chassis', 'power', 'on');
    expect(dev.state().power).toBe('on');
    expect(await ipmi('chassis', 'power', 'status')).toMatch(/Chassis Power is on/);
    await ipmi('chassis', 'power', 'off');
    expect(dev.state().power).toBe('off');
    await ipmi('chassis', 'power', 'on');
    await ipmi('chassis', 'power', 'cycle');
    // ipmi_sim powers off at once and back on about a second later
    await expect.poll(() => dev.state().power, { timeout: 8000, interval: 200 }).toBe('on');
  });

  it('handles hard reset and soft off the way ipmi_sim reports them', async () => {
    await ipmi('chassis', 'power', 'on');
    await ipmi('chassis', 'power', 'reset');
    expect(dev.state().power).toBe('on');
    expect(dev.events().some((e) => e.name === 'reset' && e.value === '1')).toBe(true);
    await ipmi('chassis', 'power', 'soft');
    expect(dev.state().power).toBe('off');
  });

  it('serves threshold sensors and logs SEL events when one crosses its thresholds', async () => {
    const sdr = await ipmi('sdr', 'list');
    expect(sdr).toMatch(/Inlet Temp\s*\|\s*24 degrees C\s*\|\s*ok/);
    expect(sdr).toMatch(/FAN1\s*\|\s*5500 RPM\s*\|\s*ok/);
    dev.setSensor('CPU Temp', 92);
    expect(dev.sensors().find((s) => s.name === 'CPU Temp')?.value).toBe(92);
    await expect.poll(async () => ipmi('sdr', 'list'), { timeout: 5000, interval: 300 }).toMatch(/CPU Temp\s*\|\s*92 degrees C\s*\|\s*cr/);
    const sel = await ipmi('sel', 'list');
    expect(sel).toMatch(/Temperature #0x31 \| Upper Critical going high \| Asserted/);
    dev.setSensor(0x31, 52);
  });

  it('sees a power loss injected behind IPMI', async () => {
    dev.setState({ power: 'on' });
    expect(await ipmi('chassis', 'power', 'status')).toMatch(/Chassis Power is on/);
    dev.setState({ power: 'off' });
    expect(await ipmi('chassis', 'power', 'status')).toMatch(/Chassis Power is off/);
  });

  it('sets the boot device', async () => {
    expect(await ipmi('chassis', 'bootdev', 'pxe')).toMatch(/pxe/);
    expect(dev.state().boot).toBe('pxe');
    // ipmitool's "disk" is ipmi_sim's "default" (no override)
    await ipmi('chassis', 'bootdev', 'disk');
    expect(dev.state().boot).toBe('default');
  });

  it('prints the FRU with the serial, vendor and product', async () => {
    const fru = await ipmi('fru', 'print', '0');
    expect(fru).toMatch(/Product Serial\s*:\s*LEG-000042/);
    expect(fru).toMatch(/Board Serial\s*:\s*LEG-000042/);
    expect(fru).toMatch(/Product Manufacturer\s*:\s*Contoso/);
    expect(fru).toMatch(/Product Name\s*:\s*Legacy 1U Server/);
  });

  it('lists the SEL entries', async () => {
    const sel = await ipmi('sel', 'list');
    const lines = sel.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(defaultSel().length);
    expect(sel).toMatch(/Power Unit/);
    expect(sel).toMatch(/Correctable ECC/);
  });

  it('keeps power and boot state across a BMC reboot, and reloads a fresh SEL', async () => {
    await ipmi('chassis', 'power', 'on');
    await ipmi('chassis', 'bootdev', 'pxe');
    await dev.stop();
    await dev.exited;
    dev = await startIpmiDevice({
      address: '127.0.0.1', port, user: 'admin', password: 's3cret-pw', serial: 'LEG-000042', stateDir: dir,
    });
    expect(await ipmi('chassis', 'power', 'status')).toMatch(/Chassis Power is on/);
    expect(dev.state()).toEqual({ power: 'on', boot: 'pxe' });
    expect((await ipmi('sel', 'list')).trim().split('\n')).toHaveLength(defaultSel().length);
  });
});
