/**
 * The lldp source against real lldpd: namespace A runs lldpd configured like a simulated BlueField-3 BMC (the
 * simulator's own config, plus a vendor TLV), namespace B runs the gateway's lldpd, and the source, run from this
 * process, reads B's table through B's control socket. Needs root, iproute2 and Debian lldpd; CI has all three.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvertisedDevice } from '../../../mock-hardware/src/discovery-hooks.js';
import { startLldpd, writeLldpdConfig, type LldpdProcess } from '../../../mock-hardware/src/discovery/lldp.js';
import { createNetnsPair, netnsSupport, type NetnsPair } from '../../../mock-hardware/src/discovery/netns.js';
import type { Sighting } from '../../../src/model/discovery.js';
import { createLldpSource } from '../../../src/discovery/sources/lldp.js';
import type { SourceContext } from '../../../src/discovery/sources/source.js';

const support = await netnsSupport();
const lldpdMissing = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v lldpd && command -v lldpcli']);
    return false;
  } catch {
    return true;
  }
})();
const skipReason = !support.ok ? support.reason : lldpdMissing ? 'lldpd is missing (apt-get install -y lldpd)' : '';

const MAC = '02:53:48:4c:10:01';
const VENDOR_TLV = { oui: '00:11:22', subtype: 9, info: '53484c' };

describe.skipIf(skipReason !== '')(`lldp source against real lldpd in network namespaces${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let pair: NetnsPair;
  let dir = '';
  let device: AdvertisedDevice;
  const procs: LldpdProcess[] = [];

  beforeAll(async () => {
    pair = await createNetnsPair({ tag: `shllldp${process.pid}`, macA: MAC });
    dir = mkdtempSync(join(tmpdir(), 'shoal-lldp-peer-'));
    device = {
      id: 'bf3-0001',
      persona: 'bluefield3',
      serviceRootUrl: `https://${pair.a.ip}:8443/redfish/v1`,
      uuid: '8b2b5a3c-8c1d-4e0f-9a55-5f1e2a3b4c5d',
      address: pair.a.ip,
      port: 8443,
      serial: 'MT2301X00001',
      hostname: 'bf3-0001-bmc.sim.test',
      mac: MAC,
      netns: pair.a.ns,
    };
    const confA = writeLldpdConfig(dir, device, { txInterval: 1 });
    appendFileSync(confA, 'configure lldp custom-tlv oui 00,11,22 subtype 9 oui-info 53,48,4c\n');
    procs.push(
      await startLldpd({ netns: pair.a.ns, iface: pair.a.iface, configPath: confA, socketPath: join(dir, 'a.sock'), managementAddress: pair.a.ip }),
    );
    const confB = join(dir, 'gw.conf');
    writeFileSync(confB, 'configure system hostname gw.sim.test\nconfigure lldp tx-interval 1\n');
    procs.push(await startLldpd({ netns: pair.b.ns, iface: pair.b.iface, configPath: confB, socketPath: join(dir, 'b.sock') }));
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await pair?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("finds A's management address and chassis MAC through B's lldpd (watch, then scan)", async () => {
    const source = createLldpSource({ socket: join(dir, 'b.sock'), intervalSeconds: 0.25 });
    const ac = new AbortController();
    let found: Sighting | undefined;
    const ctx: SourceContext = {
      signal: ac.signal,
      emit: (s) => {
        if (s.host === device.address) {
          found = s;
          ac.abort();
        }
      },
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
    };
    // lldpd needs a transmit interval or two before B knows A: poll, with a deadline in case it never does.
    const deadline = setTimeout(() => ac.abort(), 20_000);
    try {
      await source.watch!(ctx);
    } finally {
      clearTimeout(deadline);
    }
    expect(found, `no sighting for ${device.address}; lldpd A said: ${procs[0]?.log()}`).toBeDefined();
    const expected = {
      source: 'lldp',
      protocol: 'redfish',
      host: device.address,
      hostName: device.hostname,
      keys: { macs: [MAC] },
      hints: {
        lldp: {
          chassisId: MAC,
          portId: MAC,
          systemName: device.hostname,
          systemDescription: 'NVIDIA BlueField-3 BMC',
          orgTlvs: [VENDOR_TLV],
        },
      },
    };
    expect(found).toEqual({ ...expected, at: expect.any(Number) });
    expect(found).not.toHaveProperty('port');

    const sightings: Sighting[] = [];
    await source.scan({ ...ctx, signal: new AbortController().signal, emit: (s) => sightings.push(s) });
    expect(sightings).toEqual([{ ...expected, at: expect.any(Number) }]);
  });
});
