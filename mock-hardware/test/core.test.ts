import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/core/clock.js';
import { Prng } from '../src/core/prng.js';
import { createImage, ImageVerifier, signingKeyFromSeed } from '../src/core/image.js';
import { readMultipart } from '../src/http/multipart.js';

describe('virtual clock', () => {
  it('fires timers in due order when advanced, each seeing its own due time', () => {
    const c = new VirtualClock({ scale: 0, start: 1000 });
    const seen: [string, number][] = [];
    c.setTimeout(() => seen.push(['b', c.now()]), 200);
    c.setTimeout(() => {
      seen.push(['a', c.now()]);
      c.setTimeout(() => seen.push(['c', c.now()]), 150);
    }, 100);
    c.advance(240);
    expect(seen).toEqual([['a', 1100], ['b', 1200]]);
    c.advance(10);
    expect(seen.at(-1)).toEqual(['c', 1250]);
    expect(c.now()).toBe(1250);
  });

  it('cancelled timers never fire; scale 0 freezes time', async () => {
    const c = new VirtualClock({ scale: 0, start: 0 });
    let fired = false;
    const t = c.setTimeout(() => (fired = true), 10);
    c.clearTimeout(t);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.now()).toBe(0);
    c.advance(100);
    expect(fired).toBe(false);
  });

  it('runs timers in real time divided by the scale', async () => {
    const c = new VirtualClock({ scale: 1000 });
    const t0 = performance.now();
    await c.sleep(50_000); // 50 virtual seconds = 50 real ms
    const real = performance.now() - t0;
    // It really waited (scaled), rather than returning at once; an unscaled 50 s wait would hit the test timeout.
    expect(real).toBeGreaterThan(30);
    c.stop();
  });
});

describe('prng', () => {
  it('is reproducible per seed and forks independently', () => {
    const a = new Prng('seed');
    const b = new Prng('seed');
    expect([a.next(), a.next(), a.uuid()]).toEqual([b.next(), b.next(), b.uuid()]);
    expect(new Prng('other').next()).not.toBe(new Prng('seed').next());
    const f1 = new Prng('s').fork('x').alnum(8);
    const p = new Prng('s');
    p.next();
    expect(p.fork('x').alnum(8)).toBe(f1);
    expect(new Prng(1).uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('images and multipart', () => {
  it('verifies digest and signature while streaming', async () => {
    const key = signingKeyFromSeed('k');
    const good = createImage({ components: [{ id: 'DPU_OS', version: '2.0' }], size: 300_000, signingKey: key.privateKey });
    const v = new ImageVerifier();
    for await (const c of good.stream()) v.write(c as Buffer);
    const r = v.end(key.publicKey);
    expect(r).toMatchObject({ signed: true, payloadBytes: 300_000 });
    expect(r.error).toBeUndefined();
    const bad = createImage({ components: [{ id: 'DPU_OS', version: '2.0' }], size: 1000, corrupt: true });
    const v2 = new ImageVerifier();
    for await (const c of bad.stream()) v2.write(c as Buffer);
    expect(v2.end().error).toBe('image digest mismatch');
    const other = signingKeyFromSeed('other');
    const v3 = new ImageVerifier();
    for await (const c of good.stream()) v3.write(c as Buffer);
    expect(v3.end(other.publicKey).error).toBe('image signature invalid');
  });

  it('parses multipart bodies split at awkward chunk boundaries', async () => {
    const body = Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="UpdateParameters"\r\n\r\n{"Targets":[]}\r\n--XyZ\r\nContent-Disposition: form-data; name="UpdateFile"; filename="f.bin"\r\n\r\nABC\r\n--XyDEF\r\n--XyZ--\r\n');
    for (const size of [1, 3, 7, 1000]) {
      const parts: Record<string, string> = {};
      const chunks = async function* () {
        for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
      };
      await readMultipart(chunks(), 'XyZ', (h) => {
        parts[h.name!] = '';
        return { write: (c) => (parts[h.name!] += c.toString()), end: () => undefined };
      });
      expect(parts).toEqual({ UpdateParameters: '{"Targets":[]}', UpdateFile: 'ABC\r\n--XyDEF' });
    }
  });
});
