/**
 * The decoder on frames real lldpd sent (test/fixtures/lldp, see its README): every field is checked against what
 * capture.sh configured and against lldpcli's json0 view of the same neighbours, captured in the same run.
 */
import { describe, expect, it } from 'vitest';
import { decodeLldp, decodeLldpdu, decodeLldpFrame, type LldpMessage } from '../../../src/discovery/lldp/tlv.js';
import { lldpcliChassisSubtype, lldpcliPortSubtype } from '../../../src/discovery/sources/lldp.js';
import { CONFIGURED, fixtureFrames, json0, LLDP_MULTICAST, neighbour } from './fixtures.js';

/** lldpcli's capability names to the decoder's. */
const CAPABILITY = { Other: 'other', Repeater: 'repeater', Bridge: 'bridge', Wlan: 'wlanAccessPoint', Router: 'router', Tel: 'telephone', Docsis: 'docsisCableDevice', Station: 'stationOnly' } as const;

/** json0's `41,42,43` / `FF` to the decoder's lower-case hex. */
const hex = (commaHex: string) => commaHex.split(',').join('').toLowerCase();
const ouiOf = (commaHex: string) => commaHex.split(',').join(':').toLowerCase();

function decodeAll(name: string): LldpMessage[] {
  return fixtureFrames(name).map((f) => decodeLldpFrame(f.data));
}

/** Checks the fields every lldpd neighbour shows in json0 against the decoded frame. */
function expectMatchesJson0(m: LldpMessage, n: ReturnType<typeof neighbour>): void {
  const ch = n.chassis[0]!;
  const port = n.port[0]!;
  expect(m.chassisId.value).toBe(ch.id[0]!.value);
  expect(m.chassisId.subtype).toBe(lldpcliChassisSubtype(ch.id[0]!.type!));
  expect(m.portId.value).toBe(port.id[0]!.value);
  expect(m.portId.subtype).toBe(lldpcliPortSubtype(port.id[0]!.type!));
  expect(m.ttl).toBe(Number(port.ttl?.[0]?.value));
  expect(m.portDescription).toBe(port.descr?.[0]?.value);
  expect(m.systemName).toBe(ch.name?.[0]?.value);
  expect(m.systemDescription).toBe(ch.descr?.[0]?.value);
  expect(m.managementAddresses.map((a) => a.address)).toEqual((ch['mgmt-ip'] ?? []).map((v) => v.value));
  expect(m.managementAddresses.map((a) => String(a.ifIndex))).toEqual((ch['mgmt-iface'] ?? []).map((v) => v.value));
  // json0 lists the supported capabilities, each with whether it is enabled.
  const caps = ch.capability ?? [];
  expect(m.capabilities?.supported.slice().sort()).toEqual(caps.map((c) => CAPABILITY[c.type as keyof typeof CAPABILITY]).sort());
  expect(m.capabilities?.enabled.slice().sort()).toEqual(
    caps.filter((c) => c.enabled).map((c) => CAPABILITY[c.type as keyof typeof CAPABILITY]).sort(),
  );
  const an = port['auto-negotiation']?.[0];
  const macPhy = m.orgTlvs.find((t) => t.decoded?.kind === 'dot3-mac-phy')?.decoded;
  expect(macPhy).toMatchObject({ autonegSupported: an?.supported, autonegEnabled: an?.enabled });
  // lldpd shows only the custom TLVs it has no decoder for; the decoder sees them among all org TLVs.
  const unknown = (n['unknown-tlvs'] ?? []).flatMap((g) => g['unknown-tlv']);
  for (const u of unknown) {
    expect(m.orgTlvs).toContainEqual({ oui: ouiOf(u.oui), subtype: Number(u.subtype), info: hex(u.value) });
    expect(hex(u.value).length / 2).toBe(Number(u.len));
  }
}

describe('LLDPDU decoder on frames from real lldpd', () => {
  const bmcA = decodeAll('bmc-a.pcap');
  const onGwB = json0('neighbors-on-gw-b.json');
  const onBmcA = json0('neighbors-on-bmc-a.json');

  it('reads every captured frame', () => {
    expect(bmcA).toHaveLength(3);
    expect(decodeAll('bmc-c.pcap')).toHaveLength(1);
    expect(decodeAll('gw-b.pcap')).toHaveLength(2);
  });

  it('decodes bmc-a (a simulated DPU BMC) as configured', () => {
    const a = CONFIGURED.a;
    const m = bmcA[0]!;
    expect(m.ethernet).toMatchObject({ destination: LLDP_MULTICAST, source: a.mac, vlanTags: [] });
    expect(m.chassisId).toEqual({ subtype: 4, value: a.mac, raw: a.mac.replace(/:/g, '') });
    expect(m.portId).toEqual({ subtype: 3, value: a.mac, raw: a.mac.replace(/:/g, '') });
    expect(m.ttl).toBe(a.ttl);
    expect(m.systemName).toBe(a.hostname);
    expect(m.systemDescription).toBe(a.description);
    expect(m.portDescription).toMatch(/^shla\d+$/);
    expect(m.capabilities).toEqual({
      supported: ['bridge', 'wlanAccessPoint', 'router', 'stationOnly'],
      enabled: ['stationOnly'],
      supportedBits: 0x9c,
      enabledBits: 0x80,
    });
    expect(m.managementAddresses).toEqual([
      { family: 1, address: a.managementAddresses[0], interfaceSubtype: 2, ifIndex: expect.any(Number), oid: '' },
      { family: 2, address: a.managementAddresses[1], interfaceSubtype: 2, ifIndex: expect.any(Number), oid: '' },
    ]);
    expect(m.orgTlvs).toContainEqual(a.custom);
    expect(m.orgTlvs).toContainEqual({ oui: '00:80:c2', subtype: 1, info: '0064', decoded: { kind: 'dot1-port-vlan-id', vlanId: a.portVlanId } });
    expect(m.orgTlvs).toContainEqual({
      oui: '00:80:c2',
      subtype: 3,
      info: '0064046d676d74',
      decoded: { kind: 'dot1-vlan-name', ...a.vlanName },
    });
    expect(m.orgTlvs).toContainEqual({ oui: '00:12:0f', subtype: 4, info: '05ee', decoded: { kind: 'dot3-max-frame-size', maxFrameSize: a.maxFrameSize } });
    // veth reports no autonegotiation and 10GBASE-T (RFC 4836 dot3MauType 54), which json0 prints as "10GbaseT".
    const macPhy = m.orgTlvs.find((t) => t.decoded?.kind === 'dot3-mac-phy');
    expect(macPhy?.decoded).toEqual({ kind: 'dot3-mac-phy', autonegSupported: false, autonegEnabled: false, pmdAdvertised: 0x8000, mauType: 54 });
    // 802.3 link aggregation (subtype 3) has no decoder here: kept, undecoded.
    expect(m.orgTlvs).toContainEqual({ oui: '00:12:0f', subtype: 3, info: '0100000000' });
    expect(m.unknownTlvs).toEqual([]);
    expect(m.endTlv).toBe(true);
  });

  it('agrees with lldpd about bmc-a (json0 from the same capture)', () => {
    const n = neighbour(onGwB, CONFIGURED.a.mac);
    for (const m of bmcA) expectMatchesJson0(m, n);
    const m = bmcA[0]!;
    const vlan = n.vlan?.[0];
    expect(vlan?.pvid).toBe(true);
    expect(m.orgTlvs.map((t) => t.decoded)).toContainEqual({ kind: 'dot1-port-vlan-id', vlanId: Number(vlan?.['vlan-id']) });
    expect(m.orgTlvs.map((t) => t.decoded)).toContainEqual({ kind: 'dot1-vlan-name', vlanId: Number(vlan?.['vlan-id']), name: vlan?.value });
    expect(m.orgTlvs.map((t) => t.decoded)).toContainEqual({ kind: 'dot3-max-frame-size', maxFrameSize: Number(n.port[0]!.mfs?.[0]?.value) });
  });

  it('decodes bmc-c (locally assigned ids, no management address, two vendor TLVs) and agrees with json0', () => {
    const c = CONFIGURED.c;
    const [m] = decodeAll('bmc-c.pcap');
    expect(m!.ethernet?.source).toBe(c.mac);
    expect(m!.chassisId).toEqual({ subtype: 7, value: c.chassisId, raw: Buffer.from(c.chassisId).toString('hex') });
    expect(m!.portId).toEqual({ subtype: 7, value: c.portId, raw: Buffer.from(c.portId).toString('hex') });
    expect(m!.systemName).toBe(c.hostname);
    expect(m!.systemDescription).toBe(c.description);
    expect(m!.managementAddresses).toEqual([]);
    expect(m!.orgTlvs.filter((t) => !t.oui.startsWith('00:12:0f'))).toEqual(c.custom);
    expectMatchesJson0(m!, neighbour(onGwB, c.chassisId));
  });

  it('decodes gw-b (the nanosecond capture) and agrees with json0 taken on bmc-a', () => {
    const frames = decodeAll('gw-b.pcap');
    const n = onBmcA.lldp[0]!.interface![0]!;
    for (const m of frames) {
      expect(CONFIGURED.b.macs).toContain(m.chassisId.value);
      expect(m.systemName).toBe(CONFIGURED.b.hostname);
      expect(m.systemDescription).toBe(CONFIGURED.b.description);
      expect(m.managementAddresses.map((x) => x.address)).toEqual(CONFIGURED.b.managementAddresses);
      expectMatchesJson0(m, n);
    }
  });

  it('decodes the shutdown LLDPDU lldpd sends when it stops (TTL 0, no optional TLVs)', () => {
    const [m] = decodeAll('bmc-a-shutdown.pcap');
    expect(m).toEqual({
      ethernet: { destination: LLDP_MULTICAST, source: CONFIGURED.a.mac, vlanTags: [], payloadOffset: 14 },
      chassisId: bmcA[0]!.chassisId,
      portId: bmcA[0]!.portId,
      ttl: 0,
      managementAddresses: [],
      orgTlvs: [],
      unknownTlvs: [],
      endTlv: true,
    });
  });

  it('decodes the same LLDPDU bare, tagged, and through the auto-detecting entry point', () => {
    const frame = fixtureFrames('bmc-a.pcap')[0]!.data;
    const { ethernet, ...framed } = decodeLldpFrame(frame);
    expect(decodeLldpdu(frame.subarray(14))).toEqual(framed);
    expect(decodeLldp(frame.subarray(14))).toEqual(framed);
    expect(decodeLldp(frame)).toEqual({ ...framed, ethernet });
    // 802.1Q tag (PCP 7, VLAN 100) and then an 802.1ad S-tag in front of it.
    const tagged = Buffer.concat([frame.subarray(0, 12), Buffer.from([0x81, 0x00, 0xe0, 0x64]), frame.subarray(12)]);
    expect(decodeLldp(tagged)).toEqual({
      ...framed,
      ethernet: { ...ethernet, vlanTags: [{ tpid: 0x8100, priority: 7, dei: false, vlanId: 100 }], payloadOffset: 18 },
    });
    const qinq = Buffer.concat([frame.subarray(0, 12), Buffer.from([0x88, 0xa8, 0x10, 0x0a, 0x81, 0x00, 0x00, 0x64]), frame.subarray(12)]);
    expect(decodeLldpFrame(qinq).ethernet?.vlanTags).toEqual([
      { tpid: 0x88a8, priority: 0, dei: true, vlanId: 10 },
      { tpid: 0x8100, priority: 0, dei: false, vlanId: 100 },
    ]);
    // Minimum-size padding after the End TLV, as a switch would send it, changes nothing.
    expect(decodeLldpFrame(Buffer.concat([frame, Buffer.alloc(40)]))).toEqual({ ...framed, ethernet });
  });
});
