/**
 * The unicast DNS source against Debian dnsmasq serving the simulator's zone (mock-hardware dns-zone.ts) on a
 * loopback port, plus a hand-written domain for what the simulator's zone does not have (a TXT on the SRV name,
 * IPv6). Needs the `dnsmasq` package; every address is in 127.161.0.0/16.
 */
import { createSocket, type Socket } from 'node:dgram';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvertisedDevice } from '../../../mock-hardware/src/discovery-hooks.js';
import { dnsmasqConfig, startDnsmasq, type DnsmasqProcess } from '../../../mock-hardware/src/discovery/dns-zone.js';
import { freePort } from '../../../mock-hardware/src/discovery/ports.js';
import { createDnsSource } from '../../../src/discovery/sources/dns.js';
import { missingCommands, recorder } from './helpers.js';

const NS_ADDR = '127.161.0.53';
const SILENT_ADDR = '127.161.0.54';
const missing = missingCommands(['dnsmasq']);

const device = (i: number, extra: Partial<AdvertisedDevice> = {}): AdvertisedDevice => ({
  id: `bmc-${i}`,
  persona: 'bluefield3',
  serviceRootUrl: `https://127.161.2.${i}:8443/redfish/v1`,
  uuid: `6c2f9a10-0b7e-4d7a-9c55-0000000002${String(i).padStart(2, '0')}`,
  address: `127.161.2.${i}`,
  port: 8443,
  serial: `SN${i}`,
  hostname: `bmc-${i}.sim.test`,
  ...extra,
});

const fleet: AdvertisedDevice[] = [
  device(1),
  device(2, { persona: 'openbmc-host', port: 443, serviceRootUrl: 'https://127.161.2.2/redfish/v1' }),
  device(3, { port: 9443, serviceRootUrl: 'https://127.161.2.3:9443/custom/redfish/v1' }),
  device(4, { persona: 'ipmi-legacy', serviceRootUrl: '', port: 623 }), // A record only: no Redfish service
];

/** What the simulator's zone lacks: a TXT `path=` on the SRV name itself, a dual-stack target, an address-less one. */
const PLAIN_DOMAIN = [
  'local=/plain.test/',
  'srv-host=_redfish._tcp.plain.test,dual.plain.test,8443,0,0',
  'srv-host=_redfish._tcp.plain.test,gone.plain.test,8443,0,0',
  'txt-record=_redfish._tcp.plain.test,"path=/rf/v1"',
  'host-record=dual.plain.test,127.161.3.1,fd00:161::1',
  '',
].join('\n');

describe.skipIf(missing.length > 0)(`DNS source against dnsmasq${missing.length ? ` (skipped: needs ${missing.join(', ')})` : ''}`, () => {
  let dir = '';
  let dnsmasq: DnsmasqProcess | undefined;
  let server = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-dns-'));
    const port = await freePort(NS_ADDR, { tcp: true });
    const configPath = join(dir, 'dnsmasq.conf');
    writeFileSync(configPath, dnsmasqConfig(fleet, { domain: 'sim.test', port, listenAddress: NS_ADDR, pidFile: join(dir, 'dnsmasq.pid') }));
    appendFileSync(configPath, PLAIN_DOMAIN);
    dnsmasq = await startDnsmasq({ configPath, port, listenAddress: NS_ADDR });
    server = `${NS_ADDR}:${port}`;
  });
  afterAll(async () => {
    await dnsmasq?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds each Redfish device of the simulator\'s zone with its port, host name and TXT path', async () => {
    const { ctx, sightings, logs, progress } = recorder();
    await createDnsSource({ domains: ['sim.test'], servers: [server] }).scan(ctx);
    const redfish = fleet.filter((d) => d.serviceRootUrl);
    expect(sightings).toHaveLength(redfish.length);
    for (const d of redfish) {
      expect(sightings.find((s) => s.host === d.address), d.id).toEqual({
        source: 'dns',
        at: expect.any(Number),
        protocol: 'redfish',
        host: d.address,
        port: d.port,
        hostName: d.hostname,
        serviceRootUrl: `https://${d.address}:${d.port}${new URL(d.serviceRootUrl).pathname}`,
        keys: {},
        hints: { dnsSdType: '_redfish._tcp' },
      });
    }
    expect(logs.filter((l) => l.level !== 'debug')).toEqual([]);
    expect(progress).toEqual([[0, 1], [1, 1]]);
  });

  it('honours a TXT path on the SRV name and emits one sighting per address, IPv6 included', async () => {
    const { ctx, sightings, logs } = recorder();
    await createDnsSource({ domains: ['plain.test.'], servers: [server] }).scan(ctx);
    expect(sightings.map((s) => s.serviceRootUrl).sort()).toEqual(['https://127.161.3.1:8443/rf/v1', 'https://[fd00:161::1]:8443/rf/v1']);
    expect(sightings.every((s) => s.hostName === 'dual.plain.test' && s.port === 8443)).toBe(true);
    // the target without an address is skipped, quietly
    expect(logs.some((l) => l.msg === 'dns: SRV target has no address' && l.obj.target === 'gone.plain.test')).toBe(true);
    expect(logs.filter((l) => l.level !== 'debug')).toEqual([]);

    const v4only = recorder();
    await createDnsSource({ domains: ['plain.test'], servers: [server], ipv6: false }).scan(v4only.ctx);
    expect(v4only.sightings.map((s) => s.host)).toEqual(['127.161.3.1']);
  });

  it('treats a domain without the service as empty, not as an error', async () => {
    const { ctx, sightings, logs } = recorder();
    await createDnsSource({ domains: ['nothing.sim.test'], servers: [server] }).scan(ctx);
    expect(sightings).toEqual([]);
    expect(logs.filter((l) => l.level !== 'debug')).toEqual([]);
    expect(logs.some((l) => l.obj.code === 'ENOTFOUND' || l.obj.code === 'ENODATA')).toBe(true);
  });
});

describe('DNS source when the server does not answer', () => {
  let silent: Socket;
  let server = '';
  beforeAll(async () => {
    // Binds a port and reads nothing back: queries to it time out.
    silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, SILENT_ADDR, () => r()));
    server = `${SILENT_ADDR}:${silent.address().port}`;
  });
  afterAll(() => silent?.close());

  it('logs the timeout once at warn and ends the scan', async () => {
    const { ctx, sightings, logs } = recorder();
    await createDnsSource({ domains: ['sim.test', 'other.test'], servers: [server], timeoutMs: 200, tries: 1 }).scan(ctx);
    expect(sightings).toEqual([]);
    const warns = logs.filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ msg: 'dns: the server did not answer in time', obj: { code: 'ETIMEOUT' } });
  });

  it('ends quietly when aborted mid-query', async () => {
    const ac = new AbortController();
    const { ctx, logs } = recorder(ac.signal);
    const scanning = createDnsSource({ domains: ['sim.test'], servers: [server], timeoutMs: 60_000, tries: 1 }).scan(ctx);
    setImmediate(() => ac.abort());
    await expect(scanning).resolves.toBeUndefined();
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('rejects a malformed server list at once', () => {
    expect(() => createDnsSource({ domains: ['x.test'], servers: ['not-an-address'] })).toThrow(/invalid server list/);
  });
});
