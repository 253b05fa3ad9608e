import type { ComponentInfo, InventorySnapshot } from '../model/inventory.js';
import { normaliseMac, normaliseSerial, normaliseUuid, type CarriedDevice, type DeviceIdentity } from '../model/discovery.js';

/** MAC properties a NetworkDeviceFunction or port may carry, by their Redfish names. */
function macsOf(c: ComponentInfo): string[] {
  const p = c.properties;
  const eth = (p.Ethernet ?? {}) as Record<string, unknown>;
  return [p.MACAddress, p.PermanentMACAddress, eth.MACAddress, eth.PermanentMACAddress, ...(Array.isArray(p.AssociatedNetworkAddresses) ? p.AssociatedNetworkAddresses : [])]
    .map((m) => normaliseMac(typeof m === 'string' ? m : undefined))
    .filter((m): m is string => !!m);
}

/** The component that `c` sits in, following parents up to a system or chassis. */
function ancestors(c: ComponentInfo, all: readonly ComponentInfo[]): ComponentInfo[] {
  const out: ComponentInfo[] = [];
  let cur: ComponentInfo | undefined = c;
  for (let i = 0; cur && i < 8; i++) {
    const parent: ComponentInfo['parent'] = cur.parent;
    cur = all.find((x) => x.kind === parent.kind && x.id === parent.id);
    if (cur) out.push(cur);
  }
  return out;
}

/**
 * Who a device is and which DPU cards it carries, from its first inventory. The device's serial is the one its
 * driver names for the endpoint (the main chassis); a DPU card's serial seen from its host goes to `carried`, never
 * to the host's own keys, or the host and the DPU's BMC would look like one device.
 */
export function identityFromSnapshot(snap: InventorySnapshot): { identity: DeviceIdentity; carried: CarriedDevice[] } {
  const e = snap.endpoint;
  const sys = snap.systems[0]?.identity;
  const identity: DeviceIdentity = {};
  const uuid = normaliseUuid(e.uuid);
  if (uuid) identity.uuid = uuid;
  const serial = normaliseSerial(e.serialNumber);
  if (serial) {
    identity.serialNumber = serial;
    identity.serials = [serial];
  }
  const set = (k: 'manufacturer' | 'model' | 'partNumber' | 'firmwareVersion' | 'vendor' | 'product' | 'redfishVersion', v: string | undefined) => {
    if (v) identity[k] = v;
  };
  set('manufacturer', e.manufacturer ?? sys?.manufacturer);
  set('model', e.model ?? sys?.model);
  set('partNumber', e.partNumber);
  set('firmwareVersion', e.firmwareVersion);
  set('vendor', e.vendor);
  set('product', e.product);
  set('redfishVersion', e.redfishVersion);

  const dpus = snap.components.filter((c) => c.isDpu);
  const carriedBySerial = new Map<string, CarriedDevice>();
  const carried: CarriedDevice[] = [];
  for (const c of dpus) {
    const s = normaliseSerial(c.identity.serialNumber);
    const existing = s ? carriedBySerial.get(s) : undefined;
    if (existing) continue; // the same card listed as a PCIeDevice and a NetworkAdapter
    const entry: CarriedDevice = { slot: c.id };
    if (s) entry.serial = s;
    if (c.identity.manufacturer) entry.manufacturer = c.identity.manufacturer;
    if (c.identity.model) entry.model = c.identity.model;
    carried.push(entry);
    if (s) carriedBySerial.set(s, entry);
  }
  const own = new Set<string>();
  for (const c of snap.components) {
    const macs = macsOf(c);
    if (!macs.length) continue;
    const card = [c, ...ancestors(c, snap.components)].find((x) => x.isDpu);
    if (card) {
      const entry = carried.find((x) => x.slot === card.id) ?? (card.identity.serialNumber ? carriedBySerial.get(normaliseSerial(card.identity.serialNumber) ?? '') : undefined);
      if (entry) entry.macs = [...new Set([...(entry.macs ?? []), ...macs])];
    } else for (const m of macs) own.add(m);
  }
  if (own.size) identity.macs = [...own];
  return { identity, carried };
}
