/**
 * Pure parsers of the discovery sources, on packets captured from real peers: the simulator's SSDP responder,
 * node-ssdp's server (a third-party responder) and Debian avahi-daemon as seen through bonjour-service.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { txtAttributes } from '../../../src/discovery/sources/dns.js';
import { sightingFromMdns, type MdnsServiceRecord } from '../../../src/discovery/sources/mdns.js';
import { parseSsdpMessage, sightingFromSsdp } from '../../../src/discovery/sources/ssdp.js';
import { repoRoot } from './helpers.js';

const fixture = (...p: string[]): string => readFileSync(join(repoRoot, 'test', 'fixtures', ...p), 'utf8');
const ST17 = 'urn:dmtf-org:service:redfish-rest:1:17';
const SIM_UUID = '6c2f9a10-0b7e-4d7a-9c55-000000000001';

describe('parseSsdpMessage', () => {
  it('reads the simulator\'s M-SEARCH reply', () => {
    const m = parseSsdpMessage(fixture('ssdp', 'sim-msearch-reply.txt'));
    expect(m).toMatchObject({ kind: 'response', status: 200 });
    expect(m?.headers).toMatchObject({
      ST: ST17,
      USN: `uuid:${SIM_UUID}::${ST17}`,
      AL: 'https://127.161.1.1:8443/redfish/v1',
      'CACHE-CONTROL': 'max-age=1800',
      EXT: '',
    });
  });

  it('reads NOTIFY alive and byebye', () => {
    expect(parseSsdpMessage(fixture('ssdp', 'sim-notify-alive.txt'))).toMatchObject({
      kind: 'notify',
      headers: { NT: ST17, NTS: 'ssdp:alive', HOST: '239.255.255.250:1900' },
    });
    const bye = parseSsdpMessage(fixture('ssdp', 'sim-notify-byebye.txt'));
    expect(bye?.headers.NTS).toBe('ssdp:byebye');
    expect(bye?.headers.AL).toBeUndefined();
  });

  it('accepts bare LF line ends, lower-case names, and keeps the first of repeated headers', () => {
    const m = parseSsdpMessage('HTTP/1.1 200 OK\nst: a\nSt: b\nal: https://x/redfish/v1\n\n');
    expect(m).toEqual({ kind: 'response', status: 200, headers: { ST: 'a', AL: 'https://x/redfish/v1' } });
    expect(parseSsdpMessage('M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\n\r\n')?.kind).toBe('search');
  });

  it('returns undefined for junk instead of throwing', () => {
    for (const junk of ['', 'garbage', 'GET / HTTP/1.1\r\n\r\n', 'HTTP/2 200\r\n\r\n', '\u0000\u0001\u0002', 'X'.repeat(20_000)]) {
      expect(parseSsdpMessage(junk)).toBeUndefined();
    }
    expect(parseSsdpMessage(undefined as unknown as string)).toBeUndefined();
    // broken header lines are dropped, the rest is kept
    expect(parseSsdpMessage('HTTP/1.1 200 OK\r\nno colon here\r\n: empty name\r\nbad name: x\r\nST: s\r\n\r\n')?.headers).toEqual({ ST: 's' });
  });
});

describe('sightingFromSsdp', () => {
  it('turns the simulator\'s reply into a Redfish sighting', () => {
    const m = parseSsdpMessage(fixture('ssdp', 'sim-msearch-reply.txt'))!;
    expect(sightingFromSsdp(m.headers, 42)).toEqual({
      source: 'ssdp',
      at: 42,
      protocol: 'redfish',
      host: '127.161.1.1',
      port: 8443,
      serviceRootUrl: 'https://127.161.1.1:8443/redfish/v1',
      keys: { uuid: SIM_UUID },
      hints: { ssdp: { st: ST17, usn: `uuid:${SIM_UUID}::${ST17}`, al: 'https://127.161.1.1:8443/redfish/v1' } },
    });
  });

  it('reads node-ssdp\'s reply: upper-case UUID, default port, LOCATION alongside AL', () => {
    const m = parseSsdpMessage(fixture('ssdp', 'node-ssdp-msearch-reply.txt'))!;
    const s = sightingFromSsdp(m.headers, 1)!;
    expect(s).toMatchObject({ host: '10.77.250.1', serviceRootUrl: 'https://10.77.250.1/redfish/v1', keys: { uuid: '0f3c2a7e-91b4-4c55-8e0d-5a6b7c8d9e01' } });
    expect(s.port).toBeUndefined(); // https default: 443
  });

  it('reads NOTIFY alive through NT', () => {
    const m = parseSsdpMessage(fixture('ssdp', 'sim-notify-alive.txt'))!;
    expect(sightingFromSsdp(m.headers, 1)).toMatchObject({ host: '127.161.1.1', port: 8443, hints: { ssdp: { st: ST17 } } });
  });

  it('falls back to LOCATION for the address but does not call it a service root', () => {
    const s = sightingFromSsdp({ ST: 'urn:dmtf-org:service:redfish-rest:1', LOCATION: 'http://[fd00::5]/desc.xml', USN: 'uuid:4B1D2C3E5F6047188A9B0C1D2E3F4A5B' }, 1);
    expect(s).toMatchObject({ host: 'fd00::5', port: 80, keys: { uuid: '4b1d2c3e-5f60-4718-8a9b-0c1d2e3f4a5b' } });
    expect(s?.serviceRootUrl).toBeUndefined();
  });

  it('accepts lower-case header maps (other SSDP parsers) and a Redfish URN only in the USN', () => {
    const s = sightingFromSsdp({ st: 'ssdp:all', usn: `uuid:${SIM_UUID}::urn:dmtf-org:service:redfish-rest:1`, al: 'https://10.0.0.9:443/redfish/v1' }, 1);
    expect(s).toMatchObject({ host: '10.0.0.9', keys: { uuid: SIM_UUID } });
    expect(s?.port).toBeUndefined(); // URL drops an explicit :443 on https; absent means the Redfish default
  });

  it('skips what is not a usable Redfish service', () => {
    const al = 'https://10.0.0.9/redfish/v1';
    expect(sightingFromSsdp({ ST: 'upnp:rootdevice', USN: 'uuid:x::upnp:rootdevice', LOCATION: 'http://10.0.0.9/d.xml' }, 1)).toBeUndefined();
    expect(sightingFromSsdp({ ST: 'urn:dmtf-org:service:redfish-rest:1' }, 1)).toBeUndefined();
    expect(sightingFromSsdp({ ST: 'urn:dmtf-org:service:redfish-rest:1', AL: 'not a url' }, 1)).toBeUndefined();
    expect(sightingFromSsdp({ ST: 'urn:dmtf-org:service:redfish-rest:1', AL: 'ftp://10.0.0.9/' }, 1)).toBeUndefined();
    // a USN without a real UUID still gives a sighting, just without the key
    expect(sightingFromSsdp({ ST: 'urn:dmtf-org:service:redfish-rest:1', AL: al, USN: 'uuid:not-a-uuid::urn:dmtf-org:service:redfish-rest:1' }, 1)?.keys).toEqual({});
  });
});

describe('sightingFromMdns', () => {
  const avahi = JSON.parse(fixture('mdns', 'avahi-redfish-service.json')) as MdnsServiceRecord;

  it('reads avahi-daemon\'s record, preferring IPv4 over the link-local IPv6 avahi also publishes', () => {
    expect(sightingFromMdns(avahi, 7)).toEqual({
      source: 'mdns',
      at: 7,
      protocol: 'redfish',
      host: '10.77.20.1',
      port: 8443,
      serviceRootUrl: 'https://10.77.20.1:8443/redfish/v1',
      hostName: 'dpu-bmc-7.local',
      keys: { uuid: '4b1d2c3e-5f60-4718-8a9b-0c1d2e3f4a5b' },
      hints: { dnsSdType: '_redfish._tcp' },
    });
  });

  it('honours TXT path, the OpenBMC type, and falls back to the packet source without A records', () => {
    const s = sightingFromMdns({ ...avahi, type: 'obmc_redfish', addresses: [], txt: { path: '/custom/v1' }, referer: { address: '10.1.2.3' } }, 1);
    expect(s).toMatchObject({ host: '10.1.2.3', serviceRootUrl: 'https://10.1.2.3:8443/custom/v1', keys: {}, hints: { dnsSdType: '_obmc_redfish._tcp' } });
    expect(sightingFromMdns({ ...avahi, addresses: ['2001:db8::7'], txt: { path: 'no-slash' } }, 1)?.serviceRootUrl).toBe('https://[2001:db8::7]:8443/redfish/v1');
  });

  it('skips records without a port or any address', () => {
    expect(sightingFromMdns({ ...avahi, port: 0 }, 1)).toBeUndefined();
    expect(sightingFromMdns({ ...avahi, addresses: ['fe80::1'], referer: {} }, 1)).toBeUndefined();
  });
});

describe('txtAttributes', () => {
  it('reads key=value chunks, first key wins, keys case-insensitive', () => {
    expect(txtAttributes([['path=/redfish/v1', 'Path=/other'], ['flag', 'uuid= X ']])).toEqual({ path: '/redfish/v1', flag: '', uuid: 'X' });
    expect(txtAttributes(undefined)).toEqual({});
  });
});
