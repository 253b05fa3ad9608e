import { execFileSync } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvertisedDevice } from '../src/discovery-hooks.js';
import { freePort } from '../src/discovery/ports.js';
import { DnsZoneAdvertiser, dnsmasqConfig, dnsZone, deviceRecord, hostsFile } from '../src/discovery/dns-zone.js';

const fleet: AdvertisedDevice[] = [
  {
    id: 'bf3-0001', persona: 'bluefield3', serviceRootUrl: 'https://127.1.0.1:8443/redfish/v1',
    uuid: '6c2f9a10-0b7e-4d7a-9c55-000000000001', address: '127.1.0.1', port: 8443, serial: 'MT0001',
    hostname: 'bf3-0001-bmc.sim.test',
  },
  {
    id: 'host-0001', persona: 'openbmc-host', serviceRootUrl: 'https://127.1.0.2:443/redfish/v1',
    uuid: '6c2f9a10-0b7e-4d7a-9c55-000000000002', address: '127.1.0.2', port: 443, serial: 'HOST0001',
    hostname: 'host-0001-bmc.elsewhere.example',
  },
  {
    id: 'ipmi-0001', persona: 'ipmi-legacy', serviceRootUrl: '', uuid: '6c2f9a10-0b7e-4d7a-9c55-000000000003',
    address: '127.1.0.3', port: 623, serial: 'LEG0001', hostname: 'ipmi-0001.sim.test',
  },
];

const hasDnsmasq = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v dnsmasq']);
    return true;
  } catch {
    return false;
  }
})();

describe('DNS zone and dnsmasq config', () => {
  it('writes A records for every device and SRV/PTR/TXT for Redfish ones', () => {
    const zone = dnsZone(fleet, { domain: 'sim.test', serial: 7 });
    expect(zone).toContain('$ORIGIN sim.test.');
    expect(zone).toMatch(/IN SOA ns1\.sim\.test\. hostmaster\.sim\.test\. \( 7 /);
    expect(zone).toContain('bf3-0001-bmc.sim.test. IN A 127.1.0.1');
    // a host name outside the zone is re-homed into it
    expect(zone).toContain('host-0001-bmc.sim.test. IN A 127.1.0.2');
    expect(zone).toContain('_redfish._tcp IN SRV 0 0 8443 bf3-0001-bmc.sim.test.');
    expect(zone).toContain('bf3-0001-bmc._redfish._tcp IN TXT "path=/redfish/v1"');
    expect(zone).toContain('ipmi-0001.sim.test. IN A 127.1.0.3');
    expect(zone).not.toMatch(/SRV 0 0 623/);
    expect(hostsFile(fleet, 'sim.test')).toContain('127.1.0.3\tipmi-0001.sim.test ipmi-0001');
    expect(deviceRecord(fleet[0]!, 'sim.test')).toEqual({
      host: 'bf3-0001-bmc.sim.test', instance: 'bf3-0001-bmc', address: '127.1.0.1', port: 8443, path: '/redfish/v1',
    });
    const conf = dnsmasqConfig(fleet, { domain: 'sim.test', port: 5353 });
    expect(conf).toContain('no-resolv');
    expect(conf).toContain('srv-host=_redfish._tcp.sim.test,bf3-0001-bmc.sim.test,8443,0,0');
    expect(conf).toContain('host-record=ipmi-0001.sim.test,127.1.0.3');
    expect(() => dnsZone(fleet, { domain: 'bad domain' })).toThrow(/invalid domain/);
  });
});

describe.skipIf(!hasDnsmasq)('dnsmasq serving the fleet (needs Debian dnsmasq)', () => {
  let dir = '';
  let adv: DnsZoneAdvertiser;
  let port = 0;
  const resolver = new Resolver({ timeout: 2000, tries: 2 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dns-zone-'));
    port = await freePort('127.0.0.1', { tcp: true });
    adv = new DnsZoneAdvertiser({ domain: 'sim.test', dir, serve: { port, listenAddress: '127.0.0.1' } });
    for (const d of fleet) await adv.start(d);
    await adv.flush();
    resolver.setServers([`127.0.0.1:${port}`]);
  });
  afterAll(async () => {
    await adv?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('resolves SRV _redfish._tcp to the Redfish devices and A records for all', async () => {
    const srv = await resolver.resolveSrv('_redfish._tcp.sim.test');
    expect(srv.map((r) => `${r.name}:${r.port}`).sort()).toEqual(['bf3-0001-bmc.sim.test:8443', 'host-0001-bmc.sim.test:443']);
    expect(await resolver.resolve4('bf3-0001-bmc.sim.test')).toEqual(['127.1.0.1']);
    expect(await resolver.resolve4('ipmi-0001.sim.test')).toEqual(['127.1.0.3']);
  });

  it('serves DNS-SD instances with TXT path and never forwards', async () => {
    expect(await resolver.resolvePtr('_redfish._tcp.sim.test')).toContain('bf3-0001-bmc._redfish._tcp.sim.test');
    expect(await resolver.resolveTxt('bf3-0001-bmc._redfish._tcp.sim.test')).toEqual([['path=/redfish/v1']]);
    await expect(resolver.resolve4('example.com')).rejects.toThrow();
    expect(readFileSync(adv.paths.zone, 'utf8')).toContain('_redfish._tcp IN SRV');
  });

  it('drops a removed device after the next flush', async () => {
    await adv.stopDevice('host-0001');
    await adv.flush();
    const srv = await resolver.resolveSrv('_redfish._tcp.sim.test');
    expect(srv.map((r) => r.name)).toEqual(['bf3-0001-bmc.sim.test']);
  });
});
