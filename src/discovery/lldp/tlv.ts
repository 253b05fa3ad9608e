/**
 * Shoal's LLDPDU decoder (IEEE 802.1AB): Buffer in, typed object out, nothing else. It reads what lldpcli cannot give
 * us (vendor TLVs byte for byte, captures from a switch port) and is strict about structure: a TLV that runs past
 * the end, a missing or misplaced mandatory TLV, or a field of impossible length throws {@link LldpDecodeError} with
 * the byte offset, because a half-read LLDPDU would give a wrong identity.
 */
import { decodeOid, formatMac, formatNetworkAddress, toHex } from './format.js';
import { decodeOrgTlv, type LldpDecodedOrgTlv } from './org-tlvs.js';

export { decodeOrgTlv, OUI_IEEE_8021, OUI_IEEE_8023 } from './org-tlvs.js';
export type { Dot1PortVlanId, Dot1VlanName, Dot3MacPhy, Dot3MaxFrameSize, LldpDecodedOrgTlv, LldpOrgDecoded } from './org-tlvs.js';

/** The input is not a well-formed LLDPDU. `offset` is the byte (from the start of the input) where it goes wrong. */
export class LldpDecodeError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.name = 'LldpDecodeError';
    this.offset = offset;
  }
}

/** LLDP ethertype. */
export const LLDP_ETHERTYPE = 0x88cc;

/** TLV type numbers (802.1AB table 8-1). */
export const TLV = {
  end: 0,
  chassisId: 1,
  portId: 2,
  ttl: 3,
  portDescription: 4,
  systemName: 5,
  systemDescription: 6,
  systemCapabilities: 7,
  managementAddress: 8,
  orgSpecific: 127,
} as const;

/**
 * A chassis or port id. `value` is a MAC as `aa:bb:cc:dd:ee:ff` (chassis subtype 4, port subtype 3), a network
 * address (chassis 5, port 4; see {@link formatNetworkAddress}), hex for binary ids (port subtype 6, agent circuit
 * id, and reserved subtypes), and text for the rest (names, aliases, locally assigned).
 */
export interface LldpId {
  subtype: number;
  value: string;
  /** The id's bytes after the subtype, as hex. */
  raw: string;
}

/** System capability names, bit 0 (value 0x0001) first (802.1AB 8.5.8.1). */
export const CAPABILITY_NAMES = [
  'other',
  'repeater',
  'bridge',
  'wlanAccessPoint',
  'router',
  'telephone',
  'docsisCableDevice',
  'stationOnly',
  'cVlanComponent',
  'sVlanComponent',
  'twoPortMacRelay',
] as const;

/** System Capabilities TLV. Reserved bits that are set appear as `bit<n>`. */
export interface LldpCapabilities {
  supported: string[];
  enabled: string[];
  supportedBits: number;
  enabledBits: number;
}

/** Management Address TLV. */
export interface LldpManagementAddress {
  /** IANA address family (1 IPv4, 2 IPv6, 6 MAC). */
  family: number;
  /** The address in text form (see {@link formatNetworkAddress}). */
  address: string;
  /** Interface numbering subtype: 1 unknown, 2 ifIndex, 3 system port number. */
  interfaceSubtype: number;
  /** The interface number (an ifIndex when `interfaceSubtype` is 2). */
  ifIndex: number;
  /** Dotted object identifier, '' when none is sent (lldpd sends none). */
  oid: string;
}

/** A TLV of a type this decoder does not know, kept as sent. */
export interface LldpRawTlv {
  type: number;
  /** Byte offset of the TLV header in the input. */
  offset: number;
  info: string;
}

/** One decoded LLDPDU. */
export interface Lldpdu {
  chassisId: LldpId;
  portId: LldpId;
  /** Seconds the receiver may keep this information; 0 is a shutdown LLDPDU ("forget me"). */
  ttl: number;
  portDescription?: string;
  systemName?: string;
  systemDescription?: string;
  capabilities?: LldpCapabilities;
  managementAddresses: LldpManagementAddress[];
  orgTlvs: LldpDecodedOrgTlv[];
  unknownTlvs: LldpRawTlv[];
  /** Whether an End Of LLDPDU TLV ended it (802.1AB-2016 made it optional). */
  endTlv: boolean;
}

/** An 802.1Q or 802.1ad tag in front of the LLDP ethertype. */
export interface VlanTag {
  tpid: number;
  priority: number;
  dei: boolean;
  vlanId: number;
}

/** The Ethernet header of a frame carrying an LLDPDU. */
export interface EthernetHeader {
  destination: string;
  source: string;
  vlanTags: VlanTag[];
  /** Offset of the LLDPDU in the frame. */
  payloadOffset: number;
}

/** An LLDPDU with the Ethernet header it came in, when it came in one. */
export interface LldpMessage extends Lldpdu {
  ethernet?: EthernetHeader;
}

const TAG_TPIDS = new Set([0x8100, 0x88a8]);
const MANDATORY = ['Chassis ID', 'Port ID', 'Time To Live'];

/** Reads an Ethernet header (with up to two VLAN tags) and checks the ethertype is LLDP's. */
export function decodeEthernetHeader(frame: Uint8Array): EthernetHeader {
  const buf = asBuffer(frame);
  if (buf.length < 14) throw new LldpDecodeError(`Ethernet header needs 14 bytes, got ${buf.length}`, buf.length);
  const vlanTags: VlanTag[] = [];
  let off = 12;
  let type = buf.readUInt16BE(off);
  // Two tags at most (802.1ad S-tag, then C-tag): a bound, so a frame of nothing but tags cannot keep us looping.
  while (TAG_TPIDS.has(type) && vlanTags.length < 2) {
    if (buf.length < off + 6) throw new LldpDecodeError('VLAN tag is truncated', off);
    const tci = buf.readUInt16BE(off + 2);
    vlanTags.push({ tpid: type, priority: tci >> 13, dei: (tci & 0x1000) !== 0, vlanId: tci & 0x0fff });
    off += 4;
    type = buf.readUInt16BE(off);
  }
  if (type !== LLDP_ETHERTYPE) {
    throw new LldpDecodeError(`ethertype 0x${type.toString(16).padStart(4, '0')} is not LLDP (0x88cc)`, off);
  }
  return { destination: formatMac(buf.subarray(0, 6)), source: formatMac(buf.subarray(6, 12)), vlanTags, payloadOffset: off + 2 };
}

/** Decodes a whole Ethernet frame (dst, src, optional VLAN tags, ethertype 0x88cc, LLDPDU). */
export function decodeLldpFrame(frame: Uint8Array): LldpMessage {
  const ethernet = decodeEthernetHeader(frame);
  return { ...decodeTlvs(asBuffer(frame), ethernet.payloadOffset), ethernet };
}

/** Decodes a bare LLDPDU (the bytes after the ethertype). */
export function decodeLldpdu(lldpdu: Uint8Array): Lldpdu {
  return decodeTlvs(asBuffer(lldpdu), 0);
}

/**
 * Decodes either an Ethernet frame or a bare LLDPDU. A frame is recognised by the LLDP ethertype (or a VLAN TPID) at
 * byte 12; otherwise the input must start with a Chassis ID TLV. Use {@link decodeLldpFrame} or
 * {@link decodeLldpdu} when the framing is known.
 */
export function decodeLldp(input: Uint8Array): LldpMessage {
  const buf = asBuffer(input);
  if (buf.length >= 14) {
    const type = buf.readUInt16BE(12);
    if (type === LLDP_ETHERTYPE || TAG_TPIDS.has(type)) return decodeLldpFrame(buf);
  }
  return decodeLldpdu(buf);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

interface Draft {
  chassisId?: LldpId;
  portId?: LldpId;
  ttl?: number;
  portDescription?: string;
  systemName?: string;
  systemDescription?: string;
  capabilities?: LldpCapabilities;
  managementAddresses: LldpManagementAddress[];
  orgTlvs: LldpDecodedOrgTlv[];
  unknownTlvs: LldpRawTlv[];
}

function decodeTlvs(buf: Buffer, start: number): Lldpdu {
  const d: Draft = { managementAddresses: [], orgTlvs: [], unknownTlvs: [] };
  let off = start;
  let index = 0;
  let endTlv = false;
  // Every pass consumes at least the 2-byte header, so the loop ends.
  while (off < buf.length) {
    if (buf.length - off < 2) throw new LldpDecodeError('truncated TLV header', off);
    const header = buf.readUInt16BE(off);
    const type = header >> 9;
    const length = header & 0x1ff;
    const vs = off + 2;
    const ve = vs + length;
    if (ve > buf.length) {
      throw new LldpDecodeError(`TLV type ${type} of length ${length} runs past the end (${buf.length - vs} bytes left)`, off);
    }
    if (index < 3 && type !== index + 1) {
      throw new LldpDecodeError(`expected the ${MANDATORY[index]} TLV, found type ${type}`, off);
    }
    if (index >= 3 && type >= TLV.chassisId && type <= TLV.ttl) {
      throw new LldpDecodeError(`a second ${MANDATORY[type - 1]} TLV`, off);
    }
    if (type === TLV.end) {
      if (length !== 0) throw new LldpDecodeError(`End Of LLDPDU TLV has length ${length}, not 0`, off);
      endTlv = true;
      break;
    }
    decodeOne(buf, d, type, off, vs, ve);
    index++;
    off = ve;
  }
  if (index < 3 || !d.chassisId || !d.portId || d.ttl === undefined) {
    throw new LldpDecodeError(`LLDPDU ends before its ${MANDATORY[Math.min(index, 2)]} TLV`, off);
  }
  const out: Lldpdu = {
    chassisId: d.chassisId,
    portId: d.portId,
    ttl: d.ttl,
    managementAddresses: d.managementAddresses,
    orgTlvs: d.orgTlvs,
    unknownTlvs: d.unknownTlvs,
    endTlv,
  };
  if (d.portDescription !== undefined) out.portDescription = d.portDescription;
  if (d.systemName !== undefined) out.systemName = d.systemName;
  if (d.systemDescription !== undefined) out.systemDescription = d.systemDescription;
  if (d.capabilities) out.capabilities = d.capabilities;
  return out;
}

function decodeOne(buf: Buffer, d: Draft, type: number, off: number, vs: number, ve: number): void {
  const length = ve - vs;
  switch (type) {
    case TLV.chassisId:
      d.chassisId = decodeId(buf, 'chassis', off, vs, ve);
      return;
    case TLV.portId:
      d.portId = decodeId(buf, 'port', off, vs, ve);
      return;
    case TLV.ttl:
      // 802.1AB-2016 lets a receiver use the first two octets of a longer TTL TLV.
      if (length < 2) throw new LldpDecodeError(`Time To Live TLV has length ${length}, needs 2`, off);
      d.ttl = buf.readUInt16BE(vs);
      return;
    case TLV.portDescription:
      // A repeated optional TLV is a sender bug; the first one wins, as with lldpd.
      d.portDescription ??= text(buf, vs, ve);
      return;
    case TLV.systemName:
      d.systemName ??= text(buf, vs, ve);
      return;
    case TLV.systemDescription:
      d.systemDescription ??= text(buf, vs, ve);
      return;
    case TLV.systemCapabilities:
      if (length !== 4) throw new LldpDecodeError(`System Capabilities TLV has length ${length}, not 4`, off);
      d.capabilities ??= capabilities(buf.readUInt16BE(vs), buf.readUInt16BE(vs + 2));
      return;
    case TLV.managementAddress:
      d.managementAddresses.push(managementAddress(buf, off, vs, ve));
      return;
    case TLV.orgSpecific:
      if (length < 4) throw new LldpDecodeError(`organisationally specific TLV has length ${length}, needs 4`, off);
      d.orgTlvs.push(decodeOrgTlv(buf.subarray(vs, vs + 3), buf[vs + 3]!, buf.subarray(vs + 4, ve)));
      return;
    default:
      d.unknownTlvs.push({ type, offset: off, info: toHex(buf.subarray(vs, ve)) });
  }
}

/** Subtypes whose id is text (802.1AB tables 8-2 and 8-3). */
const TEXT_SUBTYPES = { chassis: new Set([1, 2, 3, 6, 7]), port: new Set([1, 2, 5, 7]) };

function decodeId(buf: Buffer, kind: 'chassis' | 'port', off: number, vs: number, ve: number): LldpId {
  const name = kind === 'chassis' ? 'Chassis ID' : 'Port ID';
  const length = ve - vs;
  if (length < 2 || length > 256) throw new LldpDecodeError(`${name} TLV has length ${length}, needs 2 to 256`, off);
  const subtype = buf[vs]!;
  const bytes = buf.subarray(vs + 1, ve);
  const raw = toHex(bytes);
  const macSubtype = kind === 'chassis' ? 4 : 3;
  const addressSubtype = kind === 'chassis' ? 5 : 4;
  if (subtype === macSubtype) {
    if (bytes.length !== 6) throw new LldpDecodeError(`${name} of subtype MAC has ${bytes.length} bytes, not 6`, vs + 1);
    return { subtype, value: formatMac(bytes), raw };
  }
  if (subtype === addressSubtype) {
    const family = bytes[0]!;
    const value = bytes.length >= 2 ? formatNetworkAddress(family, bytes.subarray(1)) : undefined;
    if (value === undefined) {
      throw new LldpDecodeError(`${name} network address of family ${family} has ${bytes.length - 1} bytes`, vs + 1);
    }
    return { subtype, value, raw };
  }
  if (TEXT_SUBTYPES[kind].has(subtype)) return { subtype, value: text(buf, vs + 1, ve), raw };
  return { subtype, value: raw, raw };
}

function text(buf: Buffer, start: number, end: number): string {
  // Some agents NUL-terminate their strings; the NULs are not part of the value.
  let e = end;
  while (e > start && buf[e - 1] === 0) e--;
  return buf.toString('utf8', start, e);
}

function capabilityNames(bits: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < 16; i++) if (bits & (1 << i)) names.push(CAPABILITY_NAMES[i] ?? `bit${i}`);
  return names;
}

function capabilities(supportedBits: number, enabledBits: number): LldpCapabilities {
  return { supported: capabilityNames(supportedBits), enabled: capabilityNames(enabledBits), supportedBits, enabledBits };
}

function managementAddress(buf: Buffer, off: number, vs: number, ve: number): LldpManagementAddress {
  const length = ve - vs;
  if (length < 9 || length > 167) throw new LldpDecodeError(`Management Address TLV has length ${length}, needs 9 to 167`, off);
  const addressLength = buf[vs]!;
  if (addressLength < 2 || addressLength > 32) {
    throw new LldpDecodeError(`management address string length ${addressLength} is not 2 to 32`, vs);
  }
  const p = vs + 1 + addressLength;
  if (p + 6 > ve) throw new LldpDecodeError('management address runs past the end of its TLV', vs);
  const family = buf[vs + 1]!;
  const address = formatNetworkAddress(family, buf.subarray(vs + 2, p));
  if (address === undefined) {
    throw new LldpDecodeError(`management address of family ${family} has ${addressLength - 1} bytes`, vs + 1);
  }
  const oidLength = buf[p + 5]!;
  if (oidLength > 128 || p + 6 + oidLength !== ve) {
    throw new LldpDecodeError(`management address OID length ${oidLength} does not fit its TLV`, p + 5);
  }
  const oid = decodeOid(buf.subarray(p + 6, ve));
  if (oid === undefined) throw new LldpDecodeError('management address OID ends inside a sub-identifier', p + 6);
  return { family, address, interfaceSubtype: buf[p]!, ifIndex: buf.readUInt32BE(p + 1), oid };
}
