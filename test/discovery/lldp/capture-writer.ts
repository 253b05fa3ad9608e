/**
 * Minimal capture writers for the tests: no tool here writes pcapng (tcpdump 4.99 writes only classic pcap and
 * editcap is not installed), and none writes big-endian pcap, so the tests build those from the captured frames.
 */

/** A frame to write: bytes and a timestamp in nanoseconds. */
export interface FrameToWrite {
  data: Uint8Array;
  timestampNs: bigint;
  originalLength?: number;
}

function writer(le: boolean) {
  const u16 = (v: number) => {
    const b = Buffer.alloc(2);
    if (le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  };
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    if (le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return b;
  };
  return { u16, u32 };
}

/** Classic pcap in either byte order, microsecond or nanosecond magic. */
export function writePcap(frames: FrameToWrite[], o: { le: boolean; nano: boolean; linkType?: number }): Buffer {
  const { u16, u32 } = writer(o.le);
  const parts = [u32(o.nano ? 0xa1b23c4d : 0xa1b2c3d4), u16(2), u16(4), u32(0), u32(0), u32(262144), u32(o.linkType ?? 1)];
  for (const f of frames) {
    const sec = f.timestampNs / 1_000_000_000n;
    const ns = f.timestampNs % 1_000_000_000n;
    const frac = o.nano ? ns : ns / 1000n;
    parts.push(u32(Number(sec)), u32(Number(frac)), u32(f.data.length), u32(f.originalLength ?? f.data.length));
    parts.push(Buffer.from(f.data));
  }
  return Buffer.concat(parts);
}

function pad4(b: Buffer): Buffer {
  return b.length % 4 ? Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]) : b;
}

/** pcapng blocks in one byte order. */
export function pcapngBlocks(le: boolean) {
  const { u16, u32 } = writer(le);
  const block = (type: number, body: Buffer): Buffer => {
    const b = pad4(body);
    const total = b.length + 12;
    return Buffer.concat([u32(type), u32(total), b, u32(total)]);
  };
  const option = (code: number, value: Buffer): Buffer => Buffer.concat([u16(code), u16(value.length), pad4(value)]);
  const endOfOptions = Buffer.concat([u16(0), u16(0)]);
  return {
    shb(): Buffer {
      const sectionLength = Buffer.alloc(8, 0xff); // -1: not given
      return block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), sectionLength]));
    },
    /** `tsresol` is the if_tsresol byte (default: no option, i.e. microseconds). `tsoffset` in seconds. */
    idb(linkType: number, o: { snapLength?: number; tsresol?: number; tsoffset?: bigint; name?: string } = {}): Buffer {
      const opts: Buffer[] = [];
      if (o.name) opts.push(option(2, Buffer.from(o.name)));
      if (o.tsresol !== undefined) opts.push(option(9, Buffer.from([o.tsresol])));
      if (o.tsoffset !== undefined) {
        const v = Buffer.alloc(8);
        if (le) v.writeBigInt64LE(o.tsoffset);
        else v.writeBigInt64BE(o.tsoffset);
        opts.push(option(14, v));
      }
      if (opts.length) opts.push(endOfOptions);
      return block(1, Buffer.concat([u16(linkType), u16(0), u32(o.snapLength ?? 0), ...opts]));
    },
    /** Enhanced Packet Block; `units` is the timestamp in the interface's resolution. */
    epb(interfaceId: number, units: bigint, data: Uint8Array, originalLength = data.length): Buffer {
      return block(
        6,
        Buffer.concat([
          u32(interfaceId),
          u32(Number(units >> 32n)),
          u32(Number(units & 0xffffffffn)),
          u32(data.length),
          u32(originalLength),
          pad4(Buffer.from(data)),
          // a comment option, which a reader must step over
          option(1, Buffer.from('lldp')),
          endOfOptions,
        ]),
      );
    },
    spb(data: Uint8Array, originalLength = data.length): Buffer {
      return block(3, Buffer.concat([u32(originalLength), Buffer.from(data)]));
    },
    /** A Name Resolution Block with no records, which carries no frames. */
    nrb(): Buffer {
      return block(4, endOfOptions);
    },
  };
}
