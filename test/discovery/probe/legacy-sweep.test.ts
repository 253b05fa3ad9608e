import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../mock-hardware/src/discovery/ports.js';
import { startFleet, type Fleet, type FleetDevice } from '../../../mock-hardware/src/index.js';
import { guidFor } from '../../../mock-hardware/src/personas/ipmi-legacy/config.js';
import { rmcpPing, snmpProbe } from '../../../src/discovery/probe.js';
import { createCidrSource } from '../../../src/discovery/sources/cidr.js';
import { createStaticSource } from '../../../src/discovery/sources/static.js';
import { hasTool, recorder } from './helpers.js';

// Loopback only, in 127.162.0.0/16: this file owns 127.162.3.0/24.
const tools = (await hasTool('ipmi_sim')) && (await hasTool('ipmitool')) && (await hasTool('snmpd'));
if (!tools) console.warn('discovery legacy probes: skipping the IPMI/SNMP tests: install the Debian packages openipmi, ipmitool and snmpd');

/** The UUID the probe should read from ipmi_sim: the persona's GUID bytes, reversed as IPMI orders them. */
function expectedGuid(d: FleetDevice): string {
  const h = Buffer.from(guidFor(`ipmi-${d.serial}`), 'hex').reverse().toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

describe.skipIf(!tools)('IPMI and SNMP discovery against ipmi_sim and snmpd (needs Debian openipmi, ipmitool, snmpd)', () => {
  let fleet: Fleet;
  let dir = '';
  let ipmiPort = 0;
  let snmpPort = 0;
  let ipmi: FleetDevice;
  let snmp: FleetDevice;
  let bf: FleetDevice;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'discovery-legacy-'));
    ipmiPort = await freePort('127.162.3.1');
    snmpPort = await freePort('127.162.3.2');
    fleet = await startFleet({
      seed: 'discovery-legacy',
      timeScale: 0,
      baseAddress: '127.162.3.1',
      ipmiPort,
      snmpPort,
      ipmiStateDir: join(dir, 'ipmi'),
      snmpStateDir: join(dir, 'snmp'),
      devices: [{ persona: 'ipmi-legacy' }, { persona: 'snmp-agent' }, { persona: 'bluefield3' }],
    });
    [ipmi, snmp, bf] = [fleet.device('ipmi-0001'), fleet.device('snmp-0001'), fleet.device('bf3-0001')];
  });
  afterAll(async () => {
    await fleet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('rmcpPing gets an ASF presence pong from ipmi_sim, and its system GUID without a session', async () => {
    const r = await rmcpPing(ipmi.address, ipmi.port, { timeoutMs: 2000 });
    expect(r).toEqual({ ok: true, kind: 'asf-pong', ipmi: true, guid: expectedGuid(ipmi) });
    expect(await rmcpPing(ipmi.address, ipmi.port, { timeoutMs: 2000, readGuid: false })).toEqual({ ok: true, kind: 'asf-pong', ipmi: true });
    // Nothing listens on the next address: ICMP port unreachable comes back as refused.
    expect(await rmcpPing('127.162.3.250', ipmiPort, { timeoutMs: 2000 })).toMatchObject({ ok: false, reason: 'refused' });
  });

  it('snmpProbe reads the system group over v2c and v3, and tells a wrong v3 key from silence', async () => {
    const v2 = await snmpProbe(snmp.address, snmp.port, { timeoutMs: 2000, community: 'public' });
    expect(v2).toMatchObject({ ok: true, version: 'v2c', sysName: snmp.hostname, sysObjectId: expect.stringMatching(/^1\.3\.6\.1\.4\.1\./) });
    expect(v2.ok && v2.sysDescr).toMatch(/SmartNIC/);
    const v3 = await snmpProbe(snmp.address, snmp.port, { timeoutMs: 2000, v3: { user: 'admin', authKey: 'password', privKey: 'password' } });
    expect(v3).toMatchObject({ ok: true, version: 'v3', sysName: snmp.hostname });
    expect(await snmpProbe(snmp.address, snmp.port, { timeoutMs: 2000, v3: { user: 'admin', authKey: 'wrong-password', privKey: 'password' } })).toMatchObject({ ok: false, reason: 'auth' });
    expect(await snmpProbe(snmp.address, snmp.port, { timeoutMs: 300, community: 'not-this-one' })).toMatchObject({ ok: false, reason: 'timeout' });
    expect(() => snmpProbe(snmp.address, snmp.port, { timeoutMs: 300, community: 'x', v3: { user: 'u' } })).toThrow(/not both/);
  });

  it('a CIDR sweep with IPMI and SNMP on finds each device by its own protocol, once', async () => {
    const rec = recorder();
    await createCidrSource({
      ranges: ['127.162.3.0/29'],
      redfishPorts: [8443],
      ipmi: [ipmiPort],
      snmp: { communities: ['public'], ports: [snmpPort] },
      concurrency: 16,
      timeoutMs: 1500,
    }).scan(rec.ctx);
    const seen = rec.sightings.map((s) => `${s.protocol} ${s.host}:${s.port}`).sort();
    expect(seen).toEqual([`ipmi ${ipmi.address}:${ipmiPort}`, `redfish ${bf.address}:8443`, `snmp ${snmp.address}:${snmpPort}`]);
    const byProto = Object.fromEntries(rec.sightings.map((s) => [s.protocol, s]));
    expect(byProto.ipmi).toMatchObject({ source: 'cidr', keys: { uuid: expectedGuid(ipmi) }, hints: { ipmi: { rmcp: true } } });
    expect(byProto.snmp).toMatchObject({ source: 'cidr', hostName: snmp.hostname, keys: {}, hints: { snmp: { sysName: snmp.hostname } } });
    expect(byProto.snmp!.hints.snmp!.sysDescr).toMatch(/SmartNIC/);
    expect(byProto.redfish).toMatchObject({ keys: { uuid: bf.uuid } });
    expect(rec.progress.at(-1)).toEqual([6, 6]);
  });

  it('the static source finds ipmi:// and snmp:// targets (v3 after a wrong community)', async () => {
    const rec = recorder();
    await createStaticSource({
      targets: [`ipmi://${ipmi.address}:${ipmiPort}`, `snmp://${snmp.address}:${snmpPort}`, `https://${bf.address}:8443/redfish/v1`],
      snmp: { communities: ['wrong'], users: [{ user: 'admin', authKey: 'password', privKey: 'password' }] },
      timeoutMs: 1000,
    }).scan(rec.ctx);
    expect(rec.sightings.map((s) => `${s.source} ${s.protocol} ${s.host}`).sort()).toEqual([`static ipmi ${ipmi.address}`, `static redfish ${bf.address}`, `static snmp ${snmp.address}`]);
    expect(rec.sightings.find((s) => s.protocol === 'ipmi')?.keys.uuid).toBe(expectedGuid(ipmi));
    expect(rec.logs.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('a hung SNMP agent is a warned-about static target, not a sighting', async () => {
    fleet.inject(snmp.id, { kind: 'bmc-hang' });
    try {
      const rec = recorder();
      await createStaticSource({ targets: [`snmp://${snmp.address}:${snmpPort}`], timeoutMs: 500 }).scan(rec.ctx);
      expect(rec.sightings).toEqual([]);
      expect(rec.logs.filter((l) => l.level === 'warn')).toMatchObject([{ obj: { target: `snmp://${snmp.address}:${snmpPort}`, reason: 'timeout' } }]);
    } finally {
      fleet.clearFaults(snmp.id);
    }
  });
});
