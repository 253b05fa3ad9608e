import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedEndpoints } from '../../src/drivers/endpoints.js';
import { redfishDriver } from '../../src/drivers/redfish/index.js';
import { DriverRegistry } from '../../src/drivers/registry.js';
import { CredentialCipher, DriverRuntime } from '../../src/drivers/runtime/index.js';
import { openStore } from '../../src/store/index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('managed endpoints: stored sealed, reloaded after a restart', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function start(dir: string) {
    const store = openStore(dir);
    const registry = new DriverRegistry();
    registry.register(redfishDriver);
    const runtime = new DriverRuntime({ log: silent, trust: store.endpoints });
    const cipher = CredentialCipher.fromKeyFile(join(dir, 'device-credentials.key'));
    return { store, runtime, endpoints: new ManagedEndpoints(store.endpoints, cipher, registry, runtime, silent) };
  }

  it('keeps every endpoint, never writes the password in clear, and decrypts it after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-ep-'));
    dirs.push(dir);
    const a = start(dir);
    a.endpoints.add({ id: 'bmc-1', driver: 'redfish', host: '192.0.2.10', credentials: { kind: 'basic', username: 'root', password: 'very-secret-pw' } });
    a.store.endpoints.setPin('bmc-1', 'AB:CD');
    await a.runtime.close();
    a.store.close();

    const db = readFileSync(join(dir, 'shoal.db'));
    const wal = (() => {
      try {
        return readFileSync(join(dir, 'shoal.db-wal'));
      } catch {
        return Buffer.alloc(0);
      }
    })();
    expect(Buffer.concat([db, wal]).includes(Buffer.from('very-secret-pw'))).toBe(false);
    expect(statSync(join(dir, 'device-credentials.key')).mode & 0o777).toBe(0o600);

    const b = start(dir);
    expect(b.endpoints.loadAll()).toEqual({ loaded: 1, skipped: [] });
    const dev = b.endpoints.get('bmc-1')!;
    expect(dev.endpoint.credentials).toEqual({ kind: 'basic', username: 'root', password: 'very-secret-pw' });
    expect(dev.endpoint.protocol).toBe('redfish');
    expect(b.store.endpoints.getPin('bmc-1')).toBe('AB:CD');
    await b.runtime.close();
    b.store.close();
  });

  it('skips, with a reason, endpoints whose key file was replaced or whose driver is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-ep-'));
    dirs.push(dir);
    const a = start(dir);
    a.endpoints.add({ id: 'bmc-1', driver: 'redfish', host: '192.0.2.10', credentials: { kind: 'basic', username: 'u', password: 'p' } });
    a.store.endpoints.upsert({ id: 'gone-1', driver: 'no-such-driver', protocol: 'redfish', host: '192.0.2.11', credentials: 'x', tls: { mode: 'pin' } });
    await a.runtime.close();
    a.store.close();
    rmSync(join(dir, 'device-credentials.key'));

    const b = start(dir);
    const r = b.endpoints.loadAll();
    expect(r.loaded).toBe(0);
    expect(r.skipped.map((s) => s.id).sort()).toEqual(['bmc-1', 'gone-1']);
    expect(r.skipped.find((s) => s.id === 'bmc-1')!.reason).toMatch(/key file/);
    expect(r.skipped.find((s) => s.id === 'gone-1')!.reason).toMatch(/not installed/);
    await b.runtime.close();
    b.store.close();
  });

  it('refuses an unknown driver before storing anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-ep-'));
    dirs.push(dir);
    const a = start(dir);
    expect(() => a.endpoints.add({ id: 'x', driver: 'nope', host: 'h', credentials: { kind: 'basic', username: 'u', password: 'p' } })).toThrow(/unknown driver nope; known: redfish/);
    expect(a.store.endpoints.list()).toEqual([]);
    a.store.close();
  });
});
