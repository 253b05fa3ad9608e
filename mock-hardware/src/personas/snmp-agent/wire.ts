/**
 * Just enough SNMP on the wire to ask "is the agent up and serving my config?": an SNMPv2c GET of sysDescr.0,
 * encoded by hand (BER, RFC 3416). The simulator keeps its own few lines rather than share a client library with
 * the gateway, so that a bug in one cannot hide in the other.
 */
import { createSocket } from 'node:dgram';

/** sysDescr.0 (SNMPv2-MIB). */
export const SYS_DESCR_OID = '1.3.6.1.2.1.1.1.0';

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

function integer(v: number): Buffer {
  const bytes: number[] = [];
  let x = v >>> 0;
  do {
    bytes.unshift(x & 0xff);
    x >>>= 8;
  } while (x > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0); // keep it positive
  return tlv(0x02, Buffer.from(bytes));
}

function oid(dotted: string): Buffer {
  const arcs = dotted.replace(/^\./, '').split('.').map(Number);
  const out: number[] = [40 * (arcs[0] ?? 0) + (arcs[1] ?? 0)];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    let rest = Math.floor(arc / 128);
    while (rest > 0) {
      chunk.unshift((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** An SNMPv2c GetRequest for one OID. */
export function getRequestV2c(community: string, requestId: number, target: string = SYS_DESCR_OID): Buffer {
  const varbind = tlv(0x30, Buffer.concat([oid(target), Buffer.from([0x05, 0x00])]));
  const pdu = tlv(0xa0, Buffer.concat([integer(requestId), integer(0), integer(0), tlv(0x30, varbind)]));
  return tlv(0x30, Buffer.concat([integer(1), tlv(0x04, Buffer.from(community, 'utf8')), pdu]));
}

/**
 * Resolves once address:port answers a v2c GET of sysDescr.0 with a reply that carries `expect` (the configured
 * sysDescr), so a stale agent from an earlier run on the same port does not count. Rejects after `timeoutMs`, or as
 * soon as `isDead()` says the process is gone.
 */
export function waitForSnmp(address: string, port: number, community: string, expect: string, timeoutMs: number, isDead?: () => boolean): Promise<void> {
  const wanted = Buffer.from(expect, 'utf8');
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let id = 1;
    const finish = (err?: Error): void => {
      if (timer) clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve();
    };
    sock.on('message', (msg) => {
      if (msg.includes(wanted)) finish();
    });
    sock.on('error', (err) => finish(err));
    const tick = (): void => {
      if (isDead?.()) return finish(new Error('snmpd exited before it answered'));
      if (Date.now() > deadline) return finish(new Error(`no SNMP answer from ${address}:${port} in ${timeoutMs} ms`));
      sock.send(getRequestV2c(community, id++), port, address);
      timer = setTimeout(tick, 100);
    };
    sock.bind(0, () => tick());
  });
}

/**
 * Rejects when address:port is already bound. snmpd on a busy port exits at once, but another agent there would
 * answer the readiness GET first and make a failed start look like a good one.
 */
export function assertUdpFree(address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', (err: NodeJS.ErrnoException) => {
      sock.close();
      reject(new Error(err.code === 'EADDRINUSE' ? `UDP ${address}:${port} is already in use` : `UDP ${address}:${port}: ${err.message}`));
    });
    sock.bind(port, address, () => sock.close(() => resolve()));
  });
}
