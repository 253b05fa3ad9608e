import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** True when this call generated the pair. */
  generated: boolean;
  certFile: string;
}

/**
 * The configured certificate, or the self-signed one kept in the data directory, generated on first start so that
 * clients that pin it keep working across restarts.
 */
export async function ensureCertificate(dataDir: string, certFile?: string, keyFile?: string): Promise<TlsMaterial> {
  if (certFile || keyFile) {
    if (!certFile || !keyFile) throw new Error('tls.certFile and tls.keyFile must be given together');
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), generated: false, certFile };
  }
  const cf = join(dataDir, 'tls-cert.pem');
  const kf = join(dataDir, 'tls-key.pem');
  if (existsSync(cf) && existsSync(kf)) {
    return { cert: readFileSync(cf, 'utf8'), key: readFileSync(kf, 'utf8'), generated: false, certFile: cf };
  }
  const host = hostname();
  const now = new Date();
  const pem = await generate([{ name: 'commonName', value: host }, { name: 'organizationName', value: 'Shoal' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 825 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: host },
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  writeFileSync(kf, pem.private, { mode: 0o600 });
  writeFileSync(cf, pem.cert, { mode: 0o644 });
  return { cert: pem.cert, key: pem.private, generated: true, certFile: cf };
}
