import { createHash } from 'node:crypto';
import {
  addressKey,
  normaliseMac,
  normaliseSerial,
  normaliseUuid,
  type DeviceKey,
  type DiscoveredDevice,
  type IdentityKeys,
  type Sighting,
  type SightingProtocol,
} from '../model/discovery.js';

/** What correlation reads: who holds a key, and which devices sit at a host. */
export interface KeyIndex {
  owner(k: DeviceKey): string | undefined;
  device(id: string): DiscoveredDevice | undefined;
  atHost(host: string): readonly string[];
}

/** The outcome of resolving a sighting's keys against the devices already known. */
export type Resolution =
  | { kind: 'new' }
  | { kind: 'existing'; id: string }
  /** Keys of several known devices met in one sighting: they were one device all along. */
  | { kind: 'merge'; keep: string; absorb: string[] };

/** Normalises identity keys; anything that is not a usable key is dropped. */
export function normaliseKeys(k: IdentityKeys): IdentityKeys {
  const out: IdentityKeys = {};
  const uuid = normaliseUuid(k.uuid);
  if (uuid) out.uuid = uuid;
  const serials = [...new Set((k.serials ?? []).map(normaliseSerial).filter((x): x is string => !!x))];
  if (serials.length) out.serials = serials;
  const macs = [...new Set((k.macs ?? []).map(normaliseMac).filter((x): x is string => !!x))];
  if (macs.length) out.macs = macs;
  if (k.lldpChassisId?.trim()) out.lldpChassisId = k.lldpChassisId.trim();
  return out;
}

/** The union of two sets of keys: one UUID (the first one known wins), every serial and MAC, one LLDP chassis id. */
export function unionKeys(a: IdentityKeys, b: IdentityKeys): IdentityKeys {
  const u: IdentityKeys = { serials: [...(a.serials ?? []), ...(b.serials ?? [])], macs: [...(a.macs ?? []), ...(b.macs ?? [])] };
  const uuid = a.uuid ?? b.uuid;
  if (uuid) u.uuid = uuid;
  const lldp = a.lldpChassisId ?? b.lldpChassisId;
  if (lldp) u.lldpChassisId = lldp;
  return normaliseKeys(u);
}

/** The strong keys (those that follow a device wherever it is seen). */
export function strongKeys(k: IdentityKeys): DeviceKey[] {
  const n = normaliseKeys(k);
  const out: DeviceKey[] = [];
  if (n.uuid) out.push({ kind: 'uuid', value: n.uuid });
  for (const s of n.serials ?? []) out.push({ kind: 'serial', value: s });
  for (const m of n.macs ?? []) out.push({ kind: 'mac', value: m });
  if (n.lldpChassisId) out.push({ kind: 'lldp', value: n.lldpChassisId });
  return out;
}

/** Every key a device holds: its strong keys and the address of each way in. */
export function deviceKeys(d: DiscoveredDevice): DeviceKey[] {
  const keys = strongKeys(d.identity);
  keys.push({ kind: 'addr', value: addressKey(d.protocol, d.host, d.port) });
  for (const a of d.alternates) keys.push({ kind: 'addr', value: addressKey(a.protocol, a.host, a.port) });
  return keys;
}

/**
 * Two records can be one device only if they do not name different service-root UUIDs: a UUID is the one key a
 * device has exactly one of. Serials and MACs come in sets (a card and its board, several ports), so they never veto.
 */
function compatible(d: DiscoveredDevice, uuid: string | undefined): boolean {
  return !uuid || !d.identity.uuid || d.identity.uuid === uuid;
}

/**
 * Decides which known device a sighting belongs to. Strong keys decide first; without them the exact address
 * does; a bare IPMI or SNMP sighting joins the one Redfish device at the same host (one BMC, several protocols), and a
 * Redfish sighting joins a device known only by IPMI or SNMP there. Several known devices whose keys all appear in one
 * sighting are merged into the oldest.
 */
export function resolveSighting(s: Pick<Sighting, 'protocol' | 'host' | 'port' | 'keys'>, index: KeyIndex): Resolution {
  const uuid = normaliseUuid(s.keys.uuid);
  const matched = new Set<string>();
  for (const k of strongKeys(s.keys)) {
    const id = index.owner(k);
    const d = id ? index.device(id) : undefined;
    if (d && compatible(d, uuid)) matched.add(d.id);
  }
  if (matched.size === 1) return { kind: 'existing', id: [...matched][0]! };
  if (matched.size > 1) {
    const ds = [...matched].map((id) => index.device(id)!).sort((a, b) => a.firstSeen - b.firstSeen || a.id.localeCompare(b.id));
    return { kind: 'merge', keep: ds[0]!.id, absorb: ds.slice(1).map((d) => d.id) };
  }
  const atAddr = index.owner({ kind: 'addr', value: addressKey(s.protocol, s.host, s.port) });
  const d = atAddr ? index.device(atAddr) : undefined;
  if (d && compatible(d, uuid)) return { kind: 'existing', id: d.id };
  if (d) return { kind: 'new' }; // a different device now answers at that address
  const here = index.atHost(s.host.toLowerCase()).map((id) => index.device(id)!).filter((x) => x && compatible(x, uuid));
  if (s.protocol !== 'redfish') {
    const redfish = here.filter((x) => x.protocol === 'redfish');
    if (redfish.length === 1) return { kind: 'existing', id: redfish[0]!.id };
  } else {
    const legacy = here.filter((x) => x.protocol !== 'redfish');
    if (legacy.length === 1 && here.length === 1) return { kind: 'existing', id: legacy[0]!.id };
  }
  return { kind: 'new' };
}

const B32 = 'abcdefghijkmnpqrstuvwxyz23456789';

/**
 * A short readable id derived from the device's first key, so the same fleet gets the same ids on a fresh store. No
 * `_`: aggregated resource ids are `<source>_<id>` (DSP0266). A collision re-hashes with a counter.
 */
export function newDeviceId(seed: string, taken: (id: string) => boolean): string {
  for (let i = 0; ; i++) {
    const h = createHash('sha256').update(i === 0 ? seed : `${seed}#${i}`).digest();
    let id = '';
    for (let j = 0; j < 6; j++) id += B32[h[j]! % B32.length];
    if (!taken(id)) return id;
  }
}

/** Preference when one device offers several protocols: Redfish, then IPMI, then SNMP. */
export const PROTOCOL_RANK: Readonly<Record<SightingProtocol, number>> = { redfish: 0, ipmi: 1, snmp: 2 };
