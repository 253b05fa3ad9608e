import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Credentials } from '../api.js';

const VERSION = 'v1';

/**
 * Encrypts device credentials at rest with AES-256-GCM under a key kept in its own file (mode 0600), not in the
 * database: a copied database alone does not give away BMC passwords. The stored form is
 * `v1.<iv>.<tag>.<ciphertext>` in base64url; the endpoint id is bound in as associated data, so a ciphertext moved to
 * another endpoint's row does not decrypt.
 */
export class CredentialCipher {
  private constructor(private readonly key: Buffer) {}

  /** Loads the key file, creating it (32 random bytes, hex) when it does not exist. */
  static fromKeyFile(path: string): CredentialCipher {
    if (!existsSync(path)) {
      writeFileSync(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    }
    chmodSync(path, 0o600);
    const hex = readFileSync(path, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${path}: expected a 256-bit key as 64 hex digits`);
    return new CredentialCipher(Buffer.from(hex, 'hex'));
  }

  static fromKey(key: Buffer): CredentialCipher {
    if (key.length !== 32) throw new Error('credential key must be 32 bytes');
    return new CredentialCipher(key);
  }

  encrypt(endpointId: string, creds: Credentials): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(endpointId));
    const body = Buffer.concat([c.update(JSON.stringify(creds), 'utf8'), c.final()]);
    return [VERSION, iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(endpointId: string, sealed: string): Credentials {
    const [v, iv, tag, body] = sealed.split('.');
    if (v !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed credential');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(endpointId));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    const text = Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
    return JSON.parse(text) as Credentials;
  }
}
