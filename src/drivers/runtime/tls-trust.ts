import type { TLSSocket } from 'node:tls';
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
      rejectUnauthorized: true,
      timeout: timeoutMs,
      ...(trust.checkName === false ? { checkServerIdentity: () => undefined } : {}),
    });
  }
  // No TLS session resumption: a resumed session carries no certificate to check against the pin.
  const base = buildConnector({ rejectUnauthorized: false, timeout: timeoutMs, maxCachedSessions: 0 });
  if (trust.mode === 'insecure') {
    return (opts, cb) => {
      log.warn({ endpoint: endpointId }, 'TLS certificate not verified (trust mode insecure)');
      base(opts, cb);
    };
  }
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
      const cert = (socket as TLSSocket).getPeerCertificate?.();
      const fp = cert?.fingerprint256;
      if (!fp) {
        socket.destroy();
        return cb(new DriverError('TlsTrustFailed', `endpoint ${endpointId} presented no certificate`), null);
      }
      const pinned = trust.fingerprint256 ?? store.getPin(endpointId);
      if (!pinned) {
        store.setPin(endpointId, fp);
        log.info({ endpoint: endpointId, fingerprint256: fp }, 'pinned the device certificate on first use');
      } else if (normalise(pinned) !== normalise(fp)) {
        socket.destroy();
        return cb(
          new DriverError('TlsTrustFailed', `endpoint ${endpointId} presented certificate ${fp}, but ${pinned} is pinned`),
          null,
        );
      }
      cb(null, socket);
    });
  };
}

const normalise = (fp: string) => fp.replace(/:/g, '').toUpperCase();
