/**
 * `shoal discover` end to end on loopback, against the real simulator (addresses in 127.164.0.0/16 only): local mode
 * runs the discovery pipeline in the command's own process and lists each device once; gateway mode drives a real
 * gateway's Discover action over HTTP and lists what it registered.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../mock-hardware/src/index.js';
import { createDiscovery, type CombinedDiscovery } from '../../mock-hardware/src/discovery/index.js';
import type { Shoal } from '../../src/app.js';
import { runDiscover, type DeviceRow } from '../../src/cli/discover.js';
import { ProgressBar } from '../../src/cli/progress.js';
import { ADMIN_PASSWORD, basic, testApp } from '../support/app.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NET = `127.164.${(process.pid % 200) + 1}`;
const BASE = `${NET}.1`;

let fleet: Fleet;
let ssdp: CombinedDiscovery;
let ssdpTarget: string;
let shoal: Shoal;
let gateway: string;
let configFile: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (bin/shoal.js) in a child process; never rejects. */
function shoalCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((res) => {
    execFile(process.execPath, [join(ROOT, 'bin/shoal.js'), ...args], { cwd: ROOT, env: { ...process.env, SHOAL_PASSWORD: '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

const urlOf = (d: { address: string; port: number }) => `https://${d.address}:${d.port}`;

beforeAll(async () => {
  ssdp = createDiscovery({ ssdp: { port: 0, bindAddress: '127.0.0.1' } });
  fleet = await startFleet({
    seed: 'discover-cli',
    timeScale: 0,
    baseAddress: BASE,
    devices: [
      { persona: 'openbmc-host', count: 1, dpusPerHost: 2 },
      { persona: 'bluefield3', count: 1 },
    ],
    discovery: [ssdp],
  });
  ssdpTarget = `127.0.0.1:${ssdp.ssdp!.address().port}`;
  // A short SSDP window keeps the runs quick; the config file is the base the flags add to.
  const dir = mkdtempSync(join(tmpdir(), 'shoal-discover-'));
  configFile = join(dir, 'shoal.json');
  writeFileSync(configFile, JSON.stringify({ discovery: { sources: { ssdp: { windowMs: 1500, mx: 1 } } } }));
  shoal = await testApp({
    discovery: {
      redfishPorts: [8443],
      tls: { mode: 'insecure' },
      credentials: [{ username: 'root', password: '0penBmc' }],
      sources: { ssdp: { unicastTargets: [ssdpTarget], windowMs: 1500, mx: 1 } },
    },
  });
  await shoal.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = shoal.app.server.address() as { port: number };
  gateway = `http://127.0.0.1:${addr.port}`;
}, 60_000);

afterAll(async () => {
  await shoal?.close();
  await fleet?.stop();
});

describe('shoal discover, local mode', () => {
  it('finds each device exactly once from a CIDR sweep and unicast SSDP, with its UUID, as JSON', async () => {
    const r = await shoalCli(['discover', '--config', configFile, '--cidr', `${NET}.0/29`, '--ssdp-target', ssdpTarget, '--port', '8443', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as DeviceRow[];
    expect(rows).toHaveLength(fleet.devices.length);
    expect(new Set(rows.map((d) => d.id)).size).toBe(fleet.devices.length);
    expect(rows.map((d) => d.hostName).sort()).toEqual(fleet.devices.map(urlOf).sort());
    for (const row of rows) {
      const dev = fleet.devices.find((d) => urlOf(d) === row.hostName)!;
      expect(row.uuid).toBe(dev.uuid.toLowerCase());
      expect(row.sources).toEqual(['cidr', 'ssdp']);
      // Nothing is registered: found devices wait for approval, and no credentials are tried.
      expect(row.state).toBe('PendingApproval');
      expect(row.protocol).toBe('redfish');
      expect(row.driver).toBe(dev.persona === 'bluefield3' ? 'bluefield' : 'openbmc');
    }
    // Progress is stderr's: plain lines (not a TTY), ending at 100%; the summary follows it there in JSON mode.
    const lines = r.stderr.trim().split('\n');
    const progress = lines.filter((l) => l.startsWith('cidr sweep: '));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const l of progress) expect(l).toMatch(/^cidr sweep: \d+% \d+\/6 addresses, \d+ found$/);
    expect(progress.at(-1)).toBe(`cidr sweep: 100% 6/6 addresses, ${fleet.devices.length} found`);
    expect(r.stderr).not.toContain('\r');
    expect(lines.at(-1)).toMatch(new RegExp(`^${fleet.devices.length} devices from \\d+ sightings \\(sources: ssdp, cidr\\); 0 unreachable, 0 unmatched; failed sources: none`));
  }, 60_000);

  it('prints one line per device and a summary, from ranges, addresses and static targets', async () => {
    const [first, second] = fleet.devices;
    const r = await shoalCli(['discover', '--cidr', `${NET}.2-4,${BASE}`, '--cidr', `${NET}.9`, '--target', `${urlOf(first!)}`, `${second!.address}:${second!.port}`, '--port', '8443', '--concurrency', '8', '--rate', '500', '--timeout-ms', '2000']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATE\s+PROTOCOL\s+HOSTNAME\s+DRIVER\s+DEVICE\s+UUID\s+SOURCES$/);
    const body = lines.slice(1, -1);
    expect(body).toHaveLength(fleet.devices.length);
    for (const d of fleet.devices) {
      const mine = body.filter((l) => l.includes(` ${urlOf(d)} `));
      expect(mine, `${urlOf(d)}\n${r.stdout}`).toHaveLength(1);
      expect(mine[0]).toContain(d.uuid.toLowerCase());
      expect(mine[0]).toMatch(/^\S+\s+PendingApproval\s+redfish\s/);
      expect(mine[0]).toMatch(d === first || d === second ? /\scidr,static$/ : /\scidr$/);
    }
    expect(lines.at(-1)).toMatch(new RegExp(`^${fleet.devices.length} devices from ${fleet.devices.length + 2} sightings \\(sources: cidr, static\\); 0 unreachable, 0 unmatched; failed sources: none; nothing registered`));
    expect(r.stderr).toMatch(/^cidr sweep: 100% 5\/5 addresses/m);
  }, 60_000);

  it('refuses bad flags with a clear message and exit code 1', async () => {
    const [badCidr, octet, nothing, port, target] = await Promise.all([
      shoalCli(['discover', '--cidr', '10.0.0.0/24,10.0.0.300/24']),
      shoalCli(['discover', '--cidr', '10.0.0.0/33']),
      shoalCli(['discover']),
      shoalCli(['discover', '--cidr', '10.0.0.0/30', '--port', '70000']),
      shoalCli(['discover', '--target', 'https://user:pw@10.0.0.1']),
    ]);
    for (const r of [badCidr, octet, nothing, port, target]) {
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
    }
    expect(badCidr.stderr).toBe('shoal discover: --cidr: invalid range "10.0.0.300/24": 10.0.0.300 is not an IPv4 address\n');
    expect(octet.stderr).toMatch(/--cidr: invalid range "10\.0\.0\.0\/33": the prefix length must be 0 to 32/);
    expect(nothing.stderr).toMatch(/nothing to discover: give --cidr/);
    expect(port.stderr).toMatch(/--port must be a whole number from 1 to 65535, not "70000"/);
    expect(target.stderr).toMatch(/--target: invalid discovery target .*credentials do not belong in a target/);
  }, 60_000);

  it('draws a bar on a TTY stderr, redrawn in place and wiped at the end, and keeps stdout clean', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runDiscover(
      { cidr: [`${NET}.0/29`], port: ['8443'], json: true },
      { stdout: { write: (s: string) => out.push(s) }, stderr: { isTTY: true, write: (s: string) => err.push(s) }, env: {} },
    );
    expect(code, err.join('')).toBe(0);
    const rows = JSON.parse(out.join('')) as DeviceRow[];
    expect(rows.map((d) => d.uuid).sort()).toEqual(fleet.devices.map((d) => d.uuid.toLowerCase()).sort());
    const bars = err.filter((s) => s.startsWith('\r['));
    expect(bars.length).toBeGreaterThanOrEqual(2);
    expect(bars.at(-1)).toMatch(new RegExp(`^\\r\\[#{30}\\] 100% 6/6 addresses, ${fleet.devices.length} found\\s*$`));
    // The bar is wiped before anything else is written.
    const wipe = err.findIndex((s) => /^\r +\r$/.test(s));
    expect(wipe).toBeGreaterThan(err.indexOf(bars.at(-1)!));
    expect(out.join('')).not.toContain('\r');
  }, 60_000);
});

describe('shoal discover --gateway', () => {
  it("runs the gateway's Discover action, follows its task, and lists every device registered and paired", async () => {
    const r = await shoalCli(['discover', '--gateway', gateway, '--user', 'admin', '--cidr', `${NET}.0/29`, '--ssdp'], { SHOAL_PASSWORD: ADMIN_PASSWORD });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^sweep: \\d+ sightings, ${fleet.devices.length} created, 0 updated, 0 unreachable, 0 unmatched; gateway: ${fleet.devices.length} devices, ${fleet.devices.length} registered, 2 paired; failed sources: none$`));
    expect(lines[1]).toMatch(/^ID\s+STATE\s+STATUS\s+HOSTNAME\s+DRIVER\s+DEVICE\s+SERIAL\s+HOST\s+SOURCES$/);
    const body = lines.slice(2);
    expect(body).toHaveLength(fleet.devices.length);
    const list = await shoal.app.inject({ url: '/redfish/v1/AggregationService/AggregationSources', headers: basic() });
    const ids = new Map<string, string>();
    for (const m of list.json().Members as { '@odata.id': string }[]) {
      const s = (await shoal.app.inject({ url: m['@odata.id'], headers: basic() })).json();
      ids.set(s.HostName, s.Id);
    }
    for (const d of fleet.devices) {
      const line = body.find((l) => l.includes(` ${urlOf(d)} `));
      expect(line, r.stdout).toBeDefined();
      expect(line).toMatch(new RegExp(`^${ids.get(urlOf(d))}\\s+Registered\\s+Enabled\\s`));
      expect(line).toContain(d.serial);
      if (d.hostId) expect(line).toContain(` ${ids.get(urlOf(fleet.device(d.hostId)))}/slot`);
    }
    // Unicast SSDP targets are gateway configuration: the flag only names the source.
    expect(r.stderr).not.toMatch(/warning/);
  }, 60_000);

  it('prints the JSON list, and warns about flags that are gateway configuration', async () => {
    const r = await shoalCli(['discover', '--gateway', `${gateway}/redfish/v1`, '--user', 'admin', '--password', ADMIN_PASSWORD, '--cidr', `${NET}.0/29`, '--ssdp-target', ssdpTarget, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as DeviceRow[];
    expect(rows).toHaveLength(fleet.devices.length);
    expect(rows.every((x) => x.state === 'Registered' && x.status === 'Enabled')).toBe(true);
    expect(rows.filter((x) => x.host).length).toBe(2);
    expect(rows.map((x) => x.serialNumber).sort()).toEqual(fleet.devices.map((d) => d.serial).sort());
    expect(r.stderr).toMatch(/warning: --ssdp-target .*not sent with --gateway/);
    expect(r.stderr).toMatch(/^sweep: \d+ sightings, 0 created/m);
  }, 60_000);

  it('exits 1 with the Base message on bad credentials, and names a missing password', async () => {
    const [bad, missing] = await Promise.all([
      shoalCli(['discover', '--gateway', gateway, '--user', 'admin', '--password', 'not-the-password', '--cidr', `${NET}.0/29`]),
      shoalCli(['discover', '--gateway', gateway, '--user', 'admin', '--cidr', `${NET}.0/29`]),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('There is no valid session established with the implementation.');
    expect(bad.stderr).toMatch(/HTTP 401/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/give --password or set SHOAL_PASSWORD/);
  }, 60_000);

  it('refuses a bad CIDR before asking the gateway', async () => {
    const r = await shoalCli(['discover', '--gateway', gateway, '--user', 'admin', '--password', ADMIN_PASSWORD, '--cidr', '300.1.2.0/24']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('shoal discover: --cidr: invalid range "300.1.2.0/24": 300.1.2.0 is not an IPv4 address\n');
  }, 30_000);
});

describe('progress bar', () => {
  it('redraws a TTY at most every 100 ms (the last step always), pads over longer text, and wipes itself', () => {
    let t = 0;
    const out: string[] = [];
    const bar = new ProgressBar({ isTTY: true, write: (s) => out.push(s) }, { width: 10, now: () => t });
    bar.update(0.1, '1/10 addresses, 0 found');
    t = 50;
    bar.update(0.2, '2/10 addresses, 0 found');
    t = 100;
    bar.update(0.4, '40/100');
    t = 120;
    bar.update(1, '10/10');
    bar.finish();
    expect(out).toEqual([
      '\r[#.........] 10% 1/10 addresses, 0 found',
      '\r[####......] 40% 40/100' + ' '.repeat(17),
      '\r[##########] 100% 10/10',
      `\r${' '.repeat(23)}\r`,
    ]);
  });

  it('writes a plain line per tenth when not a TTY', () => {
    const out: string[] = [];
    const bar = new ProgressBar({ write: (s) => out.push(s) }, { label: 'cidr sweep' });
    for (let i = 0; i <= 40; i++) bar.update(i / 40, `${i}/40`);
    bar.finish();
    expect(out).toHaveLength(11);
    expect(out[0]).toBe('cidr sweep: 0% 0/40\n');
    expect(out[4]).toBe('cidr sweep: 40% 16/40\n');
    expect(out.at(-1)).toBe('cidr sweep: 100% 40/40\n');
  });
});
