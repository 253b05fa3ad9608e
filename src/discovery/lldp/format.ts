/**
 * Text forms of the binary values LLDP carries (MACs, IANA-family network addresses, BER object identifiers), shared
 * by the LLDPDU decoder and the lldpcli parser so that a frame and lldpd's view of it normalise to the same strings.
 */

/** Lower-case hex, no separators. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Six bytes as `aa:bb:cc:dd:ee:ff`. The caller checks the length. */
export function formatMac(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * Normalises a MAC written as `AA:BB:CC:DD:EE:FF`, `aa-bb-cc-dd-ee-ff`, `aabb.ccdd.eeff` or `aabbccddeeff` to
 * lower-case `aa:bb:cc:dd:ee:ff`. Returns undefined for anything that is not 48 bits of hex.
 */
export function normaliseMac(text: string): string | undefined {
  const t = text.trim();
  let hex: string;
  if (/^[0-9a-f]{1,2}([:-])[0-9a-f]{1,2}(\1[0-9a-f]{1,2}){4}$/i.test(t)) {
    // lldpd and some switches print single-digit octets without the leading zero.
    hex = t
      .split(/[:-]/)
      .map((p) => p.padStart(2, '0'))
      .join('');
  } else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(t) || /^[0-9a-f]{12}$/i.test(t)) {
    hex = t.replace(/\./g, '');
  } else {
    return undefined;
  }
  return hex.toLowerCase().match(/../g)!.join(':');
}

/** Dotted quad from four bytes. */
export function formatIpv4(bytes: Uint8Array): string {
  return Array.from(bytes).join('.');
}

/**
 * Sixteen bytes in RFC 5952 form: lower case, no leading zeros, the longest run of two or more zero groups as `::`,
 * and IPv4-mapped addresses as `::ffff:a.b.c.d`. This is the form `inet_ntop` (and so lldpcli) prints.
 */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIpv4(bytes.subarray(12, 16))}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** IANA address family numbers LLDP uses for network addresses. */
export const IANA_FAMILY = { ipv4: 1, ipv6: 2, mac: 6 } as const;

/**
 * A network address as LLDP carries it (IANA address family + bytes): IPv4 dotted, IPv6 per RFC 5952, an 802 MAC
 * (family 6) colon-separated, any other family as `<family>:<hex>`. Returns undefined when a known family has the
 * wrong number of bytes, so the caller can report where.
 */
export function formatNetworkAddress(family: number, bytes: Uint8Array): string | undefined {
  switch (family) {
    case IANA_FAMILY.ipv4:
      return bytes.length === 4 ? formatIpv4(bytes) : undefined;
    case IANA_FAMILY.ipv6:
      return bytes.length === 16 ? formatIpv6(bytes) : undefined;
    case IANA_FAMILY.mac:
      return bytes.length === 6 ? formatMac(bytes) : undefined;
    default:
      return `${family}:${toHex(bytes)}`;
  }
}

/**
 * Dotted form of a BER-encoded object identifier's content octets. Some agents include the BER tag and length
 * (`06 LL ...`) in the management address TLV and some do not; a leading tag whose length matches is skipped.
 * Returns undefined for an encoding that ends inside a sub-identifier.
 */
export function decodeOid(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return '';
  let content = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x06 && bytes[1] === bytes.length - 2) content = bytes.subarray(2);
  if (content.length === 0) return undefined;
  const arcs: bigint[] = [];
  let value = 0n;
  let open = false;
  for (const b of content) {
    value = (value << 7n) | BigInt(b & 0x7f);
    open = (b & 0x80) !== 0;
    if (!open) {
      arcs.push(value);
      value = 0n;
    }
  }
  if (open) return undefined;
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}
