/**
 * The SSDP source against the simulator's real SsdpResponder on loopback: unicast M-SEARCH (how loopback
 * simulators are searched), NOTIFY to `watch` by unicast, a 10,000-device fleet in another process, and failures.
 * Needs nothing but Node; every address is in 127.161.0.0/16.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../mock-hardware/src/discovery/ports.js';
import { REDFISH_SSDP_URN, SsdpResponder } from '../../../mock-hardware/src/discovery/ssdp.js';
import { createSsdpSource } from '../../../src/discovery/sources/ssdp.js';
import { here, recorder, until } from './helpers.js';
import { fleetDevice } from './ssdp-fleet.js';

const BIND = '127.161.0.1';

describe('SSDP source: unicast search of the simulator on loopback', () => {
  let responder: SsdpResponder;
  let target = '';
  const devices = [
    fleetDevice(1, { uuid: '5E0A1000-AAAA-4BBB-8CCC-0000000000A1' }), // upper case in, lower case out
    fleetDevice(2, { redfishVersion: '1.0.0' }), // advertises the bare URN
    fleetDevice(3, { redfishVersion: '1.17.0' }),
    fleetDevice(4, { redfishVersion: '1.20.0', port: 443, serviceRootUrl: 'https://127.161.1.4/redfish/v1' }),
    fleetDevice(5),
  ];

  beforeAll(async () => {
    responder = new SsdpResponder({ port: 0, bindAddress: BIND });
    await responder.open();
    for (const d of devices) await responder.start(d);
    await responder.start(fleetDevice(6, { serviceRootUrl: '' })); // IPMI only: not advertised
    target = `${BIND}:${responder.address().port}`;
  });
  afterAll(async () => {
    await responder?.stop();
  });

  it('finds every device once, with its UUID and AL, although each search is sent twice', async () => {
    const { ctx, sightings, logs } = recorder();
    await createSsdpSource({ unicastTargets: [target], repeats: 2, repeatIntervalMs: 100, windowMs: 1000 }).scan(ctx);
    expect(sightings).toHaveLength(devices.length);
    for (const d of devices) {
      const s = sightings.find((x) => x.keys.uuid === d.uuid.toLowerCase());
      expect(s, d.id).toMatchObject({ source: 'ssdp', protocol: 'redfish', host: d.address, serviceRootUrl: d.serviceRootUrl });
      expect(s?.hints.ssdp?.al).toBe(d.serviceRootUrl);
      expect(s?.hints.ssdp?.usn?.toLowerCase()).toMatch(new RegExp(`^uuid:${d.uuid.toLowerCase()}::${REDFISH_SSDP_URN}(:\\d+)?$`));
    }
    expect(sightings.find((s) => s.host === '127.161.1.4')?.port).toBeUndefined(); // https default port
    expect(sightings.find((s) => s.host === devices[2]!.address)?.port).toBe(8443);
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('searches a minor version: only services at Redfish 1.17 or later answer', async () => {
    const { ctx, sightings } = recorder();
    await createSsdpSource({ unicastTargets: [target], searchTargets: [`${REDFISH_SSDP_URN}:17`], windowMs: 800 }).scan(ctx);
    // device 2 is at 1.0 and says so; the others default to the personas' 1.17 or are newer
    expect(sightings.map((s) => s.host).sort()).toEqual([devices[0], devices[2], devices[3], devices[4]].map((d) => d!.address).sort());
  });

  it('ends a scan quietly when aborted', async () => {
    const ac = new AbortController();
    const { ctx } = recorder(ac.signal);
    const scanning = createSsdpSource({ unicastTargets: [target], windowMs: 600_000 }).scan(ctx);
    ac.abort();
    await expect(scanning).resolves.toBeUndefined();
  });
});

describe('SSDP source: watch hears NOTIFY', () => {
  it('emits ssdp:alive (once per burst), logs byebye at debug, skips junk, and stops on abort', async () => {
    const port = await freePort(BIND);
    const ac = new AbortController();
    const { ctx, sightings, logs } = recorder(ac.signal);
    const watching = createSsdpSource({ listen: { port, address: BIND, multicast: false } }).watch!(ctx);
    await until('the NOTIFY listener', () => logs.some((l) => l.msg?.includes('listening for NOTIFY')), 5000);

    const junk = createSocket('udp4');
    await new Promise<void>((r) => junk.send('\u0000garbage\r\n', port, BIND, () => r()));
    junk.close();

    const notifier = new SsdpResponder({ port: 0, bindAddress: BIND, notifyTargets: [{ address: BIND, port }] });
    const dev = fleetDevice(40);
    try {
      await notifier.open();
      await notifier.start(dev);
      notifier.onReachability(dev.id, false);
      notifier.onReachability(dev.id, true); // a second alive right after the first: a duplicate to drop
      await until('the alive sighting', () => sightings.length > 0, 5000);
      await notifier.stopDevice(dev.id);
      await until('the byebye log', () => logs.some((l) => l.msg === 'ssdp: byebye'), 5000);
    } finally {
      await notifier.stop();
    }
    expect(sightings).toHaveLength(1);
    expect(sightings[0]).toMatchObject({ host: dev.address, port: 8443, serviceRootUrl: dev.serviceRootUrl, keys: { uuid: dev.uuid } });
    expect(logs.find((l) => l.msg === 'ssdp: byebye')?.obj.usn).toContain(dev.uuid);
    expect(logs.some((l) => l.level === 'debug' && l.msg?.includes('not SSDP'))).toBe(true);
    ac.abort();
    await expect(watching).resolves.toBeUndefined();
  });

  it('says what to fix when it cannot run, and rejects malformed options at once', async () => {
    const { ctx } = recorder();
    // 192.0.2.1 (TEST-NET-1) is an address this host does not have
    await expect(createSsdpSource({ listen: { port: 0, address: '192.0.2.1', multicast: false } }).watch!(ctx)).rejects.toThrow(/cannot bind.*EADDRNOTAVAIL/);
    await expect(createSsdpSource({ interfaces: ['192.0.2.1'] }).scan(ctx)).rejects.toThrow(/IPv4 address this host has/);
    expect(() => createSsdpSource({ unicastTargets: ['[::1]:1900'] })).toThrow(/unicast target/);
    expect(() => createSsdpSource({ interfaces: ['eth0'] })).toThrow(/must be an IPv4 address/);
  });
});

describe('SSDP source at fleet scale', () => {
  it('hears all of 10,000 devices answering one unicast search from another process', async () => {
    const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--import', loader, join(here, 'ssdp-fleet-responder.ts'), BIND, '10000'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      await until('the fleet responder', () => out.includes('\n'), 30_000, () => err);
      const { port } = JSON.parse(out.split('\n')[0]!) as { port: number };
      const { ctx, sightings } = recorder();
      // The responder paces about 13,000 replies/s; two searches 2 s apart, as UPnP recommends, then 2 s to drain.
      await createSsdpSource({ unicastTargets: [`${BIND}:${port}`], repeats: 2, repeatIntervalMs: 2000, windowMs: 4000 }).scan(ctx);
      expect(new Set(sightings.map((s) => s.keys.uuid)).size).toBe(10_000);
      expect(sightings).toHaveLength(10_000);
    } finally {
      child.stdin.end();
      await exited;
    }
  }, 60_000);
});
