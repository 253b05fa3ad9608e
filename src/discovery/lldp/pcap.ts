/**
 * Reads packet captures (classic libpcap and pcapng) so that LLDP frames captured on a switch port or by tcpdump
 * can be fed to the decoder, in tests and for support cases. Pure: bytes in, frames out. Only Ethernet captures are
 * accepted; LLDP on anything else would need a different frame decoder.
 */

/** The capture is not one we can read. `offset` is the byte in the file where it goes wrong. */
export class CaptureFormatError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.name = 'CaptureFormatError';
    this.offset = offset;
  }
}

/** LINKTYPE_ETHERNET. */
export const LINKTYPE_ETHERNET = 1;

/** One captured frame. */
export interface CapturedFrame {
  /** The captured bytes (possibly cut at the capture's snap length; compare with `originalLength`). */
  data: Buffer;
  /** Length of the frame on the wire. */
  originalLength: number;
  /** Capture time in nanoseconds since the Unix epoch. Absent for pcapng Simple Packet Blocks, which have none. */
  timestampNs?: bigint;
  linkType: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
}

/** Which capture format the bytes are, judging by the magic number. */
export function captureFormat(data: Uint8Array): 'pcap' | 'pcapng' | undefined {
  if (data.length < 4) return undefined;
  const be = Buffer.from(data.buffer, data.byteOffset, 4).readUInt32BE(0);
  if (be === PCAPNG_SHB) return 'pcapng';
  if (CLASSIC_MAGICS.has(be)) return 'pcap';
  return undefined;
}

/** Yields every frame of a classic pcap or pcapng capture, in file order. */
export function* readCapture(data: Uint8Array): Generator<CapturedFrame> {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const format = captureFormat(buf);
  if (format === 'pcap') yield* readClassic(buf);
  else if (format === 'pcapng') yield* readPcapng(buf);
  else throw new CaptureFormatError('not a pcap or pcapng file (unknown magic number)', 0);
}

const LINKTYPE_NAMES: Record<number, string> = { 0: 'BSD loopback', 101: 'raw IP', 113: 'Linux cooked (SLL)', 276: 'Linux cooked v2 (SLL2)' };

function requireEthernet(linkType: number, where: string, offset: number): void {
  if (linkType === LINKTYPE_ETHERNET) return;
  const name = LINKTYPE_NAMES[linkType] ? ` (${LINKTYPE_NAMES[linkType]})` : '';
  // tcpdump -i any is the usual way to end up here; say how to get Ethernet frames instead.
  throw new CaptureFormatError(
    `${where} has link type ${linkType}${name}; only Ethernet (1) is supported: capture on the interface itself, not "any"`,
    offset,
  );
}

// ---- classic libpcap --------------------------------------------------------------------------------------------

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const CLASSIC_MAGICS = new Set([MAGIC_US, MAGIC_NS, 0xd4c3b2a1, 0x4d3cb2a1]);

function* readClassic(buf: Buffer): Generator<CapturedFrame> {
  if (buf.length < 24) throw new CaptureFormatError(`pcap file header is truncated (${buf.length} of 24 bytes)`, 0);
  const raw = buf.readUInt32BE(0);
  const le = raw !== MAGIC_US && raw !== MAGIC_NS;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const magic = u32(0);
  const fractionToNs = magic === MAGIC_NS ? 1n : 1000n;
  // The upper bits of the link-type field carry FCS information (draft-ietf-opsawg-pcap); the type is the low 16.
  const linkType = u32(20) & 0xffff;
  requireEthernet(linkType, 'pcap file', 20);
  let off = 24;
  while (off < buf.length) {
    if (buf.length - off < 16) throw new CaptureFormatError('pcap record header is truncated', off);
    const seconds = BigInt(u32(off));
    const fraction = BigInt(u32(off + 4));
    const capturedLength = u32(off + 8);
    const originalLength = u32(off + 12);
    const start = off + 16;
    if (capturedLength > buf.length - start) {
      throw new CaptureFormatError(`pcap record of ${capturedLength} bytes is truncated (${buf.length - start} left)`, off);
    }
    yield {
      data: buf.subarray(start, start + capturedLength),
      originalLength,
      timestampNs: seconds * 1_000_000_000n + fraction * fractionToNs,
      linkType,
      interfaceId: 0,
    };
    off = start + capturedLength;
  }
}

// ---- pcapng -----------------------------------------------------------------------------------------------------

const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface Interface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second. */
  unitsPerSecond: bigint;
  offsetSeconds: bigint;
  offset: number;
}

interface Reader {
  buf: Buffer;
  le: boolean;
  u16(o: number): number;
  u32(o: number): number;
}

function reader(buf: Buffer, le: boolean): Reader {
  return {
    buf,
    le,
    u16: (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o)),
    u32: (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o)),
  };
}

function* readPcapng(buf: Buffer): Generator<CapturedFrame> {
  let r: Reader | undefined;
  let interfaces: Interface[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < 12) throw new CaptureFormatError('pcapng block header is truncated', off);
    const type = buf.readUInt32BE(off);
    if (type === PCAPNG_SHB) {
      // Each section states its own byte order; the block type reads the same either way.
      const bom = buf.readUInt32BE(off + 8);
      if (bom === BYTE_ORDER_MAGIC) r = reader(buf, false);
      else if (bom === 0x4d3c2b1a) r = reader(buf, true);
      else throw new CaptureFormatError('pcapng section header has no valid byte-order magic', off + 8);
      interfaces = [];
    } else if (!r) {
      throw new CaptureFormatError('pcapng file does not start with a Section Header Block', off);
    }
    const blockType = r.u32(off);
    const total = r.u32(off + 4);
    if (total < 12 || total % 4 !== 0) throw new CaptureFormatError(`pcapng block length ${total} is invalid`, off + 4);
    if (total > buf.length - off) {
      throw new CaptureFormatError(`pcapng block of ${total} bytes is truncated (${buf.length - off} left)`, off);
    }
    if (r.u32(off + total - 4) !== total) {
      throw new CaptureFormatError('pcapng block trailing length does not match its header', off + total - 4);
    }
    const body = off + 8;
    const end = off + total - 4;
    if (blockType === PCAPNG_SHB) {
      if (end - body < 16) throw new CaptureFormatError('pcapng section header is too short', off);
      const major = r.u16(body + 4);
      if (major !== 1) throw new CaptureFormatError(`pcapng major version ${major} is not supported`, body + 4);
    } else if (blockType === BLOCK_IDB) {
      interfaces.push(interfaceBlock(r, off, body, end));
    } else if (blockType === BLOCK_EPB) {
      if (end - body < 20) throw new CaptureFormatError('pcapng enhanced packet block is too short', off);
      const id = r.u32(body);
      const itf = interfaceFor(interfaces, id, off);
      const capturedLength = r.u32(body + 12);
      const start = body + 20;
      if (capturedLength > end - start) {
        throw new CaptureFormatError(`pcapng packet of ${capturedLength} bytes overruns its block`, body + 12);
      }
      const units = (BigInt(r.u32(body + 4)) << 32n) | BigInt(r.u32(body + 8));
      yield {
        data: buf.subarray(start, start + capturedLength),
        originalLength: r.u32(body + 16),
        timestampNs: toNanoseconds(units, itf),
        linkType: itf.linkType,
        interfaceId: id,
      };
    } else if (blockType === BLOCK_SPB) {
      if (end - body < 4) throw new CaptureFormatError('pcapng simple packet block is too short', off);
      const itf = interfaceFor(interfaces, 0, off);
      const originalLength = r.u32(body);
      // An SPB does not store its captured length: it is the original length cut at the snap length and the block.
      let capturedLength = Math.min(originalLength, end - body - 4);
      if (itf.snapLength > 0) capturedLength = Math.min(capturedLength, itf.snapLength);
      yield { data: buf.subarray(body + 4, body + 4 + capturedLength), originalLength, linkType: itf.linkType, interfaceId: 0 };
    }
    // Other blocks (name resolution, statistics, decryption secrets, custom) carry no frames.
    off += total;
  }
}

function interfaceFor(interfaces: Interface[], id: number, offset: number): Interface {
  const itf = interfaces[id];
  if (!itf) throw new CaptureFormatError(`pcapng packet refers to interface ${id}, which is not described`, offset);
  requireEthernet(itf.linkType, `pcapng interface ${id}`, itf.offset);
  return itf;
}

function interfaceBlock(r: Reader, off: number, body: number, end: number): Interface {
  if (end - body < 8) throw new CaptureFormatError('pcapng interface description block is too short', off);
  const itf: Interface = {
    linkType: r.u16(body),
    snapLength: r.u32(body + 4),
    unitsPerSecond: 1_000_000n,
    offsetSeconds: 0n,
    offset: off,
  };
  let p = body + 8;
  while (end - p >= 4) {
    const code = r.u16(p);
    const length = r.u16(p + 2);
    if (code === OPT_END) break;
    const value = p + 4;
    if (length > end - value) throw new CaptureFormatError(`pcapng option ${code} overruns its block`, p);
    if (code === OPT_IF_TSRESOL && length >= 1) {
      const res = r.buf[value]!;
      const exponent = BigInt(res & 0x7f);
      itf.unitsPerSecond = res & 0x80 ? 2n ** exponent : 10n ** exponent;
    } else if (code === OPT_IF_TSOFFSET && length >= 8) {
      itf.offsetSeconds = r.le ? r.buf.readBigInt64LE(value) : r.buf.readBigInt64BE(value);
    }
    p = value + ((length + 3) & ~3);
  }
  return itf;
}

function toNanoseconds(units: bigint, itf: Interface): bigint {
  return (units * 1_000_000_000n) / itf.unitsPerSecond + itf.offsetSeconds * 1_000_000_000n;
}
