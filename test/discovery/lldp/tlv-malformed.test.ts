/**
 * The decoder on hostile and unusual input: every truncation and many corruptions of real lldpd frames, the
 * structural errors 802.1AB forbids, and the id/address forms lldpd does not send but switches and BMCs do.
 */
import { describe, expect, it } from 'vitest';
import { decodeOid, formatIpv6, normaliseMac } from '../../../src/discovery/lldp/format.js';
import { decodeLldp, decodeLldpdu, decodeLldpFrame, LldpDecodeError } from '../../../src/discovery/lldp/tlv.js';
import { END, ethernet, fixtureFrames, mandatory, tlv, tlvEnds } from './fixtures.js';

const realFrames = ['bmc-a.pcap', 'bmc-c.pcap', 'gw-b.pcap', 'bmc-a-shutdown.pcap'].map((f) => fixtureFrames(f)[0]!.data);

/** Runs `fn`, which must either return or throw LldpDecodeError; returns the error, if any. */
function decodeOrError(fn: () => unknown): LldpDecodeError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!(err instanceof LldpDecodeError)) throw err;
    return err;
  }
}

function errorOf(fn: () => unknown): LldpDecodeError {
  const err = decodeOrError(fn);
  if (!err) throw new Error('expected an LldpDecodeError');
  return err;
}

describe('LLDPDU decoder: truncation and corruption', () => {
  it('throws LldpDecodeError for every truncation of a real frame, except cuts exactly between optional TLVs', () => {
    for (const frame of realFrames) {
      // Cuts that leave whole TLVs after the mandatory three are valid LLDPDUs without an End TLV (802.1AB-2016).
      const validCuts = new Set(tlvEnds(frame.subarray(14)).slice(2).map((e) => e + 14));
      for (let n = 0; n < frame.length; n++) {
        // A copy, so nothing past the cut is even addressable.
        const cut = Buffer.from(Uint8Array.prototype.slice.call(frame, 0, n));
        const err = decodeOrError(() => decodeLldpFrame(cut));
        if (validCuts.has(n)) {
          expect(err, `cut at ${n}`).toBeUndefined();
          expect(decodeLldpFrame(cut).endTlv).toBe(false);
        } else {
          expect(err, `cut at ${n}`).toBeInstanceOf(LldpDecodeError);
          expect(err!.offset).toBeGreaterThanOrEqual(0);
          expect(err!.offset).toBeLessThanOrEqual(n);
        }
      }
    }
  });

  it('survives random corruption of real frames (returns or throws LldpDecodeError, nothing else)', () => {
    let seed = 0x5eed;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 8;
    };
    let decoded = 0;
    for (let i = 0; i < 5000; i++) {
      const frame = Buffer.from(realFrames[i % realFrames.length]!);
      const flips = 1 + (rnd() % 4);
      // Keep the Ethernet header, so the corruption lands in the TLVs.
      for (let k = 0; k < flips; k++) frame[14 + (rnd() % (frame.length - 14))] = rnd() & 0xff;
      if (!decodeOrError(() => decodeLldpFrame(frame))) decoded++;
    }
    expect(decoded).toBeGreaterThan(0);
  });

  it('reports where a TLV runs past the end', () => {
    const bad = Buffer.concat([mandatory(), tlv(5, 'name').subarray(0, 4)]);
    const err = errorOf(() => decodeLldpdu(bad));
    expect(err.offset).toBe(mandatory().length);
    expect(err.message).toMatch(/type 5 of length 4 runs past the end/);
  });

  it('rejects LLDPDUs whose mandatory TLVs are missing, misplaced or repeated', () => {
    expect(errorOf(() => decodeLldpdu(Buffer.alloc(0))).message).toMatch(/before its Chassis ID/);
    expect(errorOf(() => decodeLldpdu(END)).message).toMatch(/expected the Chassis ID TLV, found type 0/);
    const [chassis, port, ttl] = [tlv(1, [7, 0x61]), tlv(2, [7, 0x62]), tlv(3, [0, 120])];
    expect(errorOf(() => decodeLldpdu(Buffer.concat([port, chassis, ttl]))).offset).toBe(0);
    const swapped = errorOf(() => decodeLldpdu(Buffer.concat([chassis, ttl, port])));
    expect([swapped.offset, swapped.message]).toEqual([chassis.length, expect.stringMatching(/expected the Port ID TLV/)]);
    expect(errorOf(() => decodeLldpdu(Buffer.concat([chassis, port]))).message).toMatch(/before its Time To Live/);
    expect(errorOf(() => decodeLldpdu(Buffer.concat([chassis, port, END]))).message).toMatch(/expected the Time To Live/);
    const twice = errorOf(() => decodeLldpdu(Buffer.concat([chassis, port, ttl, chassis])));
    expect([twice.offset, twice.message]).toEqual([chassis.length + port.length + ttl.length, expect.stringMatching(/second Chassis ID/)]);
  });

  it('rejects fields of impossible length', () => {
    const m = mandatory();
    const cases: Array<[Buffer, RegExp, number]> = [
      [Buffer.concat([tlv(1, [4, 1, 2, 3, 4, 5]), tlv(2, [7, 0x61]), tlv(3, [0, 1])]), /MAC has 5 bytes/, 3],
      [Buffer.concat([tlv(1, [7]), tlv(2, [7, 0x61]), tlv(3, [0, 1])]), /Chassis ID TLV has length 1/, 0],
      [Buffer.concat([tlv(1, [5, 1, 10, 0, 0]), tlv(2, [7, 0x61]), tlv(3, [0, 1])]), /family 1 has 3 bytes/, 3],
      [Buffer.concat([tlv(1, [7, 0x61]), tlv(2, [7, 0x61]), tlv(3, [0])]), /Time To Live TLV has length 1/, 8],
      [Buffer.concat([m, tlv(7, [0, 4, 0])]), /System Capabilities TLV has length 3/, m.length],
      [Buffer.concat([m, tlv(127, [0, 0x80, 0xc2])]), /organisationally specific TLV has length 3/, m.length],
      [Buffer.concat([m, Buffer.from([0x00, 0x01, 0x00])]), /End Of LLDPDU TLV has length 1/, m.length],
      [Buffer.concat([m, tlv(8, [40, 1, 10, 0, 0, 1, 2, 0, 0, 0, 1, 0])]), /string length 40/, m.length + 2],
      [Buffer.concat([m, tlv(8, [5, 1, 10, 0, 0, 1, 2, 0, 0, 0, 1, 3, 0x2b])]), /OID length 3 does not fit/, m.length + 13],
      [Buffer.concat([m, tlv(8, [5, 1, 10, 0, 0, 1, 2, 0, 0, 0, 1, 2, 0x2b, 0x86])]), /inside a sub-identifier/, m.length + 14],
      [Buffer.concat([m, tlv(8, [5, 2, 10, 0, 0, 1, 2, 0, 0, 0, 1, 0])]), /family 2 has 4 bytes/, m.length + 3],
    ];
    for (const [bytes, message, offset] of cases) {
      const err = errorOf(() => decodeLldpdu(bytes));
      expect([err.message, err.offset], String(message)).toEqual([expect.stringMatching(message), offset]);
    }
  });

  it('rejects frames that are not LLDP, with frame offsets', () => {
    const frame = ethernet(Buffer.concat([mandatory(), END]));
    expect(errorOf(() => decodeLldpFrame(frame.subarray(0, 10))).message).toMatch(/needs 14 bytes/);
    const ipv4 = Buffer.from(frame);
    ipv4.writeUInt16BE(0x0800, 12);
    expect(errorOf(() => decodeLldpFrame(ipv4))).toMatchObject({ offset: 12, message: expect.stringMatching(/0x0800 is not LLDP/) });
    const tagged = Buffer.concat([frame.subarray(0, 12), Buffer.from([0x81, 0x00, 0x00])]);
    expect(errorOf(() => decodeLldpFrame(tagged)).message).toMatch(/VLAN tag is truncated/);
    const threeTags = Buffer.concat([frame.subarray(0, 12), Buffer.from([0x81, 0, 0, 1, 0x81, 0, 0, 2, 0x81, 0, 0, 3]), frame.subarray(12)]);
    expect(errorOf(() => decodeLldpFrame(threeTags)).offset).toBe(20);
    // Errors inside the LLDPDU count from the start of the frame.
    const bad = ethernet(Buffer.concat([mandatory(), tlv(5, 'x').subarray(0, 2)]));
    expect(errorOf(() => decodeLldpFrame(bad)).offset).toBe(14 + mandatory().length);
  });
});

describe('LLDPDU decoder: forms lldpd does not send', () => {
  it('decodes network-address, agent-circuit and reserved-subtype ids', () => {
    const v6 = [0xfd, 0, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const m = decodeLldpdu(Buffer.concat([tlv(1, [5, 2, ...v6]), tlv(2, [6, 0x01, 0xab]), tlv(3, [0, 30]), END]));
    expect(m.chassisId).toEqual({ subtype: 5, value: 'fd00:77::1', raw: `02${Buffer.from(v6).toString('hex')}` });
    expect(m.portId).toEqual({ subtype: 6, value: '01ab', raw: '01ab' });
    const n = decodeLldpdu(Buffer.concat([tlv(1, [0, 0xde, 0xad]), tlv(2, [4, 1, 192, 0, 2, 7]), tlv(3, [0, 30])]));
    expect(n.chassisId).toEqual({ subtype: 0, value: 'dead', raw: 'dead' });
    expect(n.portId.value).toBe('192.0.2.7');
    expect(n.endTlv).toBe(false);
    const o = decodeLldpdu(Buffer.concat([tlv(1, [5, 6, 2, 0, 0, 0, 0, 0xff]), tlv(2, [5, 0x65, 0x74, 0x68, 0x30]), tlv(3, [0, 30])]));
    expect([o.chassisId.value, o.portId.value]).toEqual(['02:00:00:00:00:ff', 'eth0']);
    expect(decodeLldpdu(Buffer.concat([tlv(1, [5, 9, 0xab]), tlv(2, [7, 0x61]), tlv(3, [0, 1])])).chassisId.value).toBe('9:ab');
  });

  it('keeps unknown TLV types raw, trims NUL-terminated strings, names reserved capability bits', () => {
    const m = mandatory();
    const d = decodeLldpdu(Buffer.concat([m, tlv(9, [1, 2, 3]), tlv(5, 'sw1\0'), tlv(5, 'ignored'), tlv(7, [0x10, 0x04, 0x00, 0x04]), END]));
    expect(d.unknownTlvs).toEqual([{ type: 9, offset: m.length, info: '010203' }]);
    expect(d.systemName).toBe('sw1');
    expect(d.capabilities).toEqual({ supported: ['bridge', 'bit12'], enabled: ['bridge'], supportedBits: 0x1004, enabledBits: 4 });
  });

  it('decodes management address OIDs with and without the BER tag, and MAC-family addresses', () => {
    const oid = [0x2b, 6, 1, 2, 1, 2, 2, 1, 1, 0x87, 0x68];
    const mgmt = (o: number[]) => tlv(8, [7, 6, 2, 0, 0, 0, 0, 1, 3, 0, 0, 1, 0, o.length, ...o]);
    const d = decodeLldpdu(Buffer.concat([mandatory(), mgmt(oid), mgmt([6, oid.length, ...oid])]));
    expect(d.managementAddresses).toEqual([
      { family: 6, address: '02:00:00:00:00:01', interfaceSubtype: 3, ifIndex: 256, oid: '1.3.6.1.2.1.2.2.1.1.1000' },
      { family: 6, address: '02:00:00:00:00:01', interfaceSubtype: 3, ifIndex: 256, oid: '1.3.6.1.2.1.2.2.1.1.1000' },
    ]);
    expect(decodeOid(Buffer.from([0x88, 0x37, 1]))).toBe('2.999.1');
  });

  it('keeps known org TLVs of the wrong length undecoded rather than guessing', () => {
    const d = decodeLldpdu(Buffer.concat([mandatory(), tlv(127, [0, 0x80, 0xc2, 1, 0, 100, 0]), tlv(127, [0, 0x80, 0xc2, 3, 0, 100, 9, 0x61])]));
    expect(d.orgTlvs).toEqual([
      { oui: '00:80:c2', subtype: 1, info: '006400' },
      { oui: '00:80:c2', subtype: 3, info: '00640961' },
    ]);
  });

  it('tells frames from bare LLDPDUs', () => {
    const pdu = Buffer.concat([mandatory(), END]);
    expect(decodeLldp(pdu).ethernet).toBeUndefined();
    expect(decodeLldp(ethernet(pdu)).ethernet?.source).toBe('02:00:00:00:00:01');
    expect(errorOf(() => decodeLldp(Buffer.from('not lldp at all'))).offset).toBe(0);
  });
});

describe('LLDP value formats', () => {
  it('normalises MACs to lower-case colon form', () => {
    for (const s of ['02:53:48:4C:00:0A', '02-53-48-4c-00-0a', '0253.484c.000a', '0253484C000A', '2:53:48:4c:0:a']) {
      expect(normaliseMac(s)).toBe('02:53:48:4c:00:0a');
    }
    for (const s of ['', '02:53:48:4c:00', '02:53:48:4c:00:0g', '02:53-48:4c:00:0a']) expect(normaliseMac(s)).toBeUndefined();
  });

  it('prints IPv6 like inet_ntop (RFC 5952), checked against the WHATWG URL serialiser on random addresses', () => {
    expect(formatIpv6(Buffer.from('00000000000000000000ffff0a4d0001', 'hex'))).toBe('::ffff:10.77.0.1');
    expect(formatIpv6(Buffer.alloc(16))).toBe('::');
    expect(formatIpv6(Buffer.from('20010db8000000010000000000000001', 'hex'))).toBe('2001:db8:0:1::1');
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.alloc(16);
      for (let g = 0; g < 8; g++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        // Mostly zero groups, so that runs of zeros (and ties between runs) are common.
        if (seed % 3 === 0) b.writeUInt16BE((seed >>> 8) & 0xffff, g * 2);
      }
      if (b.subarray(0, 10).every((x) => x === 0) && b.readUInt16BE(10) === 0xffff) continue;
      expect(formatIpv6(b)).toBe(new URL(`http://[${formatIpv6(b)}]/`).hostname.slice(1, -1));
    }
  });
});
