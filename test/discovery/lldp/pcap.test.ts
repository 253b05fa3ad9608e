/**
 * Capture reading: the classic pcaps tcpdump wrote (microsecond and nanosecond magic), the same frames rewritten
 * big-endian and as pcapng (EPB with several timestamp resolutions, SPB, two sections of different byte order), and
 * the errors for foreign link types and cut files.
 */
import { describe, expect, it } from 'vitest';
import { captureFormat, CaptureFormatError, readCapture, type CapturedFrame } from '../../../src/discovery/lldp/pcap.js';
import { decodeLldpFrame } from '../../../src/discovery/lldp/tlv.js';
import { pcapngBlocks, writePcap } from './capture-writer.js';
import { CONFIGURED, fixtureBytes, fixtureFrames } from './fixtures.js';

const read = (b: Uint8Array): CapturedFrame[] => [...readCapture(b)];

function errorOf(fn: () => unknown): CaptureFormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CaptureFormatError) return err;
    throw err;
  }
  throw new Error('expected a CaptureFormatError');
}

describe('classic pcap', () => {
  it('reads the tcpdump microsecond capture (little-endian, as written on this host)', () => {
    const bytes = fixtureBytes('bmc-a.pcap');
    expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(captureFormat(bytes)).toBe('pcap');
    const frames = read(bytes);
    expect(frames).toHaveLength(3);
    for (const f of frames) {
      expect(f).toMatchObject({ linkType: 1, interfaceId: 0, originalLength: f.data.length });
      expect(f.timestampNs! % 1000n).toBe(0n);
      expect(decodeLldpFrame(f.data).systemName).toBe(CONFIGURED.a.hostname);
    }
    // lldpd sends once a second (tx-interval 1): consecutive frames are close to a second apart.
    for (let i = 1; i < frames.length; i++) {
      const gap = frames[i]!.timestampNs! - frames[i - 1]!.timestampNs!;
      expect(gap > 500_000_000n && gap < 1_500_000_000n).toBe(true);
    }
  });

  it('reads the tcpdump nanosecond capture', () => {
    const bytes = fixtureBytes('gw-b.pcap');
    expect(bytes.readUInt32LE(0)).toBe(0xa1b23c4d);
    const frames = read(bytes);
    expect(frames).toHaveLength(2);
    // Same run as bmc-a.pcap: timestamps within a minute of each other show the nanosecond field was not taken as µs.
    const a = fixtureFrames('bmc-a.pcap')[0]!.timestampNs!;
    const diff = frames[0]!.timestampNs! - a;
    expect(diff > -60_000_000_000n && diff < 60_000_000_000n).toBe(true);
  });

  it('reads big-endian files of both precisions to the same frames and timestamps', () => {
    for (const name of ['bmc-a.pcap', 'gw-b.pcap']) {
      const orig = fixtureFrames(name);
      const nano = name === 'gw-b.pcap';
      const be = writePcap(orig.map((f) => ({ data: f.data, timestampNs: f.timestampNs! })), { le: false, nano });
      expect(be.readUInt32BE(0)).toBe(nano ? 0xa1b23c4d : 0xa1b2c3d4);
      expect(read(be)).toEqual(orig);
    }
  });

  it('reports a non-Ethernet link type, naming it', () => {
    const sll = writePcap([], { le: true, nano: false, linkType: 113 });
    expect(errorOf(() => read(sll))).toMatchObject({ offset: 20, message: expect.stringMatching(/link type 113 \(Linux cooked \(SLL\)\).*not "any"/) });
  });

  it('reports truncation at every cut that is not a record boundary', () => {
    const bytes = fixtureBytes('bmc-a.pcap');
    const boundaries = new Set([24]);
    let off = 24;
    while (off < bytes.length) {
      off += 16 + bytes.readUInt32LE(off + 8);
      boundaries.add(off);
    }
    for (let n = 0; n < bytes.length; n++) {
      const cut = Buffer.from(Uint8Array.prototype.slice.call(bytes, 0, n));
      if (boundaries.has(n)) {
        expect(() => read(cut), `cut at ${n}`).not.toThrow();
      } else {
        const err = errorOf(() => read(cut));
        expect(err.message, `cut at ${n}`).toMatch(n < 4 ? /not a pcap or pcapng/ : /truncated/);
      }
    }
  });

  it('rejects what is not a capture', () => {
    expect(errorOf(() => read(Buffer.from('GET / HTTP/1.1\r\n'))).message).toMatch(/unknown magic/);
    expect(captureFormat(Buffer.alloc(2))).toBeUndefined();
  });
});

describe('pcapng', () => {
  const orig = fixtureFrames('bmc-a.pcap');

  it('reads Enhanced Packet Blocks in both byte orders with the default microsecond resolution', () => {
    for (const le of [true, false]) {
      const w = pcapngBlocks(le);
      const file = Buffer.concat([w.shb(), w.idb(1, { name: 'shlb0' }), w.nrb(), ...orig.map((f) => w.epb(0, f.timestampNs! / 1000n, f.data))]);
      expect(captureFormat(file)).toBe('pcapng');
      expect(read(file)).toEqual(orig);
    }
  });

  it('applies if_tsresol (decimal and binary) and if_tsoffset', () => {
    const w = pcapngBlocks(true);
    const f = orig[0]!;
    const ns = f.timestampNs!;
    const file = Buffer.concat([
      w.shb(),
      w.idb(1, { tsresol: 9 }),
      w.idb(1, { tsresol: 0x80 | 20, tsoffset: 100n }),
      w.epb(0, ns, f.data),
      w.epb(1, (ns / 1_000_000_000n - 100n) << 20n, f.data),
    ]);
    const [a, b] = read(file);
    expect(a).toMatchObject({ timestampNs: ns, interfaceId: 0, data: f.data });
    expect(b).toMatchObject({ timestampNs: (ns / 1_000_000_000n) * 1_000_000_000n, interfaceId: 1 });
  });

  it('reads Simple Packet Blocks (no timestamp; captured length from the snap length)', () => {
    const w = pcapngBlocks(false);
    const data = orig[0]!.data;
    const file = Buffer.concat([w.shb(), w.idb(1, { snapLength: 64 }), w.spb(data.subarray(0, 64), data.length)]);
    const [f] = read(file);
    expect(f).toEqual({ data: data.subarray(0, 64), originalLength: data.length, linkType: 1, interfaceId: 0 });
    expect(f!.timestampNs).toBeUndefined();
  });

  it('starts over at each section, which may change byte order', () => {
    const le = pcapngBlocks(true);
    const be = pcapngBlocks(false);
    const file = Buffer.concat([
      le.shb(),
      le.idb(1),
      le.epb(0, orig[0]!.timestampNs! / 1000n, orig[0]!.data),
      be.shb(),
      be.idb(1),
      be.epb(0, orig[1]!.timestampNs! / 1000n, orig[1]!.data),
    ]);
    expect(read(file)).toEqual(orig.slice(0, 2));
    // The second section's interfaces are its own: interface 1 of the first section does not carry over.
    const stale = Buffer.concat([le.shb(), le.idb(1), le.idb(1), be.shb(), be.idb(1), be.epb(1, 0n, orig[0]!.data)]);
    expect(errorOf(() => read(stale)).message).toMatch(/interface 1, which is not described/);
  });

  it('reports a non-Ethernet interface when a packet uses it, and blocks that do not add up', () => {
    const w = pcapngBlocks(true);
    const sll = Buffer.concat([w.shb(), w.idb(1), w.idb(113), w.epb(0, 0n, orig[0]!.data), w.epb(1, 0n, orig[0]!.data)]);
    const gen = readCapture(sll);
    expect(gen.next().value).toMatchObject({ interfaceId: 0 });
    expect(errorOf(() => gen.next()).message).toMatch(/pcapng interface 1 has link type 113/);
    const shb = w.shb();
    expect(errorOf(() => read(w.idb(1))).message).toMatch(/unknown magic/);
    const badTrailer = Buffer.concat([shb, w.idb(1)]);
    badTrailer.writeUInt32LE(24, badTrailer.length - 4);
    expect(errorOf(() => read(badTrailer)).message).toMatch(/trailing length/);
    const overrun = Buffer.concat([shb, w.idb(1), w.epb(0, 0n, orig[0]!.data)]);
    overrun.writeUInt32LE(9999, shb.length + 20 + 8 + 12); // the EPB captured length
    expect(errorOf(() => read(overrun)).message).toMatch(/packet of 9999 bytes overruns/);
    const badBom = Buffer.from(shb);
    badBom.writeUInt32LE(0x12345678, 8);
    expect(errorOf(() => read(badBom)).offset).toBe(8);
  });

  it('reports truncation at every cut that is not a block boundary', () => {
    const w = pcapngBlocks(true);
    const blocks = [w.shb(), w.idb(1, { tsresol: 9 }), ...orig.map((f) => w.epb(0, f.timestampNs!, f.data)), w.spb(orig[0]!.data)];
    const file = Buffer.concat(blocks);
    const boundaries = new Set<number>();
    let off = 0;
    for (const b of blocks) boundaries.add((off += b.length));
    for (let n = 4; n < file.length; n++) {
      const cut = Buffer.from(Uint8Array.prototype.slice.call(file, 0, n));
      if (boundaries.has(n)) expect(() => read(cut), `cut at ${n}`).not.toThrow();
      else expect(errorOf(() => read(cut)).message, `cut at ${n}`).toMatch(/truncated|too short|overrun/);
    }
  });
});
