/**
 * The SNMP probe: one GET of sysDescr, sysObjectID and sysName (SNMPv2-MIB system group), which every agent serves
 * and which driver manifests match on. One net-snmp session per call, closed at the end.
 */
import snmp from 'net-snmp';
import { isIPv6 } from 'node:net';
import { probeFailure, type ProbeFailure } from './result.js';

/** An SNMPv3 USM user. Without `authKey` the user is noAuthNoPriv; with `privKey` too, authPriv. */
export interface SnmpV3User {
  user: string;
  /** Default `sha`. */
  authProtocol?: 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
  authKey?: string;
  /** Default `aes` when `privKey` is set. */
  privProtocol?: 'des' | 'aes' | 'aes256b' | 'aes256r';
  privKey?: string;
}

/** Options of {@link snmpProbe}: a v2c `community` (default `public`) or a `v3` user, not both. */
export interface SnmpProbeOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  community?: string;
  v3?: SnmpV3User;
}

/** What the agent said about itself. A field is absent when the agent has no such object. */
export interface SnmpProbeSuccess {
  ok: true;
  version: 'v2c' | 'v3';
  sysDescr?: string;
  sysObjectId?: string;
  sysName?: string;
}

const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';
const SYS_NAME = '1.3.6.1.2.1.1.5.0';

/** DisplayString objects are ASCII by the MIB; anything unprintable is dropped rather than kept as mojibake. */
function text(v: unknown): string | undefined {
  if (Buffer.isBuffer(v)) {
    // eslint-disable-next-line no-control-regex
    const s = v.toString('utf8').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/g, '').trim();
    return s.length ? s : undefined;
  }
  if (typeof v === 'string') return v.trim() || undefined;
  return undefined;
}

/** Builds a v3 user, refusing combinations that would silently become a weaker session. */
function usmUser(u: SnmpV3User): snmp.User {
  if (!u.authKey) {
    if (u.privKey) throw new TypeError(`SNMPv3 user ${u.user}: privKey needs an authKey`);
    return { name: u.user, level: snmp.SecurityLevel.noAuthNoPriv };
  }
  const authProtocol = snmp.AuthProtocols[u.authProtocol ?? 'sha'];
  if (!authProtocol) throw new TypeError(`SNMPv3 user ${u.user}: unsupported authProtocol ${String(u.authProtocol)}`);
  if (!u.privKey) return { name: u.user, level: snmp.SecurityLevel.authNoPriv, authProtocol, authKey: u.authKey };
  const privProtocol = snmp.PrivProtocols[u.privProtocol ?? 'aes'];
  if (!privProtocol) throw new TypeError(`SNMPv3 user ${u.user}: unsupported privProtocol ${String(u.privProtocol)}`);
  return { name: u.user, level: snmp.SecurityLevel.authPriv, authProtocol, authKey: u.authKey, privProtocol, privKey: u.privKey };
}

/** Maps net-snmp's errors; a v3 report (wrong key, unknown user) is `auth`, silence is `timeout`. */
function classify(e: Error): ProbeFailure {
  if (e instanceof snmp.RequestTimedOutError) return probeFailure('timeout', e.message);
  if (e instanceof snmp.ResponseInvalidError) {
    return e.code === 4 || e.code === 5 ? probeFailure('auth', e.message) : probeFailure('bad-answer', e.message);
  }
  if (e instanceof snmp.RequestFailedError) return e.status === 16 ? probeFailure('auth', e.message) : probeFailure('bad-answer', e.message);
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ERR_OSSL_EVP_UNSUPPORTED') return probeFailure('error', `SNMPv3 privacy protocol unavailable in this Node.js: ${e.message}`);
  return probeFailure('error', e.message);
}

/**
 * Reads an SNMP agent's system group. Never throws for the network; throws a TypeError only for options that cannot
 * work (both a community and a v3 user, an unknown protocol name).
 */
export function snmpProbe(host: string, port = 161, opts: SnmpProbeOptions): Promise<SnmpProbeSuccess | ProbeFailure> {
  if (opts.community !== undefined && opts.v3) throw new TypeError('snmpProbe: give a community or a v3 user, not both');
  if (opts.signal?.aborted) return Promise.resolve(probeFailure('aborted', 'cancelled before the probe started'));
  // net-snmp's own retries would multiply the timeout; a sweep rather spends its time on the next address.
  const options: snmp.SessionOptions = { port, retries: 0, timeout: opts.timeoutMs, transport: isIPv6(host.split('%')[0] ?? host) ? 'udp6' : 'udp4' };
  let session: snmp.Session;
  try {
    session = opts.v3 ? snmp.createV3Session(host, usmUser(opts.v3), { ...options, version: snmp.Version3 }) : snmp.createSession(host, opts.community ?? 'public', { ...options, version: snmp.Version2c });
  } catch (e) {
    if (e instanceof TypeError) throw e;
    return Promise.resolve(probeFailure('error', `SNMP session could not be created: ${(e as Error).message}`));
  }
  const version = opts.v3 ? 'v3' : 'v2c';
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: SnmpProbeSuccess | ProbeFailure): void => {
      if (done) return;
      done = true;
      opts.signal?.removeEventListener('abort', onAbort);
      try {
        session.close();
      } catch {
        // already closed
      }
      resolve(r);
    };
    const onAbort = (): void => finish(probeFailure('aborted', 'cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    // Without a listener a socket error would be thrown from the event loop.
    session.on('error', (err) => finish(classify(err)));
    try {
      session.get([SYS_DESCR, SYS_OBJECT_ID, SYS_NAME], (err, varbinds) => {
        if (err) return finish(classify(err));
        const value = (oid: string): unknown => {
          const vb = (varbinds ?? []).find((v) => v.oid.replace(/^\./, '') === oid);
          return vb && !snmp.isVarbindError(vb) ? vb.value : undefined;
        };
        const sysDescr = text(value(SYS_DESCR));
        const oidValue = value(SYS_OBJECT_ID);
        const sysObjectId = typeof oidValue === 'string' && oidValue.length ? oidValue.replace(/^\./, '') : undefined;
        const sysName = text(value(SYS_NAME));
        finish({ ok: true, version, ...(sysDescr ? { sysDescr } : {}), ...(sysObjectId ? { sysObjectId } : {}), ...(sysName ? { sysName } : {}) });
      });
    } catch (e) {
      finish(classify(e as Error));
    }
  });
}
