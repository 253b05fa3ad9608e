import { describe, expect, it } from 'vitest';
import { planFleet } from '../src/fleet.js';
import { bmcMac, cardPortMacs, DEFAULT_MAC_PREFIX, fleetMacPrefix, MAX_CARD_SLOTS, MAX_MAC_DEVICES, slotCardMacs } from '../src/services/card-identity.js';

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
/** Valid unicast (group bit clear), locally administered (bit 1 of the first octet set). */
const unicastLocal = (mac: string) => MAC.test(mac) && (parseInt(mac.slice(0, 2), 16) & 0x03) === 0x02;

describe('fleet MAC allocation', () => {
  it('gives every BMC and card port of a 20,000-DPU fleet its own valid MAC, the same on the host and the DPU side', () => {
    // 10,000 hosts, each with two DPUs and two further slots holding cards with no modelled DPU, plus 100 loose DPUs.
    const plans = planFleet({
      seed: 'mac-fleet',
      devices: [
        { persona: 'openbmc-host', count: 10_000, dpusPerHost: 2, options: { slots: 4 } },
        { persona: 'bluefield3', count: 100 },
      ],
    });
    const byId = new Map(plans.map((p) => [p.id, p]));
    const dpus = plans.filter((p) => p.persona === 'bluefield3');
    expect(dpus.length).toBeGreaterThanOrEqual(20_000);

    const owners = new Map<string, string>();
    const problems: string[] = [];
    const claim = (mac: string, owner: string) => {
      if (!unicastLocal(mac)) problems.push(`${owner}: ${mac} is not a unicast, locally administered MAC`);
      const prev = owners.get(mac);
      if (prev !== undefined) problems.push(`${mac} belongs to both ${prev} and ${owner}`);
      owners.set(mac, owner);
    };
    for (const p of plans) {
      if (p.mac !== bmcMac(p)) problems.push(`${p.id}: BMC MAC ${p.mac} is not its allocated ${bmcMac(p)}`);
      claim(p.mac, `${p.id} BMC`);
    }
    for (const d of dpus) cardPortMacs(d).forEach((m, i) => claim(m, `${d.id} p${i}`));
    const hosts = plans.filter((p) => p.persona === 'openbmc-host');
    let paired = 0;
    for (const h of hosts) {
      for (let slot = 0; slot < 4; slot++) {
        const dpuId = h.dpuIds?.[slot];
        const dpu = dpuId === undefined ? undefined : byId.get(dpuId);
        const hostSide = slotCardMacs(h, slot, dpu);
        if (hostSide.length !== 2) problems.push(`${h.id} slot${slot + 1}: ${hostSide.length} MACs`);
        if (dpu) {
          if (dpu.hostId !== h.id) problems.push(`${dpu.id} sits in ${h.id} but names host ${dpu.hostId}`);
          // The host's NetworkAdapter functions for the slot are the DPU's own port MACs.
          const dpuSide = cardPortMacs(dpu);
          if (hostSide.join() !== dpuSide.join()) problems.push(`${h.id} slot${slot + 1} shows ${hostSide} but ${dpu.id} serves ${dpuSide}`);
          else paired++;
        } else hostSide.forEach((m, i) => claim(m, `${h.id} slot${slot + 1} p${i}`));
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
    expect(paired).toBe(20_000);
    expect(owners.size).toBe(plans.length + dpus.length * 2 + hosts.length * 2 * 2);
  });

  it('is deterministic for a seed and position, and puts different seeds under different prefixes', () => {
    const spec = { devices: [{ persona: 'openbmc-host', count: 3, dpusPerHost: 2 }] };
    const a = planFleet({ ...spec, seed: 7 });
    const b = planFleet({ ...spec, seed: 7 });
    const c = planFleet({ ...spec, seed: 8 });
    const macs = (ps: typeof a) => ps.flatMap((p) => [p.mac, ...(p.persona === 'bluefield3' ? cardPortMacs(p) : [])]);
    expect(macs(a)).toEqual(macs(b));
    expect(a.map((p) => p.serial)).toEqual(b.map((p) => p.serial));
    expect(a[0]!.macPrefix).toBe(fleetMacPrefix('7'));
    expect(c[0]!.macPrefix).not.toBe(a[0]!.macPrefix);
    expect(macs(c).filter((m) => macs(a).includes(m))).toEqual([]);
  });

  it('keeps prefixes locally administered and unicast, aligns card bases and refuses what it cannot address', () => {
    for (let s = 0; s < 2000; s++) expect((fleetMacPrefix(s) >>> 16) & 0x03).toBe(0x02);
    expect(DEFAULT_MAC_PREFIX).toBe(fleetMacPrefix(1));
    // Devices built outside a fleet (no prefix) still get valid addresses.
    expect(unicastLocal(bmcMac({ index: 0 }))).toBe(true);
    const four = cardPortMacs({ index: 5, macPrefix: 0x02aabb }, 4);
    expect(four).toEqual(['02:aa:bb:00:01:48', '02:aa:bb:00:01:49', '02:aa:bb:00:01:4a', '02:aa:bb:00:01:4b']);
    expect(bmcMac({ index: MAX_MAC_DEVICES - 1, macPrefix: 0x02aabb })).toBe('02:aa:bb:ff:ff:c0');
    expect(() => bmcMac({ index: MAX_MAC_DEVICES })).toThrow(RangeError);
    expect(() => bmcMac({ index: 0, macPrefix: 0x03aabb })).toThrow(RangeError);
    expect(() => cardPortMacs({ index: 0 }, 5)).toThrow(RangeError);
    expect(() => slotCardMacs({ index: 0 }, MAX_CARD_SLOTS, undefined)).toThrow(RangeError);
    expect(() => planFleet({ devices: [{ persona: 'openbmc-host', options: { slots: MAX_CARD_SLOTS + 1 } }] })).toThrow(/slots per host/);
  });
});
