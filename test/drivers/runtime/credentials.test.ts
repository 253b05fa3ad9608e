import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Credentials } from '../../../src/drivers/api.js';
import { CredentialCipher } from '../../../src/drivers/runtime/credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-cred-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const basic: Credentials = { kind: 'basic', username: 'root', password: '0penBmc' };
const v3: Credentials = { kind: 'snmp-v3', user: 'ops', authProtocol: 'sha256', authKey: 'auth-secret', privProtocol: 'aes', privKey: 'priv-secret' };

/** Flips one bit in the base64url segment `i` of a sealed credential. */
function tamper(sealed: string, i: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[i]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[i] = bytes.toString('base64url');
  return parts.join('.');
}

describe('CredentialCipher', () => {
  it('creates the key file with mode 0600 and round-trips credentials', () => {
    const path = join(dir, 'new.key');
    const c = CredentialCipher.fromKeyFile(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    for (const creds of [basic, v3, { kind: 'snmp-v2c', community: 'públic ünïcode' } as Credentials]) {
      const sealed = c.encrypt('ep-1', creds);
      expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(sealed).not.toContain('0penBmc');
      expect(c.decrypt('ep-1', sealed)).toEqual(creds);
    }
  });

  it('the same key file decrypts across instances (a gateway restart)', () => {
    const path = join(dir, 'restart.key');
    const sealed = CredentialCipher.fromKeyFile(path).encrypt('ep-1', basic);
    expect(CredentialCipher.fromKeyFile(path).decrypt('ep-1', sealed)).toEqual(basic);
  });

  it('tightens the mode of an existing key file to 0600', () => {
    const path = join(dir, 'loose.key');
    writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o644 });
    CredentialCipher.fromKeyFile(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('uses a fresh IV each time', () => {
    const c = CredentialCipher.fromKey(randomBytes(32));
    expect(c.encrypt('ep-1', basic)).not.toBe(c.encrypt('ep-1', basic));
  });

  it('refuses a tampered ciphertext, IV or tag', () => {
    const c = CredentialCipher.fromKey(randomBytes(32));
    const sealed = c.encrypt('ep-1', basic);
    for (const i of [1, 2, 3]) expect(() => c.decrypt('ep-1', tamper(sealed, i))).toThrow();
  });

  it('refuses a ciphertext moved to another endpoint (the id is associated data)', () => {
    const c = CredentialCipher.fromKey(randomBytes(32));
    const sealed = c.encrypt('ep-1', basic);
    expect(() => c.decrypt('ep-2', sealed)).toThrow();
  });

  it('refuses a ciphertext made under another key', () => {
    const sealed = CredentialCipher.fromKey(randomBytes(32)).encrypt('ep-1', basic);
    expect(() => CredentialCipher.fromKey(randomBytes(32)).decrypt('ep-1', sealed)).toThrow();
  });

  it('refuses things that are not sealed credentials', () => {
    const c = CredentialCipher.fromKey(randomBytes(32));
    expect(() => c.decrypt('ep-1', 'root:0penBmc')).toThrow(/not a sealed credential/);
    expect(() => c.decrypt('ep-1', 'v2.a.b.c')).toThrow(/not a sealed credential/);
  });

  it('a bad key file gives a clear error naming the file', () => {
    const short = join(dir, 'short.key');
    writeFileSync(short, 'abcd\n', { mode: 0o600 });
    expect(() => CredentialCipher.fromKeyFile(short)).toThrow(/short\.key: expected a 256-bit key as 64 hex digits/);
    const notHex = join(dir, 'nothex.key');
    writeFileSync(notHex, 'z'.repeat(64), { mode: 0o600 });
    expect(() => CredentialCipher.fromKeyFile(notHex)).toThrow(/nothex\.key: expected a 256-bit key/);
    expect(() => CredentialCipher.fromKey(randomBytes(16))).toThrow(/32 bytes/);
  });
});
