/**
 * SNMP transport for one endpoint: a net-snmp session (v2c or v3 USM) whose every request runs through the
 * runtime's {@link DriverIo}, so the endpoint's queue, timeout, retries and breaker apply to SNMP as to Redfish.
 * net-snmp's own retries are off: the runtime decides about retrying.
 */
import snmp from 'net-snmp';
import { DriverError, type Credentials, type DriverIo, type DriverLogger, type Endpoint } from '../api.js';
import { compareOids, inSubtree, normOid, type RawVarbind } from './varbinds.js';

/** Per-request wait inside net-snmp. The runtime's per-attempt timeout (often shorter) wins when it fires first. */
const REQUEST_TIMEOUT_MS = 5000;
/** GETBULK repetitions: big enough to walk ENTITY-MIB in a few round trips, small enough for a 1 KB agent PDU. */
const MAX_REPETITIONS = 20;
/** A walk never returns more than this; an agent that loops inside a subtree must not fill memory. */
const MAX_WALK = 20_000;

function typeName(t: number): string {
  const n = snmp.ObjectType[t];
  return typeof n === 'string' ? n : `Type${t}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** net-snmp's varbind → JSON. OctetStrings become text when they are printable UTF-8, hex otherwise (MACs, keys). */
export function toRaw(vb: snmp.Varbind): RawVarbind {
  const type = typeName(vb.type);
  const oid = normOid(vb.oid);
  if (snmp.isVarbindError(vb)) return { oid, type, value: null };
  const v = vb.value;
  if (Buffer.isBuffer(v)) {
    if (type === 'OctetString') {
      try {
        const s = utf8.decode(v);
        // eslint-disable-next-line no-control-regex
        if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s)) return { oid, type, value: s };
      } catch {
        // not UTF-8: fall through to hex
      }
    }
    return { oid, type, value: v.toString('hex'), hex: true };
  }
  if (typeof v === 'number' || typeof v === 'string') return { oid, type, value: v };
  if (typeof v === 'bigint') return { oid, type, value: v.toString() };
  return { oid, type, value: v === null || v === undefined ? null : String(v) };
}

/** Maps net-snmp's errors onto the SDK's codes. */
export function classify(e: unknown): DriverError {
  if (e instanceof DriverError) return e;
  const err = e as Error & { code?: unknown; status?: unknown };
  const msg = err?.message ?? String(e);
  if (e instanceof snmp.RequestTimedOutError) return new DriverError('Timeout', `SNMP: ${msg}`, { cause: e });
  if (e instanceof snmp.ResponseInvalidError) {
    // 5 EAuthFailure covers the USM reports (wrong digest, unknown user); 4 is a PDU that would not decrypt.
    if (err.code === 5 || err.code === 4) return new DriverError('AuthenticationFailed', `SNMPv3: ${msg}`, { cause: e });
    return new DriverError('BadResponse', `SNMP: ${msg}`, { cause: e });
  }
  if (e instanceof snmp.RequestFailedError) {
    // authorizationError (16): the user or community may not read this; anything else is the agent refusing.
    if (err.status === 16) return new DriverError('AuthenticationFailed', `SNMP: ${msg}`, { cause: e });
    return new DriverError('Rejected', `SNMP: ${msg}`, { cause: e, ...(typeof err.status === 'number' ? { status: err.status } : {}) });
  }
  if (/forcibly closed/i.test(msg)) return new DriverError('Cancelled', 'SNMP session closed', { cause: e });
  // OpenSSL 3 (Node 17+) has no DES without its legacy provider; net-snmp fails while encrypting the request.
  if (err?.code === 'ERR_OSSL_EVP_UNSUPPORTED' || /digital envelope routines::unsupported/i.test(msg)) {
    return new DriverError('NotSupported', `SNMPv3 privacy protocol unavailable in this Node.js (DES needs --openssl-legacy-provider): ${msg}`, { cause: e });
  }
  return new DriverError('BadResponse', `SNMP: ${msg}`, { cause: e });
}

/** USM reports that mean "your view of my engine is stale" (the agent rebooted): a fresh session fixes them. */
const STALE_ENGINE = /not in time window|unknown engine id/i;

/** Closing an already closed dgram socket throws; a close is best effort either way. */
function safeClose(s: snmp.Session): void {
  try {
    s.close();
  } catch {
    // already closed
  }
}

/** Reads from one SNMP agent. Create with {@link SnmpClient.open}; call `close()` once. */
export class SnmpClient {
  private session: snmp.Session | undefined;
  private closed = false;

  private constructor(
    private readonly endpoint: Endpoint,
    private readonly io: DriverIo,
    private readonly log: DriverLogger,
  ) {}

  /** Checks the credentials' kind; opens no socket yet. */
  static open(endpoint: Endpoint, io: DriverIo, log: DriverLogger): SnmpClient {
    const c = endpoint.credentials;
    if (c.kind !== 'snmp-v2c' && c.kind !== 'snmp-v3') {
      throw new DriverError('AuthenticationFailed', `endpoint ${endpoint.id}: the snmp driver needs snmp-v2c or snmp-v3 credentials, not ${c.kind}`);
    }
    return new SnmpClient(endpoint, io, log);
  }

  /** The net-snmp session, created on first use and again after a socket error or a stale-engine report. */
  private current(): snmp.Session {
    if (this.closed) throw new DriverError('Cancelled', 'the SNMP session was closed');
    if (this.session) return this.session;
    const ep = this.endpoint;
    const c = ep.credentials;
    const options: snmp.SessionOptions = { port: ep.port ?? 161, retries: 0, timeout: REQUEST_TIMEOUT_MS, transport: ep.host.includes(':') ? 'udp6' : 'udp4' };
    let s: snmp.Session;
    try {
      if (c.kind === 'snmp-v2c') {
        s = snmp.createSession(ep.host, c.community, { ...options, version: snmp.Version2c });
      } else if (c.kind === 'snmp-v3') {
        // Config is JSON: an algorithm net-snmp lacks, or a privacy protocol without its key, must not quietly
        // become a weaker session.
        const authProtocol = snmp.AuthProtocols[c.authProtocol];
        const privProtocol = c.privProtocol === undefined ? undefined : snmp.PrivProtocols[c.privProtocol];
        if (!authProtocol) throw new DriverError('AuthenticationFailed', `unsupported SNMPv3 authProtocol ${String(c.authProtocol)}`);
        if (c.privProtocol !== undefined && (!privProtocol || !c.privKey)) {
          throw new DriverError('AuthenticationFailed', `SNMPv3 privProtocol ${String(c.privProtocol)} needs a supported protocol and a privKey`);
        }
        const user: snmp.User = privProtocol
          ? { name: c.user, level: snmp.SecurityLevel.authPriv, authProtocol, authKey: c.authKey, privProtocol, privKey: c.privKey }
          : { name: c.user, level: snmp.SecurityLevel.authNoPriv, authProtocol, authKey: c.authKey };
        s = snmp.createV3Session(ep.host, user, { ...options, version: snmp.Version3 });
      } else {
        throw new DriverError('AuthenticationFailed', `credentials of kind ${c.kind} cannot open an SNMP session`);
      }
    } catch (e) {
      throw e instanceof DriverError ? e : new DriverError('BadResponse', `SNMP session could not be created: ${(e as Error).message}`, { cause: e });
    }
    // Without a listener a socket error would be thrown from the event loop and take the gateway down.
    s.on('error', (err) => {
      this.log.warn({ err: err.message }, 'SNMP socket error; the session will be re-created');
      if (this.session === s) this.session = undefined;
      safeClose(s);
    });
    this.session = s;
    return s;
  }

  /** One request through the endpoint's guard. Idempotent: SNMP reads can be repeated safely. */
  private request<T>(fire: (s: snmp.Session, done: (err: Error | null, value?: T) => void) => void, signal?: AbortSignal): Promise<T> {
    return this.io.run(
      (sig) =>
        new Promise<T>((resolve, reject) => {
          if (sig.aborted) return reject(sig.reason);
          let s: snmp.Session;
          try {
            s = this.current();
          } catch (e) {
            return reject(classify(e));
          }
          const settle = (err: Error | null, value?: T): void => {
            if (!err) return resolve(value as T);
            const de = classify(err);
            if (de.code === 'AuthenticationFailed' && STALE_ENGINE.test(de.message) && this.session === s) {
              // The agent restarted with new engine boots/time or a new engine id: rediscover on the next attempt.
              this.session = undefined;
              safeClose(s);
              return reject(new DriverError('Busy', `SNMPv3 engine changed (${de.message}); re-discovering`, { cause: err, retryAfterMs: 0 }));
            }
            reject(de);
          };
          try {
            fire(s, settle);
          } catch (e) {
            reject(classify(e)); // net-snmp throws synchronously on a closed socket or a malformed OID
          }
        }),
      { idempotent: true, ...(signal ? { signal } : {}) },
    );
  }

  /** GET of several scalars. Missing ones come back as NoSuchObject/NoSuchInstance varbinds, not as errors. */
  async get(oids: readonly string[], signal?: AbortSignal): Promise<RawVarbind[]> {
    const vbs = await this.request<snmp.Varbind[]>((s, done) => s.get([...oids], (e, v) => done(e, v ?? [])), signal);
    return vbs.map(toRaw);
  }

  /**
   * Walks a subtree with GETBULK, one guarded request per round trip, so a retry resumes where the walk stopped and
   * other callers of the endpoint get their turn between pages.
   */
  async walk(base: string, signal?: AbortSignal): Promise<RawVarbind[]> {
    const out: RawVarbind[] = [];
    let cursor = normOid(base);
    for (;;) {
      const page = await this.request<snmp.Varbind[]>(
        (s, done) => s.getBulk([cursor], 0, MAX_REPETITIONS, (e, v) => done(e, (v?.[0] as snmp.Varbind[] | undefined) ?? [])),
        signal,
      );
      if (page.length === 0) return out;
      for (const vb of page.map(toRaw)) {
        if (vb.type === 'EndOfMibView' || !inSubtree(vb.oid, base)) return out;
        // An agent must answer GETNEXT with a later OID; one that does not would walk us in circles.
        if (compareOids(vb.oid, cursor) <= 0) throw new DriverError('BadResponse', `SNMP agent returned ${vb.oid} after ${cursor} (not increasing)`);
        out.push(vb);
        cursor = vb.oid;
        if (out.length >= MAX_WALK) throw new DriverError('BadResponse', `SNMP walk of ${base} passed ${MAX_WALK} objects`);
      }
    }
  }

  /** Closes the socket; outstanding requests fail as cancelled. */
  close(): void {
    this.closed = true;
    if (this.session) safeClose(this.session);
    this.session = undefined;
  }
}
