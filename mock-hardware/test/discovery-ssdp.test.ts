import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdvertisedDevice } from '../src/discovery-hooks.js';
import { parseSsdp, REDFISH_SSDP_URN, SsdpResponder, type SsdpDevice } from '../src/discovery/ssdp.js';

const run = promisify(execFile);
const USN_PATTERN = /^uuid:([a-f0-9-]+)::urn:dmtf-org:service:redfish-rest:1(:\d+)?$/;

function device(i: number, extra: Partial<SsdpDevice> = {}): SsdpDevice {
  const hex = i.toString(16).padStart(12, '0');
  const address = `127.${1 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
  return {
    id: `dev-${i}`,
    persona: 'bluefield3',
    serviceRootUrl: `https://${address}:8443/redfish/v1`,
    uuid: `0000aaaa-bbbb-4ccc-8ddd-${hex}`,
    address,
    port: 8443,
    serial: `SN${i}`,
    hostname: `dev-${i}.sim.test`,
    ...extra,
  };
}

/** A UDP client on loopback that collects whatever arrives. */
async function client(): Promise<{ sock: Socket; got: Array<Record<string, string> & { _start: string }> }> {
  const sock = createSocket('udp4');
  const got: Array<Record<string, string> & { _start: string }> = [];
  sock.on('message', (m) => {
    const text = m.toString();
    const [start = '', ...rest] = text.split('\r\n');
    const h: Record<string, string> & { _start: string } = { _start: start };
    for (const line of rest) {
      const i = line.indexOf(':');
      if (i > 0) h[line.slice(0, i).toUpperCase()] = line.slice(i + 1).trim();
    }
    got.push(h);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  sock.setRecvBufferSize(16 * 1024 * 1024);
  return { sock, got };
}

function msearch(sock: Socket, port: number, st: string, host = `127.0.0.1:${port}`): void {
  const text = ['M-SEARCH * HTTP/1.1', `HOST: ${host}`, 'MAN: "ssdp:discover"', 'MX: 1', `ST: ${st}`, '', ''].join('\r\n');
  sock.send(text, port, '127.0.0.1');
}

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('SSDP responder on loopback (unicast M-SEARCH)', () => {
  let responder: SsdpResponder;
  let notifySink: Awaited<ReturnType<typeof client>>;
  let port = 0;
  const clients: Socket[] = [];

  beforeAll(async () => {
    notifySink = await client();
    responder = new SsdpResponder({
      port: 0,
      bindAddress: '127.0.0.1',
      redfishVersion: '1.0.0', // devices without their own version advertise the bare URN
      notifyTargets: [{ address: '127.0.0.1', port: notifySink.sock.address().port }],
    });
    await responder.open();
    port = responder.address().port;
    await responder.start(device(1));
    await responder.start(device(2, { redfishVersion: '1.17.0' }));
    await responder.start(device(3, { serviceRootUrl: '' })); // IPMI-only: nothing to advertise
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await responder.stop();
    notifySink.sock.close();
  });

  const search = async (st: string, wait = 150): Promise<Array<Record<string, string>>> => {
    const c = await client();
    clients.push(c.sock);
    msearch(c.sock, port, st);
    await settle(wait);
    return c.got;
  };

  it('answers the Redfish ST with DSP0266 headers', async () => {
    const got = await search(REDFISH_SSDP_URN);
    expect(got).toHaveLength(2);
    const one = got.find((h) => h.USN?.includes(device(1).uuid));
    expect(one).toMatchObject({
      _start: 'HTTP/1.1 200 OK',
      ST: REDFISH_SSDP_URN,
      USN: `uuid:${device(1).uuid}::${REDFISH_SSDP_URN}`,
      AL: device(1).serviceRootUrl,
      'CACHE-CONTROL': 'max-age=1800',
      EXT: '',
    });
    for (const h of got) expect(h.USN).toMatch(USN_PATTERN);
    // A service at Redfish 1.17 names its minor version, as the DMTF Protocol Validator requires.
    const two = got.find((h) => h.USN?.includes(device(2).uuid));
    expect(two?.ST).toBe(`${REDFISH_SSDP_URN}:17`);
  });

  it('answers ssdp:all and uuid:<uuid>, filters by minor version, ignores other targets', async () => {
    expect(await search('ssdp:all')).toHaveLength(2);
    const byUuid = await search(`uuid:${device(2).uuid.toUpperCase()}`);
    expect(byUuid.map((h) => h.AL)).toEqual([device(2).serviceRootUrl]);
    expect((await search(`${REDFISH_SSDP_URN}:5`)).map((h) => h.AL)).toEqual([device(2).serviceRootUrl]);
    expect(await search('urn:schemas-upnp-org:device:MediaServer:1')).toHaveLength(0);
    expect(await search('upnp:rootdevice')).toHaveLength(0);
  });

  it('goes silent while a BMC is down and says alive when it is back', async () => {
    notifySink.got.length = 0;
    responder.onReachability('dev-1', false);
    expect((await search(REDFISH_SSDP_URN)).map((h) => h.AL)).toEqual([device(2).serviceRootUrl]);
    responder.onReachability('dev-1', true);
    await settle(100);
    expect(notifySink.got.some((h) => h.NTS === 'ssdp:alive' && h.USN?.includes(device(1).uuid))).toBe(true);
    expect(await search(REDFISH_SSDP_URN)).toHaveLength(2);
  });

  it('sends byebye when SSDP is disabled on a device or the device is removed', async () => {
    notifySink.got.length = 0;
    responder.setProtocolEnabled('dev-2', false);
    await settle(100);
    expect(await search(REDFISH_SSDP_URN)).toHaveLength(1);
    expect(notifySink.got.find((h) => h.NTS === 'ssdp:byebye')).toMatchObject({
      _start: 'NOTIFY * HTTP/1.1',
      NT: `${REDFISH_SSDP_URN}:17`,
      USN: `uuid:${device(2).uuid}::${REDFISH_SSDP_URN}:17`,
    });
    responder.setProtocolEnabled('dev-2', true);
    await responder.stopDevice('dev-1');
    expect((await search(REDFISH_SSDP_URN)).map((h) => h.AL)).toEqual([device(2).serviceRootUrl]);
  });

  it('advertises the simulator personas\' Redfish 1.17 by default', async () => {
    const r = new SsdpResponder({ port: 0, bindAddress: '127.0.0.1' });
    try {
      await r.open();
      await r.start(device(4));
      const c = await client();
      clients.push(c.sock);
      msearch(c.sock, r.address().port, 'ssdp:all');
      await settle(150);
      expect(c.got[0]).toMatchObject({ ST: `${REDFISH_SSDP_URN}:17`, USN: `uuid:${device(4).uuid}::${REDFISH_SSDP_URN}:17` });
    } finally {
      await r.stop();
    }
  });

  it('parses M-SEARCH and ignores responses and junk', () => {
    expect(parseSsdp('M-SEARCH * HTTP/1.1\r\nst: ssdp:all\r\n\r\n')).toEqual({ method: 'M-SEARCH', headers: { ST: 'ssdp:all' } });
    expect(parseSsdp('HTTP/1.1 200 OK\r\n\r\n')).toBeUndefined();
    expect(parseSsdp('garbage')).toBeUndefined();
  });
});

/**
 * The searcher runs in its own process, as a real one would: in this process libuv would read at most 32
 * datagrams per loop turn while the responder sends, which measures the test rather than the responder.
 */
const COUNTING_SEARCHER = `
import { createSocket } from 'node:dgram';
const [port, st, expected] = process.argv.slice(1);
const seen = new Set();
const sock = createSocket('udp4');
sock.on('message', (m) => {
  const usn = /\\r\\nUSN: ([^\\r]+)/.exec(m.toString());
  if (usn) seen.add(usn[1]);
  if (seen.size >= Number(expected)) done();
});
const done = () => { process.stdout.write(String(seen.size)); process.exit(0); };
// Searchers repeat M-SEARCH because UDP may drop replies; UPnP recommends it. Union what comes back.
const search = () => sock.send('M-SEARCH * HTTP/1.1\\r\\nHOST: 127.0.0.1:' + port + '\\r\\nMAN: "ssdp:discover"\\r\\nMX: 1\\r\\nST: ' + st + '\\r\\n\\r\\n', Number(port), '127.0.0.1');
sock.bind(0, '127.0.0.1', () => {
  search();
  setTimeout(search, 2000);
  setTimeout(done, 8000);
});
`;

describe('SSDP responder at fleet scale', () => {
  it('answers for 10,000 devices from one socket', async () => {
    const responder = new SsdpResponder({ port: 0, bindAddress: '127.0.0.1' });
    try {
      await responder.open();
      const devices: AdvertisedDevice[] = Array.from({ length: 10_000 }, (_, i) => device(i + 10));
      for (const d of devices) await responder.start(d);
      expect(responder.size).toBe(10_000);
      const { stdout } = await run(
        process.execPath,
        ['--input-type=module', '-e', COUNTING_SEARCHER, String(responder.address().port), REDFISH_SSDP_URN, '10000'],
        { timeout: 20_000 },
      );
      expect(Number(stdout)).toBe(10_000);
    } finally {
      await responder.stop();
    }
  });
});
