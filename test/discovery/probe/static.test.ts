import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../../mock-hardware/src/index.js';
import { createStaticSource, parseTarget } from '../../../src/discovery/sources/static.js';
import { recorder } from './helpers.js';

// Loopback only, in 127.162.0.0/16: this file owns 127.162.4.0/24.

describe('parseTarget', () => {
  it('reads every target form, with default ports', () => {
    expect(parseTarget('https://10.0.0.5:8443/redfish/v1')).toEqual({ protocol: 'redfish', scheme: 'https', host: '10.0.0.5', port: 8443, text: 'https://10.0.0.5:8443/redfish/v1' });
    expect(parseTarget('https://10.0.0.5')).toMatchObject({ protocol: 'redfish', scheme: 'https', port: 443 });
    expect(parseTarget('https://10.0.0.5/')).toMatchObject({ port: 443 });
    expect(parseTarget('http://bmc1.example.com/redfish/v1/')).toMatchObject({ protocol: 'redfish', scheme: 'http', host: 'bmc1.example.com', port: 80 });
    expect(parseTarget('10.0.0.6')).toMatchObject({ protocol: 'redfish', scheme: 'https', host: '10.0.0.6', port: 443 });
    expect(parseTarget(' BMC2.Example.com:8443 ')).toMatchObject({ protocol: 'redfish', host: 'bmc2.example.com', port: 8443, text: 'BMC2.Example.com:8443' });
    expect(parseTarget('[FD00::5]:8443')).toMatchObject({ protocol: 'redfish', host: 'fd00::5', port: 8443 });
    expect(parseTarget('fd00::5')).toMatchObject({ host: 'fd00::5', port: 443 });
    expect(parseTarget('https://[fd00::5]/redfish/v1')).toMatchObject({ host: 'fd00::5', port: 443 });
    expect(parseTarget('ipmi://10.0.0.7')).toEqual({ protocol: 'ipmi', host: '10.0.0.7', port: 623, text: 'ipmi://10.0.0.7' });
    expect(parseTarget('IPMI://10.0.0.7:6230/')).toMatchObject({ protocol: 'ipmi', port: 6230 });
    expect(parseTarget('snmp://10.0.0.8')).toMatchObject({ protocol: 'snmp', host: '10.0.0.8', port: 161 });
    expect(parseTarget('snmp://[fd00::8]:1161')).toMatchObject({ protocol: 'snmp', host: 'fd00::8', port: 1161 });
  });

  it('says what is wrong with a bad target', () => {
    expect(() => parseTarget('')).toThrow(/empty/);
    expect(() => parseTarget('ftp://10.0.0.5')).toThrow(/"ftp:\/\/10.0.0.5": unsupported scheme ftp/);
    expect(() => parseTarget('https://root:secret@10.0.0.5')).toThrow(/credentials do not belong in a target/);
    expect(() => parseTarget('https://10.0.0.5/redfish/v1/Systems')).toThrow(/path must be empty or \/redfish\/v1/);
    expect(() => parseTarget('https://10.0.0.5/?x=1')).toThrow(/no query or fragment/);
    expect(() => parseTarget('ipmi://10.0.0.5/x')).toThrow(/ipmi:\/\/ targets have no path/);
    expect(() => parseTarget('10.0.0.5/redfish/v1')).toThrow(/a path needs a scheme/);
    expect(() => parseTarget('10.0.0.5:0')).toThrow(/port 0 is not 1 to 65535/);
    expect(() => parseTarget('10.0.0.5:99999')).toThrow(/port 99999/);
    expect(() => parseTarget('10.0.0.5:')).toThrow(/port \(nothing\)/);
    expect(() => parseTarget('10.0.0.256')).toThrow(/10\.0\.0\.256 is not an IPv4 address/);
    expect(() => parseTarget('fd00::5:443:x')).toThrow(/put an IPv6 address in brackets/);
    expect(() => parseTarget('[10.0.0.5]:443')).toThrow(/is not an IPv6 address/);
    expect(() => parseTarget('https://')).toThrow(/no host/);
    expect(() => parseTarget('bad_host!:443')).toThrow(/is not an IP address or a host name/);
  });

  it('makes createStaticSource fail on a bad target at once', () => {
    expect(() => createStaticSource({ targets: ['10.0.0.5', 'ftp://x'] })).toThrow(/unsupported scheme/);
    expect(createStaticSource({ targets: [] }).name).toBe('static');
  });
});

describe('static source against the simulator', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ seed: 'static-source', timeScale: 0, baseAddress: '127.162.4.1', devices: [{ persona: 'bluefield3' }, { persona: 'openbmc-host' }] });
  });
  afterAll(async () => fleet?.stop());

  it('emits answering targets as static sightings and warns about an unreachable one', async () => {
    const [bf, host] = fleet.devices as [(typeof fleet.devices)[0], (typeof fleet.devices)[0]];
    const rec = recorder();
    await createStaticSource({
      targets: [bf.url, `${host.address}:${host.port}`, '127.162.4.99:8443', `https://${bf.address}:${bf.port}`],
      timeoutMs: 5000,
    }).scan(rec.ctx);
    // bf.url and https://addr:port are one target, probed once.
    expect(rec.sightings.map((s) => ({ source: s.source, protocol: s.protocol, host: s.host, url: s.serviceRootUrl, uuid: s.keys.uuid })).sort((a, b) => a.host.localeCompare(b.host))).toEqual([
      { source: 'static', protocol: 'redfish', host: bf.address, url: bf.url, uuid: bf.uuid },
      { source: 'static', protocol: 'redfish', host: host.address, url: host.url, uuid: host.uuid },
    ]);
    const warns = rec.logs.filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]!.obj).toMatchObject({ target: '127.162.4.99:8443', protocol: 'redfish', reason: 'refused' });
    expect(rec.progress.at(-1)).toEqual([3, 3]);
  });

  it('warns with the reason when a named BMC hangs', async () => {
    const bf = fleet.devices[0]!;
    fleet.inject(bf.id, { kind: 'bmc-hang' });
    try {
      const rec = recorder();
      await createStaticSource({ targets: [bf.url], timeoutMs: 300 }).scan(rec.ctx);
      expect(rec.sightings).toEqual([]);
      expect(rec.logs.filter((l) => l.level === 'warn').map((l) => l.obj)).toMatchObject([{ target: bf.url, reason: 'timeout' }]);
    } finally {
      fleet.clearFaults(bf.id);
    }
  });
});
