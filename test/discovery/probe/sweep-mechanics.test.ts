import { describe, expect, it } from 'vitest';
import type { ProbeFailure, RedfishProbeOptions, RedfishTarget } from '../../../src/discovery/probe.js';
import { createCidrSource } from '../../../src/discovery/sources/cidr.js';
import { RateWaitAborted, TokenBucket } from '../../../src/discovery/sources/rate.js';
import { ManualClock, recorder, settle } from './helpers.js';

const refused = (): ProbeFailure => ({ ok: false, reason: 'refused', detail: 'fake' });

/** A fake Redfish probe that stays in flight until released (or aborted), and counts what it sees. */
function gatedProbe() {
  const state = { started: [] as string[], inFlight: 0, maxInFlight: 0, cancelled: 0, gates: [] as (() => void)[] };
  const probe = (t: RedfishTarget, o: RedfishProbeOptions) =>
    new Promise<ProbeFailure>((resolve) => {
      state.started.push(t.host);
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      let open = true;
      const end = (r: ProbeFailure) => {
        if (!open) return;
        open = false;
        state.inFlight -= 1;
        o.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => {
        state.cancelled += 1;
        end({ ok: false, reason: 'aborted', detail: 'fake' });
      };
      o.signal?.addEventListener('abort', onAbort);
      state.gates.push(() => end(refused()));
    });
  const releaseAll = () => state.gates.splice(0).forEach((g) => g());
  return { state, probe, releaseAll };
}

describe('TokenBucket', () => {
  it('starts no more than burst + elapsed * rate, and keeps order', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(10, 2, clock);
    const order: number[] = [];
    const takes = Array.from({ length: 8 }, (_, i) => bucket.take().then(() => order.push(i)));
    await settle();
    expect(order).toEqual([0, 1]); // the burst
    await clock.advance(99);
    expect(order).toHaveLength(2);
    await clock.advance(1);
    expect(order).toHaveLength(3);
    await clock.advance(399);
    expect(order).toHaveLength(6); // 2 + floor(499 ms * 10/s)
    await clock.advance(1);
    expect(order).toHaveLength(7);
    await clock.advance(100);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await Promise.all(takes);
    expect(clock.pending).toBe(0);
  });

  it('saves at most `burst` tokens while idle', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(100, 3, clock);
    await clock.advance(10_000);
    let got = 0;
    for (let i = 0; i < 10; i++) void bucket.take().then(() => got++);
    await settle();
    expect(got).toBe(3);
  });

  it('lets an aborted waiter leave the queue', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(1, 1, clock);
    await bucket.take();
    const ac = new AbortController();
    const waiting = bucket.take(ac.signal);
    expect(bucket.queued).toBe(1);
    ac.abort();
    await expect(waiting).rejects.toBeInstanceOf(RateWaitAborted);
    expect(bucket.queued).toBe(0);
    expect(clock.pending).toBe(0);
    expect(() => new TokenBucket(0)).toThrow(/ratePerSecond/);
  });
});

describe('cidr sweep mechanics (fake probes)', () => {
  it('never has more than `concurrency` probes in flight, and finishes every address', async () => {
    const g = gatedProbe();
    const rec = recorder();
    const source = createCidrSource({ ranges: ['10.9.0.0/27'], concurrency: 4, ratePerSecond: 1e6, probes: { redfish: g.probe } });
    const scan = source.scan(rec.ctx);
    for (let round = 0; round < 20 && g.state.started.length < 30; round++) {
      await settle();
      expect(g.state.inFlight).toBeLessThanOrEqual(4);
      g.releaseAll();
    }
    await scan;
    expect(g.state.maxInFlight).toBe(4);
    expect(g.state.started).toHaveLength(30);
    expect(new Set(g.state.started).size).toBe(30);
    expect(rec.progress.at(-1)).toEqual([30, 30]);
    expect(rec.progress.map(([d]) => d)).toEqual([...Array(31).keys()]);
    expect(rec.sightings).toEqual([]);
  });

  it('counts each probe of an address (ports, IPMI, SNMP) against concurrency', async () => {
    let inFlight = 0;
    let max = 0;
    const slow = async <T>(r: T): Promise<T> => {
      inFlight++;
      max = Math.max(max, inFlight);
      await settle(2);
      inFlight--;
      return r;
    };
    const rec = recorder();
    const source = createCidrSource({
      ranges: ['10.9.1.1-10.9.1.8'],
      redfishPorts: [443, 8443],
      ipmi: true,
      snmp: { communities: ['a'] },
      concurrency: 3,
      ratePerSecond: 1e6,
      probes: { redfish: () => slow(refused()), rmcp: () => slow(refused()), snmp: () => slow(refused()) },
    });
    await source.scan(rec.ctx);
    expect(max).toBe(3);
    expect(rec.progress.at(-1)).toEqual([8, 8]);
    expect(rec.logs.filter((l) => l.level === 'debug')).toHaveLength(8 * 4);
  });

  it('starts probes no faster than the rate limiter allows', async () => {
    const clock = new ManualClock();
    const starts: number[] = [];
    const rec = recorder();
    // 20 per second with the default burst (1 token): one start per 50 ms of clock time.
    const source = createCidrSource({
      ranges: ['10.9.2.1-10.9.2.40'],
      concurrency: 8,
      ratePerSecond: 20,
      clock,
      probes: {
        redfish: async () => {
          starts.push(clock.now());
          return refused();
        },
      },
    });
    const scan = source.scan(rec.ctx);
    await settle();
    for (let t = 0; t < 2000; t += 50) {
      const budget = 1 + Math.floor((clock.now() * 20) / 1000);
      expect(starts.length).toBeLessThanOrEqual(budget);
      expect(starts.length).toBeGreaterThanOrEqual(budget - 1);
      await clock.advance(50);
    }
    await scan;
    expect(starts).toHaveLength(40);
    // No two starts closer than the rate allows.
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(50);
  });

  it('stops starting probes when aborted, cancels the running ones, and ends quietly', async () => {
    const g = gatedProbe();
    const rec = recorder();
    const source = createCidrSource({ ranges: ['10.9.3.0/24'], concurrency: 5, ratePerSecond: 1e6, probes: { redfish: g.probe } });
    const scan = source.scan(rec.ctx);
    await settle();
    g.releaseAll();
    await settle();
    const before = g.state.started.length;
    expect(before).toBe(10);
    expect(g.state.inFlight).toBe(5);
    rec.controller.abort();
    await expect(scan).resolves.toBeUndefined();
    expect(g.state.cancelled).toBe(5);
    expect(g.state.inFlight).toBe(0);
    await settle();
    expect(g.state.started.length).toBe(before);
    // The aborted probes are neither sightings nor "no answer" lines.
    expect(rec.logs.filter((l) => l.level === 'debug')).toHaveLength(5);
    expect(rec.progress.at(-1)).toEqual([5, 254]);
  });

  it('checks its settings when created', () => {
    expect(() => createCidrSource({ ranges: ['10.0.0.0/8'] })).toThrow(/range 10\.0\.0\.0\/8 holds/);
    expect(() => createCidrSource({ ranges: ['10.0.0.0/24'], maxAddresses: 10 })).toThrow(/cap of 10/);
    expect(() => createCidrSource({ ranges: ['10.0.0.1'], concurrency: 0 })).toThrow(/concurrency/);
    expect(() => createCidrSource({ ranges: ['10.0.0.1'], ratePerSecond: -1 })).toThrow(/ratePerSecond/);
    expect(() => createCidrSource({ ranges: ['10.0.0.1'], redfishPorts: [70000] })).toThrow(/redfishPorts: 70000 is not a port/);
    expect(() => createCidrSource({ ranges: ['10.0.0.1'], redfishPorts: [] })).toThrow(/nothing to probe/);
    expect(() => createCidrSource({ ranges: ['10.0.0.1'], snmp: { communities: [''] } })).toThrow(/community/);
    expect(createCidrSource({ ranges: ['10.0.0.1'] }).name).toBe('cidr');
  });
});
