import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/discovery/ports.js';
import { startFleet, type Fleet } from '../src/index.js';
import { defaultEntities, entityTable, snmpdConf, type SnmpdConfig } from '../src/personas/snmp-agent/config.js';
import { startSnmpDevice, type SnmpDevice } from '../src/personas/snmp-agent/index.js';
import { getRequestV2c } from '../src/personas/snmp-agent/wire.js';

const run = promisify(execFile);

async function has(cmd: string): Promise<boolean> {
  try {
    // Debian puts snmpd in /usr/sbin, which is not on every user's PATH.
    await run('sh', ['-c', 'command -v "$1" || test -x "/usr/sbin/$1"', 'sh', cmd]);
    return true;
  } catch {
    return false;
  }
}

const tools = (await has('snmpd')) && (await has('snmpget')) && (await has('snmpwalk'));
if (!tools) console.warn('snmp-agent: skipping the snmpd tests: install Debian packages snmpd and snmp');

const ENTRY = '.1.3.6.1.2.1.47.1.1.1.1';
const facts = { serial: 'CSN2200T0001', vendor: 'Contoso', model: 'SmartNIC SN2200', firmware: '4.2.1', bmcFirmware: '2.8.1' };

describe('snmp-agent files', () => {
  const conf: SnmpdConfig = {
    address: '127.0.0.1', port: 1161, community: 'ro', v3User: 'shoal', authKey: 'authpass123', privKey: 'privpass123',
    authProtocol: 'SHA', privProtocol: 'AES', engineId: 'mock-X', sysName: 'n', sysDescr: 'Contoso SmartNIC firmware 1.0',
    sysObjectId: '1.3.6.1.4.1.32473.1', sysContact: 'c', sysLocation: 'l', persistScript: '/tmp/s/entity-persist.sh',
  };

  it('writes one endpoint, both security models and the ENTITY-MIB pass_persist hook', () => {
    const text = snmpdConf(conf);
    expect(text).toContain('agentAddress udp:127.0.0.1:1161\n');
    expect(text).toContain('rocommunity ro default -V device\n');
    expect(text).toContain('createUser shoal SHA "authpass123" AES "privpass123"\n');
    expect(text).toContain('sysObjectID .1.3.6.1.4.1.32473.1\n');
    expect(text).toContain('pass_persist .1.3.6.1.2.1.47 /bin/sh /tmp/s/entity-persist.sh\n');
  });

  it('refuses values that would break the config', () => {
    expect(() => snmpdConf({ ...conf, community: 'a b' })).toThrow(/whitespace/);
    expect(() => snmpdConf({ ...conf, authKey: 'short' })).toThrow(/8 characters/);
    expect(() => snmpdConf({ ...conf, sysDescr: 'two\nlines' })).toThrow(/one non-empty line/);
  });

  it('orders the table as SNMP does: by column, then by index as numbers', () => {
    const rows = defaultEntities(facts);
    const many = [...rows, { ...rows[4]!, index: 10, name: 'p9' }];
    const oids = entityTable(many).trim().split('\n').map((l) => l.split('\t')[0]!);
    expect(oids[0]).toBe(`${ENTRY}.2.1`);
    expect(oids.indexOf(`${ENTRY}.2.10`)).toBe(oids.indexOf(`${ENTRY}.2.8`) + 1);
    expect(oids.indexOf(`${ENTRY}.3.1`)).toBe(oids.indexOf(`${ENTRY}.2.10`) + 1);
    expect(entityTable([{ index: 1, descr: 'tab\there', containedIn: 0, class: 3, name: 'x' }])).toContain('\tstring\ttab here\n');
    expect(() => entityTable([rows[0]!, rows[0]!])).toThrow(/duplicate/);
  });

  it('encodes a v2c GET of sysDescr.0 as BER', () => {
    // SEQUENCE { version 1 (v2c), community "public", GetRequest { id 7, 0, 0, { { 1.3.6.1.2.1.1.1.0, NULL } } } }
    const hex = ['3026', '020101', '04067075626c6963', 'a019', '020107', '020100', '020100', '300e', '300c', '06082b06010201010100', '0500'];
    expect(getRequestV2c('public', 7).toString('hex')).toBe(hex.join(''));
  });
});

describe.skipIf(!tools)('snmp-agent with snmpd, snmpget and snmpwalk (needs Debian snmpd + snmp)', () => {
  let dir = '';
  let port = 0;
  let dev: SnmpDevice;
  // MIBS= and -On: numeric output, no MIB files needed. The CLI keeps its own state; keep it out of /var/lib/snmp.
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, MIBS: '', SNMP_PERSISTENT_DIR: join(dir, 'cli') });
  const v2c = (tool: string, community: string, ...args: string[]) =>
    run(tool, ['-v2c', '-c', community, '-On', '-t', '1', '-r', '0', `127.0.0.1:${port}`, ...args], { env: env(), timeout: 20_000 });
  const v3 = (tool: string, authKey: string, privKey: string, ...args: string[]) =>
    run(tool, ['-v3', '-l', 'authPriv', '-u', 'shoal', '-a', 'SHA', '-A', authKey, '-x', 'AES', '-X', privKey, '-On', '-t', '1', '-r', '0', `127.0.0.1:${port}`, ...args], { env: env(), timeout: 20_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snmp-agent-'));
    port = await freePort('127.0.0.1');
    dev = await startSnmpDevice({ address: '127.0.0.1', port, stateDir: join(dir, 'dev'), community: 'ro-test', v3User: 'shoal', authKey: 'authpass123', privKey: 'privpass123', ...facts });
  });
  afterAll(async () => {
    await dev?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers the system group over v2c', async () => {
    const { stdout } = await v2c('snmpget', 'ro-test', '.1.3.6.1.2.1.1.1.0', '.1.3.6.1.2.1.1.2.0', '.1.3.6.1.2.1.1.5.0', '.1.3.6.1.2.1.1.3.0');
    expect(stdout).toContain('.1.3.6.1.2.1.1.1.0 = STRING: "Contoso SmartNIC SN2200 firmware 4.2.1"');
    expect(stdout).toContain('.1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.32473.1.2200');
    expect(stdout).toContain('.1.3.6.1.2.1.1.5.0 = STRING: "snmp-csn2200t0001"');
    expect(stdout).toMatch(/\.1\.3\.6\.1\.2\.1\.1\.3\.0 = Timeticks: \(\d+\)/);
  });

  it('answers over v3 authPriv (SHA/AES) and reports a wrong auth key', async () => {
    const { stdout } = await v3('snmpget', 'authpass123', 'privpass123', '.1.3.6.1.2.1.1.1.0', `${ENTRY}.11.1`);
    expect(stdout).toContain('STRING: "Contoso SmartNIC SN2200 firmware 4.2.1"');
    expect(stdout).toContain(`${ENTRY}.11.1 = STRING: "CSN2200T0001"`);
    await expect(v3('snmpget', 'wrong-auth-key', 'privpass123', '.1.3.6.1.2.1.1.1.0')).rejects.toThrow(/Authentication failure/);
  });

  it('ignores a wrong community, as v2c agents do', async () => {
    await expect(v2c('snmpget', 'nope', '.1.3.6.1.2.1.1.1.0')).rejects.toThrow(/Timeout/);
  });

  it('walks ENTITY-MIB: every row with its class, containment, serial and firmware', async () => {
    const { stdout } = await v2c('snmpbulkwalk', 'ro-test', ENTRY);
    // The view ends with ENTITY-MIB, so the walk ends in endOfMibView, which the CLI prints as a last line.
    const lines = stdout.trim().split('\n').filter((l) => !/No more variables left/.test(l));
    expect(lines).toHaveLength(8 * 13);
    expect(lines).toContain(`${ENTRY}.5.1 = INTEGER: 3`); // the card is a chassis
    expect(lines).toContain(`${ENTRY}.5.2 = INTEGER: 9`); // the board is a module
    expect(lines).toContain(`${ENTRY}.5.3 = INTEGER: 12`);
    expect(lines).toContain(`${ENTRY}.5.5 = INTEGER: 10`);
    expect(lines).toContain(`${ENTRY}.5.8 = INTEGER: 8`);
    expect(lines).toContain(`${ENTRY}.4.2 = INTEGER: 1`);
    expect(lines).toContain(`${ENTRY}.4.8 = INTEGER: 3`); // CPU Temp sits in the CPU
    expect(lines).toContain(`${ENTRY}.3.1 = OID: .1.3.6.1.4.1.32473.3.1`);
    expect(lines).toContain(`${ENTRY}.9.1 = STRING: "4.2.1"`);
    expect(lines).toContain(`${ENTRY}.9.4 = STRING: "2.8.1"`);
    expect(lines).toContain(`${ENTRY}.12.1 = STRING: "Contoso"`);
    expect(lines).toContain(`${ENTRY}.13.1 = STRING: "SmartNIC SN2200"`);
    expect(lines).toContain(`${ENTRY}.10.1 = ""`); // empty revisions are empty strings, as RFC 6933 asks
    // snmpwalk (GETNEXT) and snmpbulkwalk (GETBULK) see the same table.
    const walked = await v3('snmpwalk', 'authpass123', 'privpass123', ENTRY);
    expect(walked.stdout.trim().split('\n').filter((l) => !/No more variables left/.test(l))).toEqual(lines);
  });

  it('serves changed ENTITY-MIB rows without a restart, and noSuchInstance for rows it lacks', async () => {
    dev.setEntities(dev.entities().map((r) => (r.index === 1 ? { ...r, firmwareRev: '4.3.0' } : r)));
    const { stdout } = await v2c('snmpget', 'ro-test', `${ENTRY}.9.1`, `${ENTRY}.9.99`);
    expect(stdout).toContain(`${ENTRY}.9.1 = STRING: "4.3.0"`);
    expect(stdout).toMatch(/9\.99 = No Such Instance/);
  });

  it('goes silent while hung and answers again after resume', async () => {
    dev.hang();
    await expect(v2c('snmpget', 'ro-test', '.1.3.6.1.2.1.1.5.0')).rejects.toThrow(/Timeout/);
    dev.resume();
    expect((await v2c('snmpget', 'ro-test', '.1.3.6.1.2.1.1.5.0')).stdout).toContain('snmp-csn2200t0001');
  });

  it('refuses a port another agent holds, instead of taking that agent\'s answers for its own', async () => {
    await expect(
      startSnmpDevice({ address: '127.0.0.1', port, stateDir: join(dir, 'dup'), community: 'ro-test', v3User: 'shoal', authKey: 'authpass123', privKey: 'privpass123', serial: 'DUP1', readyTimeoutMs: 3000 }),
    ).rejects.toThrow(/already in use/);
  });
});

describe.skipIf(!tools)('snmp-agent devices in a fleet (needs Debian snmpd + snmp)', () => {
  let fleet: Fleet;
  let dir = '';
  const get = (host: string, port: number, oid: string) =>
    run('snmpget', ['-v3', '-l', 'authPriv', '-u', 'admin', '-a', 'SHA', '-A', 'password', '-x', 'AES', '-X', 'password', '-On', '-t', '1', '-r', '0', `${host}:${port}`, oid], {
      env: { ...process.env, MIBS: '', SNMP_PERSISTENT_DIR: join(dir, 'cli') },
      timeout: 20_000,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snmp-fleet-'));
    const snmpPort = await freePort('127.44.0.1');
    fleet = await startFleet({ seed: 'snmp', timeScale: 0, baseAddress: '127.44.0.1', snmpPort, snmpStateDir: join(dir, 'state'), devices: [{ persona: 'snmp-agent', count: 2 }] });
  });
  afterAll(async () => {
    await fleet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs one snmpd per device on its own address, with the fleet serial in ENTITY-MIB', async () => {
    const d = fleet.device('snmp-0002');
    expect(d.url).toBe(`snmp://127.44.0.2:${d.port}`);
    const { stdout } = await get(d.address, d.port, `${ENTRY}.11.1`);
    expect(stdout).toContain(`STRING: "${d.serial}"`);
    expect((await get(d.address, d.port, '.1.3.6.1.2.1.1.5.0')).stdout).toContain(d.hostname);
  });

  it('hangs on bmc-hang and answers again once the fault is cleared', async () => {
    const d = fleet.device('snmp-0001');
    fleet.inject(d.id, { kind: 'bmc-hang' });
    await expect(get(d.address, d.port, '.1.3.6.1.2.1.1.3.0')).rejects.toThrow(/Timeout/);
    fleet.clearFaults(d.id);
    expect((await get(d.address, d.port, '.1.3.6.1.2.1.1.3.0')).stdout).toMatch(/Timeticks/);
    expect(() => fleet.inject(d.id, { kind: 'dpu-kernel-panic' })).toThrow(/does not apply/);
  });
});
