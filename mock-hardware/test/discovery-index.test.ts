import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AdvertisedDevice, DiscoveryAdvertiser } from '../src/discovery-hooks.js';
import {
  createDiscovery, lldpdConfig, mdnsServiceType, parseLldpNeighbors, personaDescription, REDFISH_SSDP_URN,
} from '../src/discovery/index.js';

const dev: AdvertisedDevice = {
  id: 'bf3-0007', persona: 'bluefield3', serviceRootUrl: 'https://127.1.0.7:8443/redfish/v1',
  uuid: '6c2f9a10-0b7e-4d7a-9c55-000000000007', address: '127.1.0.7', port: 8443, serial: 'MT0007',
  hostname: 'bf3-0007-bmc.sim.test', mac: '02:00:00:00:00:07',
};

async function searchOnce(port: number): Promise<string[]> {
  const sock = createSocket('udp4');
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString()));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  sock.send(`M-SEARCH * HTTP/1.1\r\nHOST: 127.0.0.1:${port}\r\nMAN: "ssdp:discover"\r\nST: ${REDFISH_SSDP_URN}\r\n\r\n`, port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 150));
  sock.close();
  return got;
}

describe('combined discovery advertiser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'disc-index-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fans a device out to SSDP, the DNS zone and lldpd configs, and forwards reachability', async () => {
    const d = createDiscovery({
      ssdp: { port: 0, bindAddress: '127.0.0.1' },
      dns: { domain: 'sim.test', dir: join(dir, 'dns') },
      lldp: { dir: join(dir, 'lldp'), txInterval: 5 },
    });
    const advertiser: DiscoveryAdvertiser = d; // satisfies the fleet's contract
    try {
      await advertiser.start(dev);
      await d.dns?.flush();
      const port = d.ssdp!.address().port;
      expect((await searchOnce(port)).join()).toContain(`AL: ${dev.serviceRootUrl}`);
      expect(readFileSync(d.dns!.paths.zone, 'utf8')).toContain('bf3-0007-bmc.sim.test. IN A 127.1.0.7');
      const conf = d.lldp!.configs.get(dev.id)!;
      expect(readFileSync(conf, 'utf8')).toContain('configure system description "NVIDIA BlueField-3 BMC"');
      d.onReachability(dev.id, false);
      expect(await searchOnce(port)).toHaveLength(0);
      d.onReachability(dev.id, true);
      await advertiser.stopDevice?.(dev.id);
      expect(await searchOnce(port)).toHaveLength(0);
    } finally {
      await advertiser.stop();
    }
  });

  it('reports one kind failing for one device without stopping the others', async () => {
    const errors: string[] = [];
    // a file where the lldp config directory should be makes the lldp kind fail
    const blocker = join(dir, 'not-a-dir');
    await import('node:fs').then((fs) => fs.writeFileSync(blocker, 'x'));
    const d = createDiscovery({
      ssdp: { port: 0, bindAddress: '127.0.0.1' },
      lldp: { dir: join(blocker, 'lldp') },
      onError: (kind, id) => errors.push(`${kind}:${id}`),
    });
    try {
      await d.start(dev);
      expect(errors).toEqual(['lldp:bf3-0007']);
      expect(d.ssdp!.size).toBe(1);
    } finally {
      await d.stop();
    }
    const strict = createDiscovery({ lldp: { dir: join(blocker, 'lldp') } });
    await expect(strict.start(dev)).rejects.toThrow();
    expect(existsSync(join(blocker, 'lldp'))).toBe(false);
  });

  it('names service types and descriptions by persona', () => {
    expect(mdnsServiceType('openbmc-host')).toBe('obmc_redfish');
    expect(mdnsServiceType('bluefield3')).toBe('redfish');
    expect(personaDescription('bluefield3')).toBe('NVIDIA BlueField-3 BMC');
    expect(personaDescription('custom')).toBe('Redfish BMC (custom)');
    const conf = lldpdConfig({ ...dev, hostname: 'evil"name' }, { chassisIdOverride: true, txInterval: 1 });
    expect(conf).toContain('configure system hostname "evil name"');
    expect(conf).toContain('configure system chassisid "02:00:00:00:00:07"');
    expect(conf).toContain('configure system ip management pattern 127.1.0.7');
  });

  it('parses lldpcli json0 output', () => {
    // shape of `lldpcli -f json0 show neighbors details` from lldpd 1.0.16 (trimmed)
    const json0 = JSON.stringify({
      lldp: [{
        interface: [{
          name: 'vb1', via: 'LLDP',
          chassis: [{
            id: [{ type: 'mac', value: '02:5e:ed:00:00:01' }], name: [{ value: 'bf3-0001-bmc.sim.test' }],
            descr: [{ value: 'NVIDIA BlueField-3 BMC' }], 'mgmt-ip': [{ value: '10.77.1.1' }],
          }],
          port: [{ id: [{ type: 'mac', value: '02:5e:ed:00:00:01' }] }],
        }],
      }],
    });
    expect(parseLldpNeighbors(json0)).toEqual([{
      iface: 'vb1', chassisId: '02:5e:ed:00:00:01', chassisIdType: 'mac', sysName: 'bf3-0001-bmc.sim.test',
      sysDescr: 'NVIDIA BlueField-3 BMC', mgmtIps: ['10.77.1.1'], portId: '02:5e:ed:00:00:01',
    }]);
    expect(parseLldpNeighbors('{"lldp":[{}]}')).toEqual([]);
  });
});
