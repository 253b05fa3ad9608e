/**
 * The SSDP and mDNS sources on a real (virtual) link: two network namespaces on a veth pair. Namespace A holds the
 * simulator's advertisers (through its discovery agent) and a Debian avahi-daemon; the sources run in namespace B
 * (run-source.ts under `ip netns exec`) and print what they find.
 * Needs root and iproute2; the avahi case also needs avahi-daemon and unshare (util-linux). CI has all of them.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvertisedDevice } from '../../../mock-hardware/src/discovery-hooks.js';
import { startDiscoveryAgent, type DiscoveryAgent } from '../../../mock-hardware/src/discovery/agent-process.js';
import { createNetnsPair, type NetnsPair } from '../../../mock-hardware/src/discovery/netns.js';
import type { Sighting } from '../../../src/model/discovery.js';
import { missingCommands, netnsSkipReason, runSource, startAvahi, type AvahiDaemon, type RunLine } from './helpers.js';

const skip = netnsSkipReason();
const avahiMissing = [...missingCommands(['avahi-daemon', 'unshare']), ...(existsSync('/etc/avahi/services') ? [] : ['/etc/avahi/services'])];
const AVAHI_UUID = '4b1d2c3e-5f60-4718-8a9b-0c1d2e3f4a5b';

const hasSighting = (pred: (s: Sighting) => boolean) => (lines: RunLine[]) => lines.some((l) => l.type === 'sighting' && pred(l.sighting));
const hasLog = (pred: (msg: string, obj: Record<string, unknown>) => boolean) => (lines: RunLine[]) =>
  lines.some((l) => l.type === 'log' && pred(l.msg ?? '', l.obj));

describe.skipIf(skip)(`discovery sources in network namespaces${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: NetnsPair;
  let agent: DiscoveryAgent | undefined;
  const devices: AdvertisedDevice[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    pair = await createNetnsPair({ tag: `src${process.pid}` });
    const second = pair.a.ip.replace(/\.1$/, '.11');
    await pair.addAddress(pair.a, second);
    devices.push(
      {
        id: 'bf3-0001', persona: 'bluefield3', serviceRootUrl: `https://${pair.a.ip}:8443/redfish/v1`,
        uuid: '6c2f9a10-0b7e-4d7a-9c55-0000000000b1', address: pair.a.ip, port: 8443, serial: 'MT0001',
        hostname: 'bf3-0001-bmc.sim.test', netns: pair.a.ns,
      },
      {
        id: 'host-0001', persona: 'openbmc-host', serviceRootUrl: `https://${second}:443/redfish/v1`,
        uuid: '6c2f9a10-0b7e-4d7a-9c55-0000000000b2', address: second, port: 443, serial: 'HOST0001',
        hostname: 'host-0001-bmc.sim.test', netns: pair.a.ns,
      },
    );
    agent = await startDiscoveryAgent({
      netns: pair.a.ns,
      config: { ssdp: { multicastInterface: pair.a.ip }, mdns: { interface: pair.a.ip } },
      devices,
    });
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await agent?.stop();
    await pair?.destroy();
  });

  it('ssdp: a multicast scan from B finds every simulated device with its UUID and AL', async () => {
    const run = runSource({ source: 'ssdp', mode: 'scan', options: { interfaces: [pair.b.ip], mx: 1, repeats: 2, repeatIntervalMs: 1000, windowMs: 3000 } }, pair.b.ns);
    await run.waitFor('the scan to end', (lines) => lines.some((l) => l.type === 'done'), 30_000);
    const found = run.sightings();
    expect(found).toHaveLength(devices.length);
    for (const d of devices) {
      expect(found.find((s) => s.keys.uuid === d.uuid), d.id).toMatchObject({
        source: 'ssdp', host: d.address, serviceRootUrl: d.serviceRootUrl, hints: { ssdp: { al: d.serviceRootUrl } },
      });
    }
  });

  it('ssdp: watch in B emits a NOTIFY ssdp:alive from A and logs the byebye', async () => {
    const run = runSource({ source: 'ssdp', mode: 'watch', options: { listen: { interfaces: [pair.b.ip] } } }, pair.b.ns);
    cleanups.push(async () => void (await run.stop()));
    await run.waitFor('the NOTIFY listener', hasLog((m) => m.includes('listening for NOTIFY')), 20_000);
    const extra: AdvertisedDevice = { ...devices[0]!, id: 'bf3-0002', uuid: '6c2f9a10-0b7e-4d7a-9c55-0000000000b3' };
    // A second responder on 1900 in A (SO_REUSEADDR), so that stopping it leaves the first agent alone.
    const second = await startDiscoveryAgent({ netns: pair.a.ns, config: { ssdp: { multicastInterface: pair.a.ip } }, devices: [extra] });
    try {
      await run.waitFor('the alive sighting', hasSighting((s) => s.keys.uuid === extra.uuid), 20_000);
    } finally {
      await second.stop();
    }
    await run.waitFor('the byebye log', hasLog((m, o) => m === 'ssdp: byebye' && String(o.usn).includes(extra.uuid)), 20_000);
    expect(run.sightings().find((s) => s.keys.uuid === extra.uuid)).toMatchObject({ host: extra.address, port: 8443, serviceRootUrl: extra.serviceRootUrl });
    expect(await run.stop()).toBe(0);
    expect(run.lines.some((l) => l.type === 'done')).toBe(true);
  });

  /** Scans from B until every UUID in `want` is heard or the deadline passes (multicast answers can be lost). */
  async function mdnsScanUntil(want: string[]): Promise<Map<string, Sighting>> {
    const found = new Map<string, Sighting>();
    const deadline = Date.now() + 40_000;
    while (!want.every((u) => found.has(u)) && Date.now() < deadline) {
      const run = runSource({ source: 'mdns', mode: 'scan', options: { interfaces: [pair.b.ip], windowMs: 3000 } }, pair.b.ns);
      await run.waitFor('the scan to end', (lines) => lines.some((l) => l.type === 'done'), 30_000);
      for (const s of run.sightings()) found.set(s.keys.uuid ?? `${s.host}:${s.port}`, s);
    }
    return found;
  }

  it('mdns: a scan from B finds the simulator\'s _redfish._tcp and _obmc_redfish._tcp services', async () => {
    const [bf3, host] = devices;
    const found = await mdnsScanUntil([bf3!.uuid, host!.uuid]);
    expect(found.get(bf3!.uuid)).toEqual({
      source: 'mdns', at: expect.any(Number), protocol: 'redfish', host: bf3!.address, port: 8443, serviceRootUrl: bf3!.serviceRootUrl,
      hostName: 'bf3-0001-bmc.local', keys: { uuid: bf3!.uuid }, hints: { dnsSdType: '_redfish._tcp' },
    });
    expect(found.get(host!.uuid)).toMatchObject({
      host: host!.address, port: 443, serviceRootUrl: host!.serviceRootUrl, hostName: 'host-0001-bmc.local', hints: { dnsSdType: '_obmc_redfish._tcp' },
    });
  });

  it('mdns: watch in B hears a service announced after it started, its goodbye and its return', async () => {
    const run = runSource({ source: 'mdns', mode: 'watch', options: { interfaces: [pair.b.ip] } }, pair.b.ns);
    cleanups.push(async () => void (await run.stop()));
    await run.waitFor('the browser', hasLog((m) => m === 'mdns: browsing'), 20_000);
    const late: AdvertisedDevice = {
      ...devices[0]!, id: 'bf3-0003', uuid: '6c2f9a10-0b7e-4d7a-9c55-0000000000b4', hostname: 'bf3-0003-bmc.sim.test', port: 9443,
      serviceRootUrl: `https://${pair.a.ip}:9443/redfish/v1`,
    };
    const announce = () => startDiscoveryAgent({ netns: pair.a.ns, config: { mdns: { interface: pair.a.ip } }, devices: [late] });
    const first = await announce();
    cleanups.push(() => first.stop());
    await run.waitFor('the late service', hasSighting((s) => s.keys.uuid === late.uuid), 30_000);
    expect(run.sightings().find((s) => s.keys.uuid === late.uuid)).toMatchObject({ host: late.address, port: 9443, hostName: 'bf3-0003-bmc.local' });
    // Goodbye (TTL 0) when its advertiser stops, then a return is a new sighting, as after a BMC reboot.
    await first.stop();
    await run.waitFor('the goodbye', hasLog((m, o) => m === 'mdns: service said goodbye' && String(o.fqdn).startsWith('bf3-0003-bmc.')), 20_000);
    const again = await announce();
    cleanups.push(() => again.stop());
    const count = () => run.sightings().filter((s) => s.keys.uuid === late.uuid).length;
    await run.waitFor('the service to be sighted again', () => count() === 2, 30_000);
    expect(await run.stop()).toBe(0);
  });

  it('mdns: says what to fix when the interface address is not on the host', async () => {
    const run = runSource({ source: 'mdns', mode: 'scan', options: { interfaces: ['192.0.2.1'], windowMs: 1000 } }, pair.b.ns);
    expect(await run.exited).toBe(1);
    expect(run.lines.find((l) => l.type === 'error')).toMatchObject({ message: expect.stringMatching(/cannot join 224\.0\.0\.251 on 192\.0\.2\.1/) });
  });

  describe.skipIf(avahiMissing.length > 0)(`with avahi-daemon in A${avahiMissing.length ? ` (skipped: needs ${avahiMissing.join(', ')})` : ''}`, () => {
    let avahi: AvahiDaemon | undefined;
    let dir = '';

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'shoal-avahi-'));
      avahi = await startAvahi({
        netns: pair.a.ns,
        iface: pair.a.iface,
        dir,
        hostName: `shoal-avahi-${process.pid}`,
        services: [{ name: 'Avahi BMC', type: '_redfish._tcp', port: 8444, txt: ['path=/redfish/v1', `uuid=${AVAHI_UUID.toUpperCase()}`] }],
      });
    });
    afterAll(async () => {
      await avahi?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('mdns: scanning from B finds both avahi-daemon\'s static service and the simulator\'s', async () => {
      const [bf3, host] = devices;
      const found = await mdnsScanUntil([bf3!.uuid, host!.uuid, AVAHI_UUID]);
      expect(found.get(bf3!.uuid)).toMatchObject({ host: bf3!.address, port: 8443, hints: { dnsSdType: '_redfish._tcp' } });
      expect(found.get(host!.uuid)).toMatchObject({ host: host!.address, port: 443, hints: { dnsSdType: '_obmc_redfish._tcp' } });
      // avahi publishes an A record for every address of the interface, and A has two: either is right.
      const viaAvahi = found.get(AVAHI_UUID);
      expect([pair.a.ip, host!.address]).toContain(viaAvahi?.host);
      expect(viaAvahi).toMatchObject({
        source: 'mdns', port: 8444, serviceRootUrl: `https://${viaAvahi?.host}:8444/redfish/v1`, hostName: `shoal-avahi-${process.pid}.local`,
        hints: { dnsSdType: '_redfish._tcp' },
      });
    });
  });
});
