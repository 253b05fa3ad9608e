import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFleet } from '../../../mock-hardware/src/index.js';
import { redfishDriver } from '../../../src/drivers/redfish/index.js';
import { DriverRuntime } from '../../../src/drivers/runtime/index.js';
import { sharedDir } from '../../support/shared-dir.js';

// "The generic redfish driver ingests DMTF mockups it has never seen without crashing, and reports what it could not
// map." Beyond the one real mockup we have, each variant here is that mockup damaged in a seeded, different way: wrong
// types, nulls, missing Members, links to nowhere, links off the device, self-links. The driver must read every
// variant, never throw anything but a classified driver error, and say what it could not use. (Malformed JSON on the
// wire is the simulator's `malformed-json` fault, covered by the fault matrix.)

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.json') ? [p] : [];
  });
}

/** A small seeded generator, so a failing variant can be reproduced by its number. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

const DAMAGE = [
  (v: Record<string, unknown>, k: string) => (v[k] = 12345), // a string becomes a number
  (v: Record<string, unknown>, k: string) => (v[k] = null),
  (v: Record<string, unknown>, k: string) => (v[k] = { '@odata.id': '/redfish/v1/Nowhere/At/All' }),
  (v: Record<string, unknown>, k: string) => (v[k] = { '@odata.id': 'https://elsewhere.example/redfish/v1/Systems' }),
  (v: Record<string, unknown>, k: string) => (v[k] = [1, 'two', { three: 3 }]),
  (v: Record<string, unknown>, k: string) => delete v[k],
];

function damage(dir: string, seed: number): void {
  const r = rng(seed);
  for (const f of files(dir)) {
    if (f.endsWith(join('redfish', 'v1', 'index.json'))) continue; // keep a service root: without one it is not Redfish
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
    } catch {
      continue;
    }
    const keys = Object.keys(body).filter((k) => !k.startsWith('@odata'));
    for (const k of keys) if (r() < 0.25) DAMAGE[Math.floor(r() * DAMAGE.length)]!(body, k);
    if (r() < 0.1 && typeof body['@odata.id'] === 'string') body.Links = { Chassis: [{ '@odata.id': body['@odata.id'] }] }; // a self-link
    writeFileSync(f, JSON.stringify(body));
  }
}

describe('generic Redfish driver on mockups it has never seen', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'shoal-mockups-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const source = join(sharedDir(), 'mockups', 'public-smartnic');

  it('maps the pristine public-smartnic mockup and lists what it did not map', async () => {
    const fleet = await startFleet({ seed: 'pristine', timeScale: 0, baseAddress: '127.31.0.1', devices: [{ persona: 'dmtf-mockup', options: { mockup: source } }] });
    const rt = new DriverRuntime({ log: silent });
    try {
      const d = fleet.devices[0]!;
      const dev = rt.add({ id: d.id, protocol: 'redfish', host: d.address, port: d.port, credentials: { kind: 'basic', username: d.credentials.user, password: d.credentials.password }, tls: { mode: 'insecure' } }, redfishDriver);
      const snap = await dev.call('inventory', []);
      expect(snap.systems.map((s) => s.id).sort()).toEqual(['437XR1138R2', 'Card1-SoC']);
      expect(snap.systems.find((s) => s.id === 'Card1-SoC')?.systemType).toBe('DPU');
      expect(snap.chassis.find((c) => c.id === 'Card1')?.containedBy).toBe('1U');
      expect(snap.components.some((c) => c.kind === 'NetworkAdapter')).toBe(true);
      // Properties the maps do not cover are reported by name, per resource.
      expect(snap.unmapped.some((n) => /properties not mapped: .*\w/.test(n.reason))).toBe(true);
    } finally {
      await rt.close();
      await fleet.stop();
    }
  });

  const VARIANTS = 12;
  it(`reads ${VARIANTS} damaged variants without crashing, and notes the damage`, async () => {
    const groups = [];
    for (let i = 0; i < VARIANTS; i++) {
      const dir = join(tmp, `variant-${i}`);
      cpSync(source, dir, { recursive: true });
      damage(dir, 1000 + i);
      groups.push({ persona: 'dmtf-mockup', idPrefix: `v${i}`, options: { mockup: dir } });
    }
    const fleet = await startFleet({ seed: 'damaged', timeScale: 0, baseAddress: '127.31.1.1', devices: groups });
    const rt = new DriverRuntime({ log: silent, guard: { retries: 0 } });
    const outcomes: string[] = [];
    try {
      for (const d of fleet.devices) {
        const dev = rt.add({ id: d.id, protocol: 'redfish', host: d.address, port: d.port, credentials: { kind: 'basic', username: d.credentials.user, password: d.credentials.password }, tls: { mode: 'insecure' } }, redfishDriver);
        try {
          const snap = await dev.call('inventory', []);
          expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
          expect(snap.unmapped.length).toBeGreaterThan(0);
          await dev.call('state', []);
          outcomes.push('read');
        } catch (e) {
          // Only classified driver errors may come out (a variant whose root or session service broke).
          expect((e as { name?: string }).name).toBe('DriverError');
          outcomes.push((e as { code: string }).code);
        }
      }
    } finally {
      await rt.close();
      await fleet.stop();
    }
    expect(outcomes).toHaveLength(VARIANTS);
    expect(outcomes.filter((o) => o === 'read').length).toBeGreaterThanOrEqual(VARIANTS / 2);
  });
});
