import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { asfPing, guidFromIpmi, ipmiRequest, parseAsfPong, parseAuthCaps, parseIpmiResponse, rmcpPing } from '../../../src/discovery/probe.js';

// Loopback only, in 127.162.0.0/16: this file owns 127.162.6.0/24.
const HOST = '127.162.6.1';

// Answers captured from Debian's ipmi_sim (openipmi 2.0), with tag 5 and sequence 1.
const PONG_TAG5 = '0600ff06000011be40050010000011be000000008100000000000000';
const AUTH_CAPS_SEQ1 = '0600ff0700000000000000000010811c6320043800019704030000000005';
const GUID_SEQ1 = '0600ff0700000000000000000018811c6320043700c487fa8eba471c98306535c764f3095ece';

describe('RMCP codec', () => {
  it('builds the ASF presence ping and reads a pong', () => {
    expect(asfPing(5).toString('hex')).toBe('0600ff06000011be80050000');
    expect(parseAsfPong(Buffer.from(PONG_TAG5, 'hex'), 5)).toEqual({ ipmi: true });
    expect(parseAsfPong(Buffer.from(PONG_TAG5, 'hex'), 6)).toBeUndefined(); // not our tag
    expect(parseAsfPong(Buffer.from('0600ff06', 'hex'), 5)).toBeUndefined();
  });

  it('builds a session-less IPMI request with both checksums', () => {
    // Get Channel Authentication Capabilities, channel "this one" with the v2.0 bit, admin level.
    expect(ipmiRequest(0x06, 0x38, 1, [0x8e, 0x04]).toString('hex')).toBe('0600ff07000000000000000000092018c88104388e04b1');
  });

  it('reads Get Channel Authentication Capabilities and Get System GUID answers', () => {
    const caps = parseIpmiResponse(Buffer.from(AUTH_CAPS_SEQ1, 'hex'), 0x06, 0x38, 1);
    expect(caps?.cc).toBe(0);
    expect(parseAuthCaps(caps!.data)).toEqual({ channel: 1, ipmiV2: true, authTypes: ['none', 'md2', 'md5', 'password'] });
    expect(parseIpmiResponse(Buffer.from(AUTH_CAPS_SEQ1, 'hex'), 0x06, 0x38, 2)).toBeUndefined(); // another sequence
    const bad = Buffer.from(AUTH_CAPS_SEQ1, 'hex');
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    expect(parseIpmiResponse(bad, 0x06, 0x38, 1)).toBeUndefined(); // checksum
    const guid = parseIpmiResponse(Buffer.from(GUID_SEQ1, 'hex'), 0x06, 0x37, 1);
    // ipmi_sim sends the configured bytes c487fa8e...095e as they are; IPMI order is least significant first.
    expect(guidFromIpmi(guid!.data)).toBe('5e09f364-c735-6530-981c-47ba8efa87c4');
    expect(guidFromIpmi(Buffer.alloc(16))).toBeUndefined();
  });
});

/** A UDP peer that answers like a BMC without ASF: IPMI only, built from the request it got. */
let peer: Socket | undefined;
afterEach(() => {
  peer?.close();
  peer = undefined;
});

function ipmiAnswer(req: Buffer, cc: number, data: number[]): Buffer {
  const msg = req.subarray(14);
  const netFn = (msg[1]! >> 2) | 1;
  const head = [0x81, netFn << 2];
  const body = [0x20, msg[4]!, msg[5]!, cc, ...data];
  const sum = (xs: number[]) => -xs.reduce((a, b) => a + b, 0) & 0xff;
  const m = [...head, sum(head), ...body, sum(body)];
  return Buffer.from([0x06, 0x00, 0xff, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, m.length, ...m]);
}

async function startPeer(answer: (req: Buffer) => Buffer | undefined): Promise<number> {
  const s = createSocket('udp4');
  peer = s;
  s.on('message', (m, rinfo) => {
    const a = answer(m);
    if (a) s.send(a, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => s.bind(0, HOST, r));
  return (s.address() as AddressInfo).port;
}

describe('rmcpPing fallback', () => {
  it('asks Get Channel Authentication Capabilities when ASF pings go unanswered', async () => {
    const port = await startPeer((req) => {
      if (req[3] !== 0x07) return undefined; // ignores ASF
      const cmd = req[19];
      if (cmd === 0x38) return ipmiAnswer(req, 0, [0x01, 0x97, 0x04, 0x03, 0, 0, 0, 0]);
      if (cmd === 0x37) return ipmiAnswer(req, 0xc1, []); // no GUID before a session on this one
      return undefined;
    });
    const r = await rmcpPing(HOST, port, { timeoutMs: 1000 });
    expect(r).toEqual({ ok: true, kind: 'ipmi-auth-caps', channel: 1, ipmiV2: true, authTypes: ['none', 'md2', 'md5', 'password'] });
  });

  it('asks again without the v2.0 bit when an IPMI 1.5 BMC rejects it', async () => {
    const seen: number[] = [];
    const port = await startPeer((req) => {
      if (req[3] !== 0x07 || req[19] !== 0x38) return undefined;
      seen.push(req[20]!);
      return req[20] === 0x8e ? ipmiAnswer(req, 0xcc, []) : ipmiAnswer(req, 0, [0x01, 0x16, 0x04, 0x00, 0, 0, 0, 0]);
    });
    const r = await rmcpPing(HOST, port, { timeoutMs: 1000, readGuid: false });
    expect(r).toEqual({ ok: true, kind: 'ipmi-auth-caps', channel: 1, ipmiV2: false, authTypes: ['md2', 'md5', 'password'] });
    expect(seen).toEqual([0x8e, 0x0e]);
  });

  it('times out on a silent peer, and answers aborted when cancelled', async () => {
    const port = await startPeer(() => undefined);
    expect(await rmcpPing(HOST, port, { timeoutMs: 200 })).toMatchObject({ ok: false, reason: 'timeout' });
    const ac = new AbortController();
    const p = rmcpPing(HOST, port, { timeoutMs: 60_000, signal: ac.signal });
    ac.abort();
    expect(await p).toMatchObject({ ok: false, reason: 'aborted' });
  });
});
