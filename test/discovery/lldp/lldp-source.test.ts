/**
 * The lldp discovery source without a network: parseLldpNeighbors on the json0 lldpcli printed in the capture run,
 * and createLldpSource with an injected exec (arguments, errors that say what to fix, watch polling and abort).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sighting } from '../../../src/model/discovery.js';
import { createLldpSource, parseLldpNeighbors, type LldpExec } from '../../../src/discovery/sources/lldp.js';
import type { SourceContext } from '../../../src/discovery/sources/source.js';
import { CONFIGURED, FIXTURES, json0, neighbour } from './fixtures.js';

const GW_B = readFileSync(join(FIXTURES, 'neighbors-on-gw-b.json'), 'utf8');

function context(signal = new AbortController().signal) {
  const sightings: Sighting[] = [];
  const logs: Array<{ level: string; obj: object; msg?: string }> = [];
  const log = (level: string) => (obj: object, msg?: string) => logs.push({ level, obj, msg });
  const ctx: SourceContext = { signal, emit: (s) => sightings.push(s), log: { debug: log('debug'), info: log('info'), warn: log('warn') } };
  return { ctx, sightings, logs };
}

function failing(err: Partial<NodeJS.ErrnoException & { stderr: string; killed: boolean; signal: string }>): LldpExec {
  return async () => {
    throw Object.assign(new Error(err.message ?? 'Command failed'), err);
  };
}

describe('parseLldpNeighbors on real json0', () => {
  it('makes one Redfish sighting per neighbour with a management address, keyed by the chassis MAC', () => {
    const skipped: unknown[] = [];
    const sightings = parseLldpNeighbors(GW_B, { at: 1234, onSkip: (n, reason) => skipped.push({ n, reason }) });
    const a = CONFIGURED.a;
    const n = neighbour(json0('neighbors-on-gw-b.json'), a.mac);
    expect(sightings).toEqual([
      {
        source: 'lldp',
        at: 1234,
        protocol: 'redfish',
        host: a.managementAddresses[0],
        hostName: a.hostname,
        keys: { macs: [a.mac] },
        hints: {
          lldp: {
            chassisId: a.mac,
            portId: a.mac,
            systemName: a.hostname,
            systemDescription: a.description,
            // Only the custom TLV lldpd has no decoder for: the 802.1/802.3 ones show as json0 "vlan" and "mfs".
            orgTlvs: [a.custom],
          },
        },
      },
    ]);
    expect(sightings[0]).not.toHaveProperty('port');
    // bmc-c has no management address: skipped, and said so.
    expect(skipped).toEqual([{ n: { interface: expect.stringMatching(/^shld\d+$/), chassisId: 'bmc-c-local', systemName: CONFIGURED.c.hostname }, reason: 'no management address' }]);
    expect(n.chassis[0]!['mgmt-ip']?.map((m) => m.value)).toEqual(a.managementAddresses);
  });

  it('accepts parsed JSON, an empty table, and rejects text that is not JSON', () => {
    expect(parseLldpNeighbors(JSON.parse(GW_B) as object, { at: 1 })).toHaveLength(1);
    // What lldpcli -f json0 prints when lldpd knows no neighbour.
    expect(parseLldpNeighbors('{\n  "lldp": [\n    {\n      \n    }\n  ]\n}\n')).toEqual([]);
    expect(parseLldpNeighbors('{}')).toEqual([]);
    expect(parseLldpNeighbors('null')).toEqual([]);
    expect(() => parseLldpNeighbors('unable to connect')).toThrow(/not JSON/);
  });

  it('prefers IPv4, then global IPv6; keys non-MAC chassis ids as <subtype>:<value>; normalises MACs', () => {
    const doc = (id: object, ips: string[], unknown: object[] = []) => ({
      lldp: [{ interface: [{ name: 'eth0', chassis: [{ id: [id], 'mgmt-ip': ips.map((value) => ({ value })) }], port: [{ id: [{ type: 'ifname', value: 'Ethernet1/1' }] }], 'unknown-tlvs': [{ 'unknown-tlv': unknown }] }] }],
    });
    const [v6] = parseLldpNeighbors(doc({ type: 'mac', value: '02:53:48:4C:0:A' }, ['fe80::1', 'fd00::5']));
    expect(v6).toMatchObject({ host: 'fd00::5', keys: { macs: ['02:53:48:4c:00:0a'] }, hints: { lldp: { chassisId: '02:53:48:4c:00:0a', portId: 'Ethernet1/1' } } });
    const [v4] = parseLldpNeighbors(doc({ type: 'ip', value: '192.0.2.9' }, ['fd00::5', '192.0.2.9']));
    expect(v4).toMatchObject({ host: '192.0.2.9', keys: { lldpChassisId: '5:192.0.2.9' } });
    expect(v4!.keys.macs).toBeUndefined();
    const [local] = parseLldpNeighbors(doc({ type: 'local', value: 'SN123' }, ['10.0.0.9'], [
      { oui: '00,80,C2', subtype: '1', len: '2', value: '00,64' },
      { oui: '00,0A,BC', subtype: '7', len: '0', value: '' },
      { oui: 'bogus', subtype: '1', len: '1', value: '00' },
    ]));
    expect(local).toMatchObject({ keys: { lldpChassisId: '7:SN123' } });
    expect(local!.hints.lldp?.orgTlvs).toEqual([
      { oui: '00:80:c2', subtype: 1, info: '0064' },
      { oui: '00:0a:bc', subtype: 7, info: '' },
    ]);
    const skipped: string[] = [];
    expect(parseLldpNeighbors(doc({ type: 'mac', value: '02:00:00:00:00:01' }, ['not-an-ip']), { onSkip: (_n, r) => skipped.push(r) })).toEqual([]);
    expect(skipped).toEqual(['no usable management address in not-an-ip']);
  });
});

describe('createLldpSource', () => {
  let dir = '';
  let server: Server;
  let sock = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-lldp-src-'));
    sock = join(dir, 'lldpd.socket');
    server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs lldpcli with -u SOCK -f json0 show neighbors details, without a shell and with a timeout', async () => {
    const calls: Array<{ file: string; args: string[]; timeout: number }> = [];
    const exec: LldpExec = async (file, args, opts) => {
      calls.push({ file, args, timeout: opts.timeout });
      return { stdout: GW_B };
    };
    const source = createLldpSource({ lldpcli: '/usr/sbin/lldpcli', socket: sock, exec, timeoutMs: 5000 });
    const { ctx, sightings, logs } = context();
    await source.scan(ctx);
    expect(source.name).toBe('lldp');
    expect(calls).toEqual([{ file: '/usr/sbin/lldpcli', args: ['-u', sock, '-f', 'json0', 'show', 'neighbors', 'details'], timeout: 5000 }]);
    expect(sightings.map((s) => s.host)).toEqual([CONFIGURED.a.managementAddresses[0]]);
    expect(logs).toEqual([{ level: 'debug', obj: expect.objectContaining({ chassisId: 'bmc-c-local' }), msg: 'lldp: neighbour skipped: no management address' }]);

    calls.length = 0;
    await createLldpSource({ exec }).scan(context().ctx);
    expect(calls[0]).toMatchObject({ file: 'lldpcli', args: ['-f', 'json0', 'show', 'neighbors', 'details'], timeout: 10_000 });
  });

  it('says what to install or configure when it cannot run', async () => {
    const scan = (opts: Parameters<typeof createLldpSource>[0]) => createLldpSource(opts).scan(context().ctx);
    await expect(scan({ exec: failing({ code: 'ENOENT' }) })).rejects.toThrow(/lldpcli not found\. Install lldpd \(Debian\/Ubuntu: apt-get install lldpd\)/);
    await expect(scan({ socket: join(dir, 'missing.sock'), exec: failing({}) })).rejects.toThrow(/missing\.sock does not exist\. Start lldpd with "-u .*missing\.sock"/);
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    await expect(scan({ socket: file, exec: failing({}) })).rejects.toThrow(/is not a socket/);
    const refused = failing({ code: 1 as unknown as string, stderr: '2026-01-01T00:00:00 [WARN/control] unable to connect to socket /run/lldpd.socket: Connection refused\n' });
    await expect(scan({ socket: sock, exec: refused })).rejects.toThrow(/cannot reach lldpd at .*lldpd\.socket .*Connection refused.*_lldpd group/);
    await expect(scan({ exec: failing({ killed: true, signal: 'SIGTERM' }), timeoutMs: 50 })).rejects.toThrow(/did not answer within 50 ms/);
    await expect(scan({ exec: async () => ({ stdout: 'garbage' }) })).rejects.toThrow(/not JSON/);
  });

  it('really reports a missing lldpcli binary (the default exec, not a fake)', async () => {
    await expect(createLldpSource({ lldpcli: join(dir, 'no-such-lldpcli') }).scan(context().ctx)).rejects.toThrow(/not found\. Install lldpd/);
  });

  it('ends quietly when aborted while lldpcli runs', async () => {
    const ac = new AbortController();
    const exec: LldpExec = (_f, _a, opts) =>
      new Promise((_resolve, reject) => {
        opts.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
        ac.abort();
      });
    const { ctx, sightings } = context(ac.signal);
    await expect(createLldpSource({ exec }).scan(ctx)).resolves.toBeUndefined();
    expect(sightings).toEqual([]);
  });

  it('watch polls until aborted, and keeps going past a failed poll', async () => {
    const ac = new AbortController();
    let calls = 0;
    const exec: LldpExec = async () => {
      calls++;
      if (calls === 2) throw Object.assign(new Error('Command failed'), { stderr: 'unable to connect to socket' });
      if (calls === 4) ac.abort();
      return { stdout: GW_B };
    };
    const { ctx, sightings, logs } = context(ac.signal);
    await createLldpSource({ exec, intervalSeconds: 0.01 }).watch!(ctx);
    expect(calls).toBe(4);
    // Polls 1 and 3 emitted; poll 4 was aborted before emitting.
    expect(sightings).toHaveLength(2);
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('watch fails at once when the first read cannot run', async () => {
    const { ctx } = context();
    await expect(createLldpSource({ exec: failing({ code: 'ENOENT' }), intervalSeconds: 0.01 }).watch!(ctx)).rejects.toThrow(/not found/);
  });
});
