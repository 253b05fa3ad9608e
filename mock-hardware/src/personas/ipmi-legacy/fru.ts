/**
 * Encoder for IPMI FRU inventory data (Platform Management FRU Information Storage Definition v1.0).
 *
 * ipmi_sim serves FRU bytes verbatim (`mc_add_fru_data`), so the simulator has to produce a well-formed image itself:
 * ipmitool refuses areas whose checksums or lengths are off, which is exactly how a corrupted FRU looks on real BMCs.
 */

/** Identity fields written into the chassis, board and product areas. */
export interface FruIdentity {
  /** Serial number; written to the chassis, board and product areas as real vendors do. */
  serial: string;
  /** Manufacturer name (board and product areas). */
  vendor: string;
  /** Product name (board and product areas). */
  product: string;
  /** Part / model number. */
  partNumber?: string;
  /** Product version string. */
  version?: string;
  /** Asset tag. */
  assetTag?: string;
  /** Board manufacturing time; defaults to 2024-01-01T00:00:00Z so that images are reproducible. */
  manufacturedAt?: Date;
  /** SMBIOS chassis type code (0x17 = rack mount chassis). */
  chassisType?: number;
}

/** FRU common-header format version and the end-of-fields marker (type/length 0xC1). */
const FORMAT_VERSION = 0x01;
const END_OF_FIELDS = 0xc1;
/** FRU time stamps count minutes from 1996-01-01 00:00 UTC. */
const FRU_EPOCH_MS = Date.UTC(1996, 0, 1);
const DEFAULT_MFG_DATE = new Date(Date.UTC(2024, 0, 1));

/** Two's-complement checksum: the bytes plus the checksum sum to zero modulo 256. */
export function zeroChecksum(bytes: readonly number[]): number {
  const sum = bytes.reduce((acc, b) => (acc + b) & 0xff, 0);
  return (0x100 - sum) & 0xff;
}

/** Encodes one field as 8-bit ASCII type/length (type code 11b). Fields longer than 63 bytes are truncated. */
function field(text: string): number[] {
  // Non-ASCII would be mis-rendered by every IPMI tool, so replace it rather than emit UTF-8 bytes.
  const ascii = Array.from(text.slice(0, 63), (ch) => {
    const code = ch.charCodeAt(0);
    return code >= 0x20 && code < 0x7f ? code : 0x3f;
  });
  return [0xc0 | ascii.length, ...ascii];
}

/** Closes an area: end marker, zero padding to a multiple of 8 bytes, checksum; fixes up the length byte. */
function closeArea(body: number[]): number[] {
  const bytes = [...body, END_OF_FIELDS];
  while ((bytes.length + 1) % 8 !== 0) bytes.push(0);
  bytes[1] = (bytes.length + 1) / 8;
  bytes.push(zeroChecksum(bytes));
  return bytes;
}

function chassisArea(id: FruIdentity): number[] {
  return closeArea([FORMAT_VERSION, 0, id.chassisType ?? 0x17, ...field(id.partNumber ?? ''), ...field(id.serial)]);
}

function boardArea(id: FruIdentity): number[] {
  const minutes = Math.max(0, Math.floor(((id.manufacturedAt ?? DEFAULT_MFG_DATE).getTime() - FRU_EPOCH_MS) / 60_000));
  return closeArea([
    FORMAT_VERSION,
    0,
    0x00, // language code: English
    minutes & 0xff,
    (minutes >> 8) & 0xff,
    (minutes >> 16) & 0xff,
    ...field(id.vendor),
    ...field(id.product),
    ...field(id.serial),
    ...field(id.partNumber ?? ''),
    ...field(''), // FRU file id
  ]);
}

function productArea(id: FruIdentity): number[] {
  return closeArea([
    FORMAT_VERSION,
    0,
    0x00,
    ...field(id.vendor),
    ...field(id.product),
    ...field(id.partNumber ?? ''),
    ...field(id.version ?? ''),
    ...field(id.serial),
    ...field(id.assetTag ?? ''),
    ...field(''), // FRU file id
  ]);
}

/**
 * Builds a complete FRU image: common header, chassis, board and product info areas.
 *
 * @returns the image bytes; offsets in the header are in 8-byte units as the spec requires.
 */
export function encodeFru(identity: FruIdentity): number[] {
  const chassis = chassisArea(identity);
  const board = boardArea(identity);
  const product = productArea(identity);
  const chassisOffset = 1; // right after the 8-byte common header
  const boardOffset = chassisOffset + chassis.length / 8;
  const productOffset = boardOffset + board.length / 8;
  const header = [FORMAT_VERSION, 0, chassisOffset, boardOffset, productOffset, 0, 0];
  header.push(zeroChecksum(header));
  return [...header, ...chassis, ...board, ...product];
}
