/**
 * The IPMI presence probe over RMCP (UDP 623): an ASF presence ping (DSP0136), and when that gets no answer, an
 * IPMI v1.5 session-less Get Channel Authentication Capabilities, the request nmap and ipmitool start with. Both need
 * no credentials. Once the BMC has answered, the probe also asks for the system GUID, which IPMI allows before a
 * session (Debian's ipmi_sim answers it; BMCs that do not simply leave the GUID out).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { probeFailure, reasonForCode, type ProbeFailure } from './result.js';

/** Options of {@link rmcpPing}. */
export interface RmcpOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Ask for the system GUID after the BMC answered. Default true. */
  readGuid?: boolean;
}

/** The BMC answered an ASF presence ping. `ipmi` is the pong's "IPMI supported" bit. */
export interface RmcpPong {
  ok: true;
  kind: 'asf-pong';
  ipmi: true;
  /** The system GUID as a UUID (IPMI byte order undone), when it could be read without a session. */
  guid?: string;
}

/** The BMC answered Get Channel Authentication Capabilities. */
export interface RmcpAuthCaps {
  ok: true;
  kind: 'ipmi-auth-caps';
  channel: number;
  /** IPMI v2.0 (RMCP+) is supported on this channel. */
  ipmiV2: boolean;
  /** IPMI v1.5 authentication types the channel offers: `none`, `md2`, `md5`, `password`, `oem`. */
  authTypes: string[];
  guid?: string;
}

export type RmcpResult = RmcpPong | RmcpAuthCaps | ProbeFailure;

/** ASF's IANA enterprise number (4542), which every ASF message carries. */
const ASF_IANA = 4542;
const RMCP_VERSION = 0x06;
const CLASS_ASF = 0x06;
const CLASS_IPMI = 0x07;
const ASF_PING = 0x80;
const ASF_PONG = 0x40;
/** IPMB addresses: the BMC, and the "remote console" software id a LAN requester uses. */
const BMC_SA = 0x20;
const CONSOLE_SWID = 0x81;
const NETFN_APP = 0x06;
const CMD_GET_SYSTEM_GUID = 0x37;
const CMD_GET_AUTH_CAPS = 0x38;

/**
 * RMCP header with sequence 0xff: "no RMCP ACK wanted", so the BMC answers with data only. 0xff is what ipmitool
 * sends too; a numbered sequence would oblige us to acknowledge the answer.
 */
function rmcpHeader(cls: number): number[] {
  return [RMCP_VERSION, 0x00, 0xff, cls];
}

/** An ASF presence ping with `tag`, which the pong echoes. */
export function asfPing(tag: number): Buffer {
  return Buffer.from([...rmcpHeader(CLASS_ASF), 0x00, 0x00, (ASF_IANA >> 8) & 0xff, ASF_IANA & 0xff, ASF_PING, tag & 0xff, 0x00, 0x00]);
}

/** Parses an ASF presence pong answering `tag`; undefined for anything else. */
export function parseAsfPong(b: Buffer, tag: number): { ipmi: boolean } | undefined {
  if (b.length < 28 || b[0] !== RMCP_VERSION || b[3] !== CLASS_ASF) return undefined;
  if (b.readUInt32BE(4) !== ASF_IANA || b[8] !== ASF_PONG || b[9] !== (tag & 0xff)) return undefined;
  // Supported Entities: bit 7 says the device has IPMI; the low bits carry the ASF version.
  return { ipmi: ((b[20] ?? 0) & 0x80) !== 0 };
}

/** Two's-complement checksum of IPMB bytes: the bytes plus the checksum sum to zero. */
function checksum(bytes: readonly number[]): number {
  return -bytes.reduce((a, b) => a + b, 0) & 0xff;
}

/** An IPMI v1.5 LAN request outside a session: auth type none, session sequence and id zero. */
export function ipmiRequest(netFn: number, cmd: number, seq: number, data: readonly number[] = []): Buffer {
  const head = [BMC_SA, (netFn << 2) & 0xff];
  const body = [CONSOLE_SWID, (seq & 0x3f) << 2, cmd, ...data];
  const msg = [...head, checksum(head), ...body, checksum(body)];
  return Buffer.from([...rmcpHeader(CLASS_IPMI), 0x00, 0, 0, 0, 0, 0, 0, 0, 0, msg.length, ...msg]);
}

/** An IPMI response to (netFn, cmd, seq): its completion code and data; undefined for anything else. */
export function parseIpmiResponse(b: Buffer, netFn: number, cmd: number, seq: number): { cc: number; data: Buffer } | undefined {
  if (b.length < 14 || b[0] !== RMCP_VERSION || b[3] !== CLASS_IPMI) return undefined;
  // With an authentication type other than none, a 16-byte auth code sits before the length.
  const lenAt = b[4] === 0 ? 13 : 29;
  const len = b[lenAt];
  if (len === undefined || len < 8 || b.length < lenAt + 1 + len) return undefined;
  const m = [...b.subarray(lenAt + 1, lenAt + 1 + len)];
  if (checksum(m.slice(0, 2)) !== m[2] || checksum(m.slice(3, len - 1)) !== m[len - 1]) return undefined;
  if ((m[1] ?? 0) >> 2 !== (netFn | 1) || (m[4] ?? 0) >> 2 !== (seq & 0x3f) || m[5] !== cmd) return undefined;
  return { cc: m[6] ?? 0xff, data: Buffer.from(m.slice(7, len - 1)) };
}

/**
 * The IPMI system GUID as a UUID string. IPMI sends the 16 bytes least significant first (IPMI 2.0 §20.8), so the
 * whole sequence is reversed to get RFC 4122 order; OpenBMC, for one, fills the field that way from its UUID.
 * All zeros or all ones mean "no GUID".
 */
export function guidFromIpmi(bytes: Buffer): string | undefined {
  if (bytes.length < 16) return undefined;
  const b = Buffer.from(bytes.subarray(0, 16)).reverse();
  if (b.every((x) => x === 0) || b.every((x) => x === 0xff)) return undefined;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const AUTH_BITS: [number, string][] = [
  [0x01, 'none'],
  [0x02, 'md2'],
  [0x04, 'md5'],
  [0x10, 'password'],
  [0x20, 'oem'],
];

/** Decodes the data of a Get Channel Authentication Capabilities answer. */
export function parseAuthCaps(data: Buffer): Omit<RmcpAuthCaps, 'ok' | 'kind' | 'guid'> | undefined {
  if (data.length < 8) return undefined;
  const support = data[1] ?? 0;
  // Bit 7 of byte 2 says byte 4 carries the extended capabilities; there bit 1 is "IPMI v2.0 connections".
  const ipmiV2 = (support & 0x80) !== 0 && ((data[3] ?? 0) & 0x02) !== 0;
  return { channel: (data[0] ?? 0) & 0x0f, ipmiV2, authTypes: AUTH_BITS.filter(([bit]) => support & bit).map(([, n]) => n) };
}

type Phase = 'asf' | 'caps-v2' | 'caps-v15' | 'guid';

/**
 * Pings an IPMI BMC over RMCP. Never throws for the network. Uses one UDP socket, connected to the peer, so that an
 * ICMP port-unreachable comes back as `refused` at once and answers from other hosts are never read.
 * The ASF ping gets 40% of the time; the rest goes to the IPMI fallback.
 */
export function rmcpPing(host: string, port = 623, opts: RmcpOptions): Promise<RmcpResult> {
  if (opts.signal?.aborted) return Promise.resolve(probeFailure('aborted', 'cancelled before the probe started'));
  const readGuid = opts.readGuid ?? true;
  return new Promise((resolve) => {
    let sock: Socket;
    try {
      sock = createSocket(isIPv6(host.split('%')[0] ?? host) ? 'udp6' : 'udp4');
    } catch (e) {
      resolve(probeFailure('error', (e as Error).message));
      return;
    }
    const started = Date.now();
    const tag = Math.floor(Math.random() * 255);
    const seq = Math.floor(Math.random() * 63);
    let phase: Phase = 'asf';
    let found: RmcpPong | RmcpAuthCaps | undefined;
    let phaseTimer: NodeJS.Timeout | undefined;
    let done = false;

    const finish = (r: RmcpResult): void => {
      if (done) return;
      done = true;
      clearTimeout(phaseTimer);
      clearTimeout(overall);
      opts.signal?.removeEventListener('abort', onAbort);
      try {
        sock.close();
      } catch {
        // already closed
      }
      resolve(r);
    };
    const onAbort = (): void => finish(probeFailure('aborted', 'cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const overall = setTimeout(() => finish(found ?? probeFailure('timeout', `no RMCP answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);

    const sendFailed = (err: Error): void => finish(found ?? probeFailure(reasonForCode((err as NodeJS.ErrnoException).code) ?? 'error', err.message));
    const send = (buf: Buffer): void => {
      try {
        sock.send(buf, (err) => err && sendFailed(err));
      } catch (e) {
        sendFailed(e as Error); // a socket already closed by an ICMP error throws synchronously
      }
    };
    const enter = (next: Phase, packet: Buffer, waitMs: number | undefined): void => {
      phase = next;
      clearTimeout(phaseTimer);
      send(packet);
      if (waitMs !== undefined) phaseTimer = setTimeout(onPhaseTimeout, Math.max(1, waitMs));
    };
    const remaining = (): number => opts.timeoutMs - (Date.now() - started);
    const afterFound = (r: RmcpPong | RmcpAuthCaps): void => {
      found = r;
      if (!readGuid) return finish(r);
      // A GUID is a bonus: wait a little for it, never the whole budget.
      enter('guid', ipmiRequest(NETFN_APP, CMD_GET_SYSTEM_GUID, seq + 1), Math.min(remaining(), Math.max(250, opts.timeoutMs / 4)));
    };
    function onPhaseTimeout(): void {
      if (phase === 'asf') enter('caps-v2', ipmiRequest(NETFN_APP, CMD_GET_AUTH_CAPS, seq, [0x8e, 0x04]), undefined);
      else if (phase === 'guid' && found) finish(found);
    }

    sock.on('error', (err: NodeJS.ErrnoException) => finish(found ?? probeFailure(reasonForCode(err.code) ?? 'error', err.message)));
    sock.on('message', (msg: Buffer) => {
      if (phase === 'asf') {
        const pong = parseAsfPong(msg, tag);
        if (!pong) return;
        // An ASF device without IPMI (a NIC's alerting agent) is not a BMC we can manage: ask the IPMI way.
        if (!pong.ipmi) return enter('caps-v2', ipmiRequest(NETFN_APP, CMD_GET_AUTH_CAPS, seq, [0x8e, 0x04]), undefined);
        return afterFound({ ok: true, kind: 'asf-pong', ipmi: true });
      }
      if (phase === 'caps-v2' || phase === 'caps-v15') {
        const r = parseIpmiResponse(msg, NETFN_APP, CMD_GET_AUTH_CAPS, seq);
        if (!r) return;
        if (r.cc !== 0) {
          // An IPMI v1.5-only BMC rejects the "v2.0 data" bit with Invalid Data Field; ask again without it.
          if (phase === 'caps-v2') return enter('caps-v15', ipmiRequest(NETFN_APP, CMD_GET_AUTH_CAPS, seq, [0x0e, 0x04]), undefined);
          return finish(probeFailure('bad-answer', `Get Channel Authentication Capabilities: completion code 0x${r.cc.toString(16)}`));
        }
        const caps = parseAuthCaps(r.data);
        if (!caps) return finish(probeFailure('bad-answer', 'short Get Channel Authentication Capabilities answer'));
        return afterFound({ ok: true, kind: 'ipmi-auth-caps', ...caps });
      }
      if (phase === 'guid' && found) {
        const r = parseIpmiResponse(msg, NETFN_APP, CMD_GET_SYSTEM_GUID, seq + 1);
        if (!r) return;
        const guid = r.cc === 0 ? guidFromIpmi(r.data) : undefined;
        finish(guid ? { ...found, guid } : found);
      }
    });
    sock.connect(port, host, (err?: Error) => {
      if (err) return finish(probeFailure(reasonForCode((err as NodeJS.ErrnoException).code) ?? 'error', err.message));
      enter('asf', asfPing(tag), opts.timeoutMs * 0.4);
    });
  });
}
