import { createSecureContext, type SecureContext } from 'node:tls';
import { generate } from 'selfsigned';

/**
 * Certificates for the fleet. Each device gets its own certificate with its IP address as subject alternative name,
 * issued by one fleet CA so that a client can either trust the CA or skip verification. Issuing takes about 13 ms, so
 * certificates are made on a device's first TLS connection, not at start: 10,000 eager certificates would take minutes.
 */
export class CertAuthority {
  private constructor(
    readonly caCert: string,
    private readonly caKey: string,
  ) {}

  static async create(name = 'mock-hardware fleet CA'): Promise<CertAuthority> {
    const ca = await generate([{ name: 'commonName', value: name }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 5 * 365 * 86400_000),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    return new CertAuthority(ca.cert, ca.private);
  }

  /**
   * A TLS context for a device at `ip`, named `hostname`. With `selfSigned`, the certificate signs itself, like a BMC
   * fresh from the factory; otherwise the fleet CA issues it, so that clients can verify with one trust anchor.
   */
  async issue(ip: string, hostname: string, selfSigned = false): Promise<{ context: SecureContext; cert: string }> {
    const c = await generate([{ name: 'commonName', value: hostname }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 2 * 365 * 86400_000),
      ...(selfSigned ? {} : { ca: { key: this.caKey, cert: this.caCert } }),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip }, { type: 2, value: hostname }] },
      ],
    });
    const chain = selfSigned ? c.cert : `${c.cert.trim()}\n${this.caCert.trim()}\n`;
    return { context: createSecureContext({ key: c.private, cert: chain }), cert: c.cert };
  }
}
