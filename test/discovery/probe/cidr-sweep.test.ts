import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../../mock-hardware/src/index.js';
import { createCidrSource } from '../../../src/discovery/sources/cidr.js';
import { recorder } from './helpers.js';

// Loopback only, in 127.162.0.0/16: this file owns 127.162.1.0/24 and 127.162.2.0/24.

describe('cidr sweep of a /27 against the simulator', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    // Devices on .3 to .8; the rest of the /27 is dead (connections refused).
    fleet = await startFleet({
      seed: 'cidr-sweep',
      timeScale: 0,
      baseAddress: '127.162.1.3',
      port: 8443,
      addressing: 'address',
      devices: [
        { persona: 'bluefield3', count: 4 },
        { persona: 'openbmc-host', count: 2 },
      ],
    });
  });
  afterAll(async () => fleet?.stop());

  it('finds exactly the devices, once each, with their service root UUIDs, and reports progress to the total', async () => {
    const rec = recorder();
    await createCidrSource({ ranges: ['127.162.1.0/27'], redfishPorts: [8443], concurrency: 8, timeoutMs: 5000 }).scan(rec.ctx);

    const expected = fleet.devices.map((d) => ({ host: d.address, port: d.port, uuid: d.uuid.toLowerCase(), url: d.url })).sort((a, b) => a.host.localeCompare(b.host));
    const got = rec.sightings.map((s) => ({ host: s.host, port: s.port, uuid: s.keys.uuid, url: s.serviceRootUrl })).sort((a, b) => a.host.localeCompare(b.host));
    expect(got).toEqual(expected);
    for (const s of rec.sightings) {
      expect(s).toMatchObject({ source: 'cidr', protocol: 'redfish' });
      expect(s.hints.serviceRoot?.UUID).toBe(fleet.devices.find((d) => d.address === s.host)!.uuid);
      expect(typeof s.at).toBe('number');
    }

    // 30 host addresses in a /27; progress counts up one by one to the total.
    expect(rec.progress[0]).toEqual([0, 30]);
    expect(rec.progress.at(-1)).toEqual([30, 30]);
    expect(rec.progress.map(([d]) => d)).toEqual([...Array(31).keys()]);

    // Dead addresses are skipped quietly: a debug line each, nothing louder.
    const misses = rec.logs.filter((l) => l.level === 'debug');
    expect(misses).toHaveLength(30 - fleet.devices.length);
    expect(new Set(misses.map((l) => l.obj.reason))).toEqual(new Set(['refused']));
    expect(rec.logs.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('leaves excluded addresses alone', async () => {
    const rec = recorder();
    const skip = fleet.devices[0]!.address;
    await createCidrSource({ ranges: ['127.162.1.0/27'], exclude: [skip, '127.162.1.16/28'], redfishPorts: [8443], timeoutMs: 5000 }).scan(rec.ctx);
    expect(rec.sightings.map((s) => s.host).sort()).toEqual(fleet.devices.slice(1).map((d) => d.address).sort());
    expect(rec.progress.at(-1)).toEqual([14, 14]); // .1-.15 minus one
  });
});

describe('cidr sweep with faulty devices', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ seed: 'cidr-faults', timeScale: 0, baseAddress: '127.162.2.1', devices: [{ persona: 'bluefield3', count: 5 }] });
  });
  afterAll(async () => fleet?.stop());

  it('reports a hung BMC as not found after the timeout without holding up the others, and skips broken JSON', async () => {
    const [hung, broken, ...healthy] = fleet.devices;
    fleet.inject(hung!.id, { kind: 'bmc-hang' });
    fleet.inject(broken!.id, { kind: 'malformed-json' });
    const rec = recorder();
    await createCidrSource({ ranges: ['127.162.2.0/29'], redfishPorts: [8443], concurrency: 4, timeoutMs: 1000 }).scan(rec.ctx);

    expect(rec.sightings.map((s) => s.host).sort()).toEqual(healthy.map((d) => d.address).sort());
    const reasonOf = (host: string) => rec.logs.find((l) => l.level === 'debug' && l.obj.host === host)?.obj.reason;
    expect(reasonOf(hung!.address)).toBe('timeout');
    expect(reasonOf(broken!.address)).toBe('not-redfish');
    // Every healthy device was reported before the hung one's probe gave up.
    const hungAt = rec.events.indexOf(`debug ${hung!.address} timeout`);
    for (const d of healthy) expect(rec.events.indexOf(`emit redfish ${d.address}`)).toBeLessThan(hungAt);
    expect(rec.progress.at(-1)).toEqual([6, 6]);
  });

  it('stops promptly when aborted while a probe hangs, emitting nothing more', async () => {
    const hung = fleet.devices[0]!;
    fleet.inject(hung.id, { kind: 'bmc-hang' });
    const rec = recorder();
    // A timeout far beyond the test's own: only the abort can end this scan in time.
    const scan = createCidrSource({ ranges: [`${hung.address}-${fleet.devices[4]!.address}`], redfishPorts: [8443], concurrency: 1, timeoutMs: 600_000 }).scan(rec.ctx);
    await new Promise((r) => setImmediate(r));
    rec.controller.abort();
    await scan;
    expect(rec.sightings).toEqual([]);
    expect(rec.logs.filter((l) => l.level === 'debug')).toEqual([]);
    expect(rec.logs.at(-1)?.msg).toBe('cidr sweep cancelled');
    fleet.clearFaults(hung.id);
  });
});
