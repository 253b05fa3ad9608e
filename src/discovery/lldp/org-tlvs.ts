/**
 * Organisationally specific TLVs (type 127): the generic form every one of them has (OUI, subtype, information
 * string) plus small decoders for the IEEE 802.1 and 802.3 ones a management LAN commonly carries. Anything else is
 * kept as hex so that driver manifests can match vendor TLVs without Shoal knowing them.
 */
import type { LldpOrgTlv } from '../../model/discovery.js';
import { formatMac, toHex } from './format.js';

/** IEEE 802.1 OUI. */
export const OUI_IEEE_8021 = '00:80:c2';
/** IEEE 802.3 OUI. */
export const OUI_IEEE_8023 = '00:12:0f';

/** IEEE 802.1 Port VLAN ID (subtype 1): the port's untagged VLAN; 0 means the port does not say. */
export interface Dot1PortVlanId {
  kind: 'dot1-port-vlan-id';
  vlanId: number;
}

/** IEEE 802.1 VLAN Name (subtype 3). */
export interface Dot1VlanName {
  kind: 'dot1-vlan-name';
  vlanId: number;
  name: string;
}

/** IEEE 802.3 MAC/PHY Configuration/Status (subtype 1). */
export interface Dot3MacPhy {
  kind: 'dot3-mac-phy';
  autonegSupported: boolean;
  autonegEnabled: boolean;
  /** PMD auto-negotiation advertised capability bits (RFC 3636 `ifMauAutoNegCapAdvertisedBits`). */
  pmdAdvertised: number;
  /** Operational MAU type (RFC 4836 `dot3MauType` number, e.g. 16 = 1000BASE-T full duplex, 54 = 10GBASE-T). */
  mauType: number;
}

/** IEEE 802.3 Maximum Frame Size (subtype 4). */
export interface Dot3MaxFrameSize {
  kind: 'dot3-max-frame-size';
  maxFrameSize: number;
}

/** What the known decoders make of an organisationally specific TLV. */
export type LldpOrgDecoded = Dot1PortVlanId | Dot1VlanName | Dot3MacPhy | Dot3MaxFrameSize;

/** An organisationally specific TLV, with its decoded form when Shoal knows the OUI and subtype. */
export interface LldpDecodedOrgTlv extends LldpOrgTlv {
  /**
   * Absent for unknown OUIs/subtypes, and for known ones whose information string has the wrong length: 802.1AB
   * has a receiver ignore such a TLV, not the whole LLDPDU, so the raw hex is kept and nothing is guessed.
   */
  decoded?: LldpOrgDecoded;
}

function decodeKnown(oui: string, subtype: number, info: Uint8Array): LldpOrgDecoded | undefined {
  const view = Buffer.from(info.buffer, info.byteOffset, info.byteLength);
  if (oui === OUI_IEEE_8021) {
    if (subtype === 1 && view.length === 2) return { kind: 'dot1-port-vlan-id', vlanId: view.readUInt16BE(0) };
    if (subtype === 3 && view.length >= 3) {
      const nameLength = view[2]!;
      if (nameLength < 1 || nameLength > 32 || view.length !== 3 + nameLength) return undefined;
      return { kind: 'dot1-vlan-name', vlanId: view.readUInt16BE(0), name: view.toString('utf8', 3, 3 + nameLength) };
    }
  }
  if (oui === OUI_IEEE_8023) {
    if (subtype === 1 && view.length === 5) {
      const an = view[0]!;
      return {
        kind: 'dot3-mac-phy',
        autonegSupported: (an & 0x01) !== 0,
        autonegEnabled: (an & 0x02) !== 0,
        pmdAdvertised: view.readUInt16BE(1),
        mauType: view.readUInt16BE(3),
      };
    }
    if (subtype === 4 && view.length === 2) return { kind: 'dot3-max-frame-size', maxFrameSize: view.readUInt16BE(0) };
  }
  return undefined;
}

/**
 * Builds the typed form of one organisationally specific TLV from its parts: the three OUI bytes (or `aa:bb:cc`),
 * the subtype and the information string. Used for TLVs read off the wire and for lldpcli's `unknown-tlvs`.
 */
export function decodeOrgTlv(oui: Uint8Array | string, subtype: number, info: Uint8Array): LldpDecodedOrgTlv {
  const ouiText = typeof oui === 'string' ? oui.toLowerCase() : formatMac(oui);
  const tlv: LldpDecodedOrgTlv = { oui: ouiText, subtype, info: toHex(info) };
  const decoded = decodeKnown(ouiText, subtype, info);
  if (decoded) tlv.decoded = decoded;
  return tlv;
}
