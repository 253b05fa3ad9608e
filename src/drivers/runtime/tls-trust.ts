import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';
import { DriverError, type DriverLogger, type TlsTrust } from '../api.js';

/** Where pinned certificate fingerprints live. The store implements it; tests use {@link MemoryTrustStore}. */
export interface TrustStore {
  getPin(endpointId: string): string | undefined;
  setPin(endpointId: string, fingerprint256: string): void;
}

export class MemoryTrustStore implements TrustStore {
  private readonly pins = new Map<string, string>();
  getPin(id: string): string | undefined {
    return this.pins.get(id);
  }
  setPin(id: string, fp: string): void {
    this.pins.set(id, fp);
  }
}

const contexts = new Map<string, SecureContext>();

/**
 * One TLS context per trust anchor for the whole process. Building one costs about a quarter of a millisecond of CPU
 * and holds the parsed root store in native memory, so one per endpoint or per connection adds up to seconds and
 * hundreds of megabytes across a fleet of thousands. A context carries no per-peer state: the pin is checked on each
 * socket, and session resumption is off where it matters (see below).
 */
export function sharedSecureContext(ca?: string): SecureContext {
  const key = ca ?? '';
  let c = contexts.get(key);
  if (!c) {
    c = createSecureContext(ca ? { ca } : {});
    contexts.set(key, c);
  }
  return c;
}

/**
 * An undici connector that applies one endpoint's trust policy. BMCs ship self-signed certificates, so the default is
 * trust on first use: the first certificate's SHA-256 is pinned and any other certificate later is refused (a replaced
 * BMC or a man in the middle; an operator clears the pin to accept it). A configured CA verifies the chain instead.
 */
export function trustingConnector(
  endpointId: string,
  trust: TlsTrust,
  store: TrustStore,
  log: DriverLogger,
  timeoutMs: number,
): buildConnector.connector {
  if (trust.mode === 'ca') {
    return buildConnector({
      ca: trust.ca,
      secureContext: sharedSecureContext(trust.ca),
      rejectUnauthorized: true,
      timeout: timeoutMs,
      ...(trust.checkName === false ? { checkServerIdentity: () => undefined } : {}),
    });
  }
  // No TLS session resumption: a resumed session carries no certificate to check against the pin.
  const base = buildConnector({ rejectUnauthorized: false, timeout: timeoutMs, maxCachedSessions: 0, secureContext: sharedSecureContext() });
  if (trust.mode === 'insecure') {
    // Once per endpoint: a warning on every connection was thousands of log lines a minute across a fleet, and said
    // nothing the first did not.
    let warned = false;
    return (opts, cb) => {
      if (!warned) log.warn({ endpoint: endpointId }, 'TLS certificate not verified (trust mode insecure)');
      warned = true;
      base(opts, cb);
    };
  }
  const configuredPin = trust.fingerprint256;
  let warnedPlain = false;
  return (opts, cb) => {
    if (opts.protocol !== 'https:') {
      // A BMC configured for plain HTTP has no certificate to pin; say so once rather than pretend.
      if (!warnedPlain) log.warn({ endpoint: endpointId }, 'plain HTTP endpoint: no TLS, credentials travel in clear');
      warnedPlain = true;
      return base(opts, cb);
    }
    base(opts, (err, socket) => {
      if (err || !socket) return cb(err ?? new Error('no socket'), null);
      const refused = checkPin(socket as TLSSocket);
      if (refused) {
        socket.destroy();
        return cb(refused, null);
      }
      cb(null, socket);
    });
  };

  /** Undefined to accept the socket, or why it is refused. Never throws. */
  function checkPin(socket: TLSSocket): DriverError | undefined {
    try {
      const fp = socket.getPeerCertificate?.()?.fingerprint256;
      if (!fp) return new DriverError('TlsTrustFailed', `endpoint ${endpointId} presented no certificate`);
      const pinned = configuredPin ?? store.getPin(endpointId);
      if (!pinned) {
        store.setPin(endpointId, fp);
        log.info({ endpoint: endpointId, fingerprint256: fp }, 'pinned the device certificate on first use');
      } else if (normalise(pinned) !== normalise(fp)) {
        return new DriverError('TlsTrustFailed', `endpoint ${endpointId} presented certificate ${fp}, but ${pinned} is pinned`);
      }
      return undefined;
    } catch (e) {
      // This runs inside the TLS socket's 'secureConnect' listener, which nobody guards: a throw here (a trust store
      // that cannot read or write, a failing logger) became an uncaught exception, and undici, never called back, left
      // the pool's client connecting forever, so every later request to the endpoint hung until its timeout.
      return new DriverError('TlsTrustFailed', `endpoint ${endpointId}: the certificate could not be checked: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

const normalise = (fp: string) => fp.replace(/:/g, '').toUpperCase();
