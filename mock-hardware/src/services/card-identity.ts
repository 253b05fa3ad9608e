/**
 * Identity derived from a card's serial number. A DPU's own BMC and the host BMC whose slot holds the card both
 * describe the same silicon, so both compute its port MACs and component serials from the card serial with these
 * functions: the two views agree without the host having to read the DPU's state.
 */

/** FNV-1a over a string, 32 bits; enough spread for simulator identities and stable across runs. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Organisationally unique identifiers registered to Mellanox (now NVIDIA networking). Spreading cards over several
 * OUIs widens the space the hash draws from, which keeps MAC collisions in large simulated fleets rare.
 */
const NVIDIA_OUIS = ['b8:3f:d2', '0c:42:a1', '98:03:9b', 'b8:ce:f6', '1c:34:da', '50:6b:4b', '04:3f:72', '08:c0:eb'];

const hex = (n: number) => n.toString(16).padStart(2, '0');

/**
 * MAC addresses of a card's physical functions, p0 first. ConnectX assigns a card's functions consecutive addresses
 * from one base, so the base is aligned to the port count and each port adds one.
 */
export function cardPortMacs(cardSerial: string, ports = 2): string[] {
  const h = fnv1a(cardSerial);
  const oui = NVIDIA_OUIS[fnv1a(cardSerial, 0x9e3779b9) % NVIDIA_OUIS.length]!;
  const align = ports <= 2 ? 2 : 4;
  const base = (h & 0xffffff) - ((h & 0xffffff) % align);
  return Array.from({ length: ports }, (_, i) => {
    const n = base + i;
    return `${oui}:${hex((n >> 16) & 0xff)}:${hex((n >> 8) & 0xff)}:${hex(n & 0xff)}`;
  });
}

/** A component serial (DIMM, drive, CPU) tied to its parent's serial, so it is stable per device and differs between devices. */
export function componentSerial(parentSerial: string, component: string, prefix = ''): string {
  const abc = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  let h = fnv1a(`${parentSerial}/${component}`);
  let h2 = fnv1a(`${component}/${parentSerial}`, 0x9e3779b9);
  let s = '';
  for (let i = 0; i < 10; i++) {
    const src = i < 5 ? h : h2;
    s += abc[src % abc.length];
    if (i < 5) h = Math.floor(h / abc.length);
    else h2 = Math.floor(h2 / abc.length);
  }
  return `${prefix}${s}`;
}

/** A UUID (version 4 layout) derived from a parent identity, for components that carry one. */
export function componentUuid(parentSerial: string, component: string): string {
  const words = [0, 1, 2, 3].map((i) => fnv1a(`${parentSerial}/${component}/${i}`).toString(16).padStart(8, '0')).join('');
  return `${words.slice(0, 8)}-${words.slice(8, 12)}-4${words.slice(13, 16)}-${'89ab'[parseInt(words[16]!, 16) % 4]}${words.slice(17, 20)}-${words.slice(20, 32)}`;
}
