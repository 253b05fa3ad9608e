/**
 * TLS trust against the simulator: pin on first use, refusal of a different certificate (without crashing the
 * process), CA verification with the fleet CA, and insecure mode.
 */
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetDevice } from '../../../mock-hardware/src/index.js';
import { DriverError, type DriverLogger } from '../../../src/drivers/api.js';
import { redfishDriver } from '../../../src/drivers/redfish/index.js';
import { DriverRuntime, MemoryTrustStore } from '../../../src/drivers/runtime/index.js';
import { endpointFor, pause, processErrorSpy, silentLog } from '../support/runtime.js';

const ADDRESS = '127.151.0.1';
const spy = processErrorSpy();
let fleet: Fleet;
let bf: FleetDevice;
const runtimes: DriverRuntime[] = [];

function runtime(trust = new MemoryTrustStore(), log: DriverLogger = silentLog): DriverRuntime {
  const rt = new DriverRuntime({ log, trust, guard: { timeoutMs: 3000, retries: 1, backoffMs: 20, breakerThreshold: 3, breakerOpenMs: 200 } });
  runtimes.push(rt);
  return rt;
}

function fingerprintOf(d: FleetDevice): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: d.address, port: d.port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.end();
    });
    s.on('error', reject);
  });
}

beforeAll(async () => {
  fleet = await startFleet({ seed: 'runtime-tls-a', timeScale: 0, baseAddress: ADDRESS, devices: [{ persona: 'bluefield3', count: 1 }] });
  bf = fleet.devices[0]!;
});
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await fleet?.stop();
  await pause(50);
  spy.dispose();
  expect(spy.errors).toEqual([]);
});

describe('pin on first use', () => {
  it('pins the certificate the device presents on the first connection', async () => {
    const trust = new MemoryTrustStore();
    const dev = runtime(trust).add(endpointFor(bf, 'pin-1'), redfishDriver);
    expect(trust.getPin('pin-1')).toBeUndefined();
    const states = await dev.call('state', []);
    expect(states.length).toBeGreaterThan(0);
    expect(trust.getPin('pin-1')).toBe(await fingerprintOf(bf));
  });

  it('keeps working with the pinned certificate (fingerprint format is normalised)', async () => {
    const trust = new MemoryTrustStore();
    const fp = await fingerprintOf(bf);
    const dev = runtime(trust).add(endpointFor(bf, 'pin-2', { mode: 'pin', fingerprint256: fp.replace(/:/g, '').toLowerCase() }), redfishDriver);
    await expect(dev.call('state', [])).resolves.toBeInstanceOf(Array);
  });

  it('refuses a certificate other than the pinned one with TlsTrustFailed, and nothing escapes as uncaught', async () => {
    const wrong = Array.from({ length: 32 }, () => 'AA').join(':');
    const sessionsBefore = bf.model.sessions.size;
    const rt = runtime();
    const dev = rt.add(endpointFor(bf, 'pin-3', { mode: 'pin', fingerprint256: wrong }), redfishDriver);
    const e = await dev.connect().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DriverError);
    expect((e as DriverError).code).toBe('TlsTrustFailed');
    expect((e as DriverError).message).toContain(wrong);
    // Again, and many at once: every caller gets the classified error.
    const many = await Promise.allSettled(Array.from({ length: 8 }, () => dev.call('state', [])));
    for (const r of many) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ name: 'DriverError', code: 'TlsTrustFailed' });
    }
    expect(dev.error?.code).toBe('TlsTrustFailed');
    // A certificate problem is not a dead device: the breaker stays closed and no request reached the device.
    expect(dev.guard.breaker.state).toBe('closed');
    expect(bf.model.sessions.size).toBe(sessionsBefore);
    await pause(50);
    expect(spy.errors).toEqual([]);
  });
});

describe('a failing trust store', () => {
  // Regression: the pin check runs inside the TLS socket's 'secureConnect' listener. Anything it threw (a store that
  // cannot read or write its pins, a logger that fails) escaped as an uncaughtException, and undici, never called
  // back, left the pool's client "connecting" forever: every later request to the endpoint hung until its timeout,
  // even after the store recovered.
  it('is a classified TlsTrustFailed, nothing escapes, and the endpoint works once the store does', async () => {
    let broken = true;
    const pins = new Map<string, string>();
    const store = {
      getPin: (id: string) => pins.get(id),
      setPin: (id: string, fp: string) => {
        if (broken) throw new Error('SQLITE_BUSY: database is locked');
        pins.set(id, fp);
      },
    };
    const rt = runtime(store as MemoryTrustStore);
    const dev = rt.add(endpointFor(bf, 'store-1'), redfishDriver);
    for (let i = 0; i < 6; i++) {
      const e = await dev.connect().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DriverError);
      expect((e as DriverError).code).toBe('TlsTrustFailed');
      expect((e as DriverError).message).toContain('SQLITE_BUSY');
    }
    await pause(50);
    expect(spy.errors).toEqual([]);
    broken = false;
    await expect(dev.call('state', [])).resolves.toBeInstanceOf(Array);
    expect(pins.get('store-1')).toBe(await fingerprintOf(bf));
  });
});

describe('a device that comes back with another certificate', () => {
  it('is refused with TlsTrustFailed until the operator accepts the new certificate', async () => {
    const address = '127.151.1.1';
    const trust = new MemoryTrustStore();
    const rt = runtime(trust);
    const a = await startFleet({ seed: 'runtime-tls-b', timeScale: 0, baseAddress: address, devices: [{ persona: 'bluefield3', count: 1 }] });
    const dev = rt.add(endpointFor(a.devices[0]!, 'replaced'), redfishDriver);
    let b: Fleet | undefined;
    try {
      await dev.call('state', []);
      const first = trust.getPin('replaced');
      expect(first).toBeDefined();
      await a.stop();
      // Same address, new fleet CA: a replaced BMC (or someone in the middle).
      b = await startFleet({ seed: 'runtime-tls-c', timeScale: 0, baseAddress: address, devices: [{ persona: 'bluefield3', count: 1 }] });
      const e = await dev.call('state', []).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DriverError);
      expect((e as DriverError).code).toBe('TlsTrustFailed');
      expect(trust.getPin('replaced')).toBe(first);
      // The operator accepts the new certificate; the old session token means nothing there, so it logs in again.
      trust.setPin('replaced', await fingerprintOf(b.devices[0]!));
      await expect(dev.call('state', [])).resolves.toBeInstanceOf(Array);
      expect(b.devices[0]!.model.sessions.size).toBe(1);
      await pause(50);
      expect(spy.errors).toEqual([]);
    } finally {
      await rt.close();
      await a.stop().catch(() => undefined);
      await b?.stop();
    }
  });
});

describe('CA mode', () => {
  it('verifies the device against the fleet CA (chain and IP name)', async () => {
    const dev = runtime().add(endpointFor(bf, 'ca-1', { mode: 'ca', ca: fleet.caCert }), redfishDriver);
    const states = await dev.call('state', []);
    expect(states.length).toBeGreaterThan(0);
  });

  // Regression (found by this suite, fixed): a chain that does not verify fails inside Node's TLS with codes such as
  // UNABLE_TO_VERIFY_LEAF_SIGNATURE / SELF_SIGNED_CERT_IN_CHAIN, which toDriverError() does not know, so the caller
  // sees 'BadResponse' instead of 'TlsTrustFailed'.
  it('refuses a device whose certificate another CA issued, as TlsTrustFailed', async () => {
    const other = await startFleet({ seed: 'runtime-tls-d', timeScale: 0, baseAddress: '127.151.2.1', devices: [{ persona: 'bluefield3', count: 1 }] });
    try {
      const dev = runtime().add(endpointFor(bf, 'ca-2', { mode: 'ca', ca: other.caCert }), redfishDriver);
      const e = await dev.call('state', []).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DriverError);
      expect((e as DriverError).code).toBe('TlsTrustFailed');
    } finally {
      await other.stop();
    }
  });

  it('a chain that does not verify is at least a classified DriverError that neither retries nor opens the breaker', async () => {
    const other = await startFleet({ seed: 'runtime-tls-e', timeScale: 0, baseAddress: '127.151.3.1', devices: [{ persona: 'bluefield3', count: 1 }] });
    try {
      const dev = runtime().add(endpointFor(bf, 'ca-3', { mode: 'ca', ca: other.caCert }), redfishDriver);
      for (let i = 0; i < 4; i++) {
        const e = await dev.call('state', []).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(DriverError);
        expect(['TlsTrustFailed', 'BadResponse']).toContain((e as DriverError).code);
      }
      expect(dev.guard.breaker.state).toBe('closed');
    } finally {
      await other.stop();
    }
  });
});

describe('insecure mode', () => {
  it('accepts any certificate, pins nothing, and warns once per endpoint however many connections it opens', async () => {
    const warnings: unknown[] = [];
    const trust = new MemoryTrustStore();
    const log = { ...silentLog, warn: (o: unknown) => void warnings.push(o) };
    const dev = runtime(trust, log).add(endpointFor(bf, 'insecure-1', { mode: 'insecure' }), redfishDriver);
    // An inventory crawl opens several connections at once.
    await expect(dev.call('inventory', [])).resolves.toBeTypeOf('object');
    await expect(dev.call('state', [])).resolves.toBeInstanceOf(Array);
    expect(trust.getPin('insecure-1')).toBeUndefined();
    expect(warnings.filter((w) => (w as { endpoint?: string }).endpoint === 'insecure-1')).toHaveLength(1);
  });
});
