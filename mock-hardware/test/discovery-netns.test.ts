/**
 * Discovery on a real (virtual) link: two network namespaces joined by a veth pair. The simulator's advertisers run
 * in namespace A through the discovery agent; real clients (node-ssdp, bonjour-service, lldpd/lldpcli) look from B.
 * Needs root and iproute2; CI runs as root with `lldpd` installed, so these run there.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvertisedDevice } from '../src/discovery-hooks.js';
import { startDiscoveryAgent, type DiscoveryAgent } from '../src/discovery/agent-process.js';
import { lldpNeighbors, startLldpd, writeLldpdConfig, type LldpdProcess } from '../src/discovery/lldp.js';
import { createNetnsPair, netnsSupport, type NetnsPair } from '../src/discovery/netns.js';
import { REDFISH_SSDP_URN } from '../src/discovery/ssdp.js';

const support = await netnsSupport();

/** Repository root: inline client scripts resolve node-ssdp and bonjour-service from its node_modules. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAC = '02:5e:ed:00:00:01';
/** The personas serve RedfishVersion 1.17.0, so ST and NT carry the minor version (DSP0266). */
const ST17 = `${REDFISH_SSDP_URN}:17`;

const SSDP_SEARCH = `
import pkg from 'node-ssdp';
const { Client } = pkg;
const client = new Client({ interfaces: [process.argv[1]], explicitSocketBind: true });
const got = [];
client.on('response', (headers) => got.push(headers));
client.search(process.argv[2]);
setTimeout(() => { process.stdout.write(JSON.stringify(got)); client.stop(); process.exit(0); }, 2500);
`;

/** Joins the SSDP group on B's interface and prints every NOTIFY it hears for a while. */
const SSDP_LISTEN = `
import { createSocket } from 'node:dgram';
const sock = createSocket({ type: 'udp4', reuseAddr: true });
const got = [];
sock.on('message', (m) => {
  const text = m.toString();
  if (!text.startsWith('NOTIFY')) return;
  const h = {};
  for (const line of text.split('\\r\\n').slice(1)) { const i = line.indexOf(':'); if (i > 0) h[line.slice(0, i)] = line.slice(i + 1).trim(); }
  got.push(h);
});
sock.bind(1900, '0.0.0.0', () => {
  sock.addMembership('239.255.255.250', process.argv[1]);
  process.stdout.write('listening\\n');
});
setTimeout(() => { process.stdout.write(JSON.stringify(got) + '\\n'); process.exit(0); }, Number(process.argv[2]));
`;

const MDNS_BROWSE = `
import pkg from 'bonjour-service';
const bonjour = new pkg.Bonjour({ interface: process.argv[1], bind: '0.0.0.0' });
const got = [];
for (const type of ['redfish', 'obmc_redfish']) {
  bonjour.find({ type }, (s) => got.push({ name: s.name, type: s.type, host: s.host, port: s.port, addresses: s.addresses, txt: s.txt }));
}
setTimeout(() => { process.stdout.write(JSON.stringify(got)); bonjour.destroy(); process.exit(0); }, 3000);
`;

const missing = (cmds: string[]): boolean => {
  try {
    execFileSync('sh', ['-c', cmds.map((c) => `command -v ${c}`).join(' && ')]);
    return false;
  } catch {
    return true;
  }
};
const avahiMissing = missing(['avahi-daemon', 'avahi-browse', 'dbus-daemon', 'unshare']);
const lldpdMissing = missing(['lldpd', 'lldpcli']);

/**
 * Runs in namespace B under `unshare -m`: a private /run with its own system bus and avahi-daemon (avahi-browse only
 * talks D-Bus), then browses both Redfish service types. Every daemon is a child of this script, which reaps them.
 */
const AVAHI_BROWSE = `set -eu
iface=$1; dir=$2
mount -t tmpfs tmpfs /run
mkdir -p /run/dbus /run/avahi-daemon
printf '[server]\\nuse-ipv4=yes\\nuse-ipv6=no\\nallow-interfaces=%s\\nenable-dbus=yes\\n[publish]\\ndisable-publishing=yes\\n' "$iface" > "$dir/avahi.conf"
dbus-daemon --system --nofork --nopidfile & bus=$!
i=0; while [ ! -S /run/dbus/system_bus_socket ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
avahi-daemon -f "$dir/avahi.conf" --no-drop-root --no-chroot --no-rlimits > "$dir/avahi.log" 2>&1 & avahi=$!
sleep 2
avahi-browse -r -t -p _redfish._tcp || true
avahi-browse -r -t -p _obmc_redfish._tcp || true
kill $avahi $bus
wait
`;

describe.skipIf(!support.ok)(`discovery in network namespaces (${support.reason || 'root + ip'})`, () => {
  let pair: NetnsPair;
  let agent: DiscoveryAgent | undefined;
  const devices: AdvertisedDevice[] = [];

  beforeAll(async () => {
    pair = await createNetnsPair({ tag: `disc${process.pid}`, macA: MAC });
    const second = pair.a.ip.replace(/\.1$/, '.11');
    await pair.addAddress(pair.a, second);
    devices.push(
      {
        id: 'bf3-0001', persona: 'bluefield3', serviceRootUrl: `https://${pair.a.ip}:8443/redfish/v1`,
        uuid: '6c2f9a10-0b7e-4d7a-9c55-000000000001', address: pair.a.ip, port: 8443, serial: 'MT0001',
        hostname: 'bf3-0001-bmc.sim.test', mac: MAC, netns: pair.a.ns,
      },
      {
        id: 'host-0001', persona: 'openbmc-host', serviceRootUrl: `https://${second}:443/redfish/v1`,
        uuid: '6c2f9a10-0b7e-4d7a-9c55-000000000002', address: second, port: 443, serial: 'HOST0001',
        hostname: 'host-0001-bmc.sim.test', netns: pair.a.ns,
      },
    );
    agent = await startDiscoveryAgent({
      netns: pair.a.ns,
      config: {
        ssdp: { multicastInterface: pair.a.ip, reannounceMs: 500 },
        mdns: { interface: pair.a.ip },
      },
      devices,
    });
  });

  afterAll(async () => {
    await agent?.stop();
    await pair?.destroy();
  });

  it('answers a multicast M-SEARCH from node-ssdp in the other namespace', async () => {
    const out = await pair.exec(pair.b.ns, process.execPath, ['--input-type=module', '-e', SSDP_SEARCH, pair.b.iface, REDFISH_SSDP_URN], {
      timeoutMs: 15_000,
      cwd: repoRoot,
    });
    const replies = JSON.parse(out) as Array<Record<string, string>>;
    const byUsn = new Map(replies.map((r) => [r.USN, r]));
    for (const d of devices) {
      const r = byUsn.get(`uuid:${d.uuid}::${ST17}`);
      expect(r, `reply for ${d.id}`).toMatchObject({ ST: ST17, AL: d.serviceRootUrl, 'CACHE-CONTROL': 'max-age=1800' });
    }
  });

  it('multicasts NOTIFY ssdp:alive, and ssdp:byebye when it stops', async () => {
    // A second agent with only SSDP, so that stopping it does not disturb the other tests.
    const extra: AdvertisedDevice = { ...devices[0]!, id: 'bf3-0002', uuid: '6c2f9a10-0b7e-4d7a-9c55-000000000003' };
    const listener = pair.spawn(pair.b.ns, process.execPath, ['--input-type=module', '-e', SSDP_LISTEN, pair.b.ip, '4000'], {
      cwd: repoRoot,
    });
    let out = '';
    listener.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    await expect.poll(() => out.includes('listening'), { timeout: 5000 }).toBe(true);
    // Port 1900 is taken by the first agent's responder; SO_REUSEADDR lets a second one share it.
    const second = await startDiscoveryAgent({
      netns: pair.a.ns,
      config: { ssdp: { multicastInterface: pair.a.ip, reannounceMs: 60_000 } },
      devices: [extra],
    });
    await new Promise((r) => setTimeout(r, 500));
    await second.stop();
    await new Promise<void>((r) => listener.once('exit', () => r()));
    const notes = JSON.parse(out.split('\n')[1] ?? '[]') as Array<Record<string, string>>;
    const mine = notes.filter((n) => n.USN === `uuid:${extra.uuid}::${ST17}`);
    expect(mine.find((n) => n.NTS === 'ssdp:alive')).toMatchObject({
      NT: ST17, AL: extra.serviceRootUrl, 'CACHE-CONTROL': 'max-age=1800', HOST: '239.255.255.250:1900',
    });
    expect(mine.some((n) => n.NTS === 'ssdp:byebye')).toBe(true);
    // the long-running agent re-announces its own devices periodically
    expect(notes.some((n) => n.NTS === 'ssdp:alive' && n.USN?.includes(devices[0]!.uuid))).toBe(true);
  });

  it('announces _redfish._tcp and _obmc_redfish._tcp over mDNS, found by browsing from the other namespace', async () => {
    const out = await pair.exec(pair.b.ns, process.execPath, ['--input-type=module', '-e', MDNS_BROWSE, pair.b.ip], { timeoutMs: 15_000, cwd: repoRoot });
    const found = JSON.parse(out) as Array<{ name: string; type: string; port: number; addresses: string[]; txt: Record<string, string> }>;
    expect(found.find((s) => s.type === 'redfish')).toMatchObject({
      name: 'bf3-0001-bmc', port: 8443, addresses: [devices[0]!.address], txt: { path: '/redfish/v1', uuid: devices[0]!.uuid },
    });
    expect(found.find((s) => s.type === 'obmc_redfish')).toMatchObject({
      name: 'host-0001-bmc', port: 443, addresses: [devices[1]!.address], txt: { path: '/redfish/v1' },
    });
  });

  it.skipIf(avahiMissing)('is also found by avahi-browse (needs avahi-daemon, avahi-utils, dbus)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'avahi-'));
    try {
      const script = join(dir, 'browse.sh');
      writeFileSync(script, AVAHI_BROWSE);
      const out = await pair.exec(pair.b.ns, 'unshare', ['-m', 'sh', script, pair.b.iface, dir], { timeoutMs: 30_000 });
      // parseable resolved lines: =;iface;IPv4;name;type;domain;host;address;port;txt
      const resolved = out.split('\n').filter((l) => l.startsWith('=;')).map((l) => l.split(';'));
      const bf3 = resolved.find((f) => f[4] === '_redfish._tcp');
      expect(bf3?.slice(3, 9)).toEqual(['bf3-0001-bmc', '_redfish._tcp', 'local', 'bf3-0001-bmc.local', devices[0]!.address, '8443']);
      expect(bf3?.[9]).toContain('"path=/redfish/v1"');
      const obmc = resolved.find((f) => f[4] === '_obmc_redfish._tcp');
      expect(obmc?.slice(3, 9)).toEqual(['host-0001-bmc', '_obmc_redfish._tcp', 'local', 'host-0001-bmc.local', devices[1]!.address, '443']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.skipIf(lldpdMissing)('LLDP through lldpd (needs Debian lldpd)', () => {
    let dir = '';
    const procs: LldpdProcess[] = [];
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'lldp-'));
    });
    afterAll(async () => {
      await Promise.all(procs.map((p) => p.stop()));
      rmSync(dir, { recursive: true, force: true });
    });

    it('is seen by lldpcli in the other namespace with name, description, management IP and MAC chassis id', async () => {
      const device = devices[0]!;
      const conf = writeLldpdConfig(dir, device, { txInterval: 1 });
      procs.push(await startLldpd({ netns: pair.a.ns, iface: pair.a.iface, configPath: conf, socketPath: join(dir, 'a.sock'), managementAddress: device.address }));
      const peerConf = join(dir, 'peer.conf');
      writeFileSync(peerConf, 'configure system hostname gw.sim.test\nconfigure lldp tx-interval 1\n');
      procs.push(await startLldpd({ netns: pair.b.ns, iface: pair.b.iface, configPath: peerConf, socketPath: join(dir, 'b.sock') }));
      await expect
        .poll(async () => (await lldpNeighbors(join(dir, 'b.sock'), pair.b.ns)).length, { timeout: 15_000, interval: 250 })
        .toBeGreaterThan(0);
      const [n] = await lldpNeighbors(join(dir, 'b.sock'), pair.b.ns);
      expect(n).toMatchObject({
        iface: pair.b.iface,
        sysName: device.hostname,
        sysDescr: 'NVIDIA BlueField-3 BMC',
        chassisId: MAC,
        chassisIdType: 'mac',
      });
      expect(n?.mgmtIps).toContain(device.address);
    });
  });
});
