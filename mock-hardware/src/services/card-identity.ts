/**
 * Identity derived from a device's fleet identity. A DPU's own BMC and the host BMC whose slot holds the card both
 * describe the same silicon, so both compute its port MACs (from the DPU's fleet position) and component serials
 * (from serials) with these functions: the two views agree without the host having to read the DPU's state.
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
 * MAC addresses are allocated, not hashed: a hash of the card serial drew from about 2^26 values, so a 10,000-card
 * fleet would likely hold a duplicate, and the gateway keys device identity on MACs. Instead every address is
 *
 *     <fleet prefix: 24 bits> <device index: 18 bits> <offset: 6 bits>
 *
 * The prefix is an OUI-style 24 bits derived from the fleet seed, with the locally administered bit set and the
 * group (multicast) bit clear, so every address is a valid unicast, locally administered MAC and different seeds
 * rarely share addresses. The device index is the device's position in its fleet (`DeviceInit.index`), unique within
 * the fleet, so two devices' 64-address blocks never overlap. Inside a block:
 *
 * - offset 0: the BMC's management interface;
 * - offsets 1-7: reserved;
 * - offset 8 + 4 * slot + port: the network functions of the card in `slot` (a DPU's own card is its slot 0; a host
 *   slot with no modelled DPU uses the host's block). ConnectX assigns a card's functions consecutive addresses from
 *   a base aligned to the port count; the base here is aligned to 4, which covers 1-, 2- and 4-port cards.
 */
const OFFSET_BITS = 6;
const BLOCK = 1 << OFFSET_BITS;
const BMC_OFFSET = 0;
const CARD_OFFSET = 8;
const SLOT_STRIDE = 4;
/** Slots whose cards fit in one device's block. */
export const MAX_CARD_SLOTS = (BLOCK - CARD_OFFSET) / SLOT_STRIDE;
/** Devices one fleet can give distinct MACs to (2^18). */
export const MAX_MAC_DEVICES = 1 << (24 - OFFSET_BITS);

/** Where a device's MACs come from. `DeviceInit` has both fields, so personas pass `device.init`. */
export interface MacOwner {
  /** Position of the device in its fleet; unique within the fleet. */
  index: number;
  /** The fleet's 24-bit prefix ({@link fleetMacPrefix}); {@link DEFAULT_MAC_PREFIX} when absent. */
  macPrefix?: number;
}

/** The 24-bit, OUI-style MAC prefix of a fleet: derived from its seed, locally administered and unicast. */
export function fleetMacPrefix(seed: string | number): number {
  const h = fnv1a(`mac-prefix/${seed}`);
  return (((((h >>> 16) & 0xfc) | 0x02) << 16) | (h & 0xffff)) >>> 0;
}

/** The prefix of a fleet with the default seed, also used for devices built outside a fleet. */
export const DEFAULT_MAC_PREFIX = fleetMacPrefix('1');

const hex = (n: number) => n.toString(16).padStart(2, '0');

function allocate(owner: MacOwner, offset: number): string {
  const { index } = owner;
  if (!Number.isInteger(index) || index < 0 || index >= MAX_MAC_DEVICES) throw new RangeError(`device index ${index} is outside the ${MAX_MAC_DEVICES} devices a fleet can give MACs to`);
  const prefix = owner.macPrefix ?? DEFAULT_MAC_PREFIX;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 0xffffff || (prefix & 0x030000) !== 0x020000) throw new RangeError(`MAC prefix ${prefix} is not a 24-bit locally administered unicast prefix`);
  const low = index * BLOCK + offset;
  return [prefix >>> 16, (prefix >>> 8) & 0xff, prefix & 0xff, low >>> 16, (low >>> 8) & 0xff, low & 0xff].map(hex).join(':');
}

function slotMacs(owner: MacOwner, slot: number, ports: number): string[] {
  if (!Number.isInteger(ports) || ports < 1 || ports > SLOT_STRIDE) throw new RangeError(`a card has 1 to ${SLOT_STRIDE} ports, not ${ports}`);
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_CARD_SLOTS) throw new RangeError(`slot index ${slot} is outside the ${MAX_CARD_SLOTS} slots a device can give MACs to`);
  return Array.from({ length: ports }, (_, p) => allocate(owner, CARD_OFFSET + slot * SLOT_STRIDE + p));
}

/** MAC address of a device's BMC management interface (LLDP chassis id, discovery adverts). */
export function bmcMac(owner: MacOwner): string {
  return allocate(owner, BMC_OFFSET);
}

/**
 * MAC addresses of a DPU card's physical functions, p0 first, from the DPU device's fleet identity. The DPU's BMC
 * (`cardPortMacs(dpu.init)`) and the host whose slot holds it ({@link slotCardMacs}) both call this, so the two views agree.
 */
export function cardPortMacs(card: MacOwner, ports = 2): string[] {
  return slotMacs(card, 0, ports);
}

/**
 * MAC addresses of the card in a host's slot (0-based `slotIndex`): the DPU's own {@link cardPortMacs} when a modelled
 * DPU sits there, otherwise addresses from the host's block, so an unmodelled card still has stable, unique MACs.
 */
export function slotCardMacs(host: MacOwner, slotIndex: number, dpu: MacOwner | undefined, ports = 2): string[] {
  return dpu ? cardPortMacs(dpu, ports) : slotMacs(host, slotIndex, ports);
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
