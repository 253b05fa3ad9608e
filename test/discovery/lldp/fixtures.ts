/**
 * The captured LLDP fixtures (test/fixtures/lldp, made by capture.sh from real lldpd) and what capture.sh configured,
 * so tests can check decoded fields against both the configuration and lldpd's own json0 view of the same frames.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCapture, type CapturedFrame } from '../../../src/discovery/lldp/pcap.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'lldp');

/** What capture.sh configured each lldpd with. */
export const CONFIGURED = {
  a: {
    mac: '02:53:48:4c:00:0a',
    hostname: 'bmc-a.example.test',
    description: 'NVIDIA BlueField-3 BMC',
    managementAddresses: ['10.77.0.1', 'fd00:77::1'],
    /** tx-interval 1 s times lldpd's default hold multiplier 4. */
    ttl: 4,
    custom: { oui: '00:11:22', subtype: 1, info: '414243' },
    portVlanId: 100,
    vlanName: { vlanId: 100, name: 'mgmt' },
    maxFrameSize: 1518,
  },
  b: {
    macs: ['02:53:48:4c:00:0b', '02:53:48:4c:00:0d'],
    hostname: 'gw-b.example.test',
    description: 'Shoal gateway',
    managementAddresses: ['10.77.0.2'],
  },
  c: {
    mac: '02:53:48:4c:00:0c',
    hostname: 'bmc-c.example.test',
    description: 'OpenBMC host BMC',
    chassisId: 'bmc-c-local',
    portId: 'mgmt0',
    custom: [
      { oui: '00:11:22', subtype: 2, info: '0102' },
      { oui: '00:53:48', subtype: 5, info: 'ff' },
    ],
  },
} as const;

export const LLDP_MULTICAST = '01:80:c2:00:00:0e';

export function fixtureBytes(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

export function fixtureFrames(name: string): CapturedFrame[] {
  return [...readCapture(fixtureBytes(name))];
}

/** A parsed json0 fixture. */
export function json0(name: 'neighbors-on-gw-b.json' | 'neighbors-on-bmc-a.json'): Json0 {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Json0;
}

type V = { value?: string; type?: string };

/** The parts of lldpcli's json0 the tests read. */
export interface Json0 {
  lldp: Array<{
    interface?: Array<{
      name: string;
      chassis: Array<{
        id: V[];
        name?: V[];
        descr?: V[];
        'mgmt-ip'?: V[];
        'mgmt-iface'?: V[];
        capability?: Array<{ type: string; enabled: boolean }>;
      }>;
      port: Array<{
        id: V[];
        descr?: V[];
        ttl?: V[];
        mfs?: V[];
        'auto-negotiation'?: Array<{ supported: boolean; enabled: boolean }>;
      }>;
      vlan?: Array<{ 'vlan-id': string; pvid?: boolean; value?: string }>;
      'unknown-tlvs'?: Array<{ 'unknown-tlv': Array<{ oui: string; subtype: string; len: string; value: string }> }>;
    }>;
  }>;
}

/** The neighbour entry whose chassis id is `chassisId`. */
export function neighbour(doc: Json0, chassisId: string): NonNullable<Json0['lldp'][0]['interface']>[0] {
  const found = (doc.lldp[0]?.interface ?? []).find((i) => i.chassis[0]?.id[0]?.value === chassisId);
  if (!found) throw new Error(`no neighbour with chassis id ${chassisId} in the json0 fixture`);
  return found;
}

/** Offsets (from the LLDPDU start) where each TLV ends, walking the headers of a known-good LLDPDU. */
export function tlvEnds(lldpdu: Uint8Array): number[] {
  const ends: number[] = [];
  let off = 0;
  while (off + 2 <= lldpdu.length) {
    const header = (lldpdu[off]! << 8) | lldpdu[off + 1]!;
    off += 2 + (header & 0x1ff);
    ends.push(off);
    if (header >> 9 === 0) break;
  }
  return ends;
}

/** Builds one TLV: 7-bit type, 9-bit length, value. */
export function tlv(type: number, value: Uint8Array | number[] | string): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);
  const h = Buffer.alloc(2);
  h.writeUInt16BE((type << 9) | v.length);
  return Buffer.concat([h, v]);
}

/** The three mandatory TLVs for a MAC chassis and port id. */
export function mandatory(ttl = 120): Buffer {
  const ttlBytes = Buffer.alloc(2);
  ttlBytes.writeUInt16BE(ttl);
  return Buffer.concat([
    tlv(1, [4, 0x02, 0, 0, 0, 0, 1]),
    tlv(2, [3, 0x02, 0, 0, 0, 0, 1]),
    tlv(3, ttlBytes),
  ]);
}

/** An Ethernet LLDP frame around an LLDPDU. */
export function ethernet(lldpdu: Buffer, src = '02:00:00:00:00:01'): Buffer {
  const mac = (m: string) => Buffer.from(m.split(':').map((x) => parseInt(x, 16)));
  return Buffer.concat([mac(LLDP_MULTICAST), mac(src), Buffer.from([0x88, 0xcc]), lldpdu]);
}

/** The End Of LLDPDU TLV. */
export const END = Buffer.from([0, 0]);
