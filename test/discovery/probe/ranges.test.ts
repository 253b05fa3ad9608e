import { describe, expect, it } from 'vitest';
import { expandRanges, parseRange } from '../../../src/discovery/sources/cidr.js';

const all = (it: Iterable<string>) => [...it];

describe('parseRange', () => {
  it('reads CIDRs, ranges, short ranges, single addresses and IPv6 addresses', () => {
    expect(parseRange('10.0.0.0/24')).toMatchObject({ kind: 'v4', text: '10.0.0.0/24' });
    expect(all(expandRanges(['10.0.0.0/30']))).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(all(expandRanges(['10.0.0.6/31']))).toEqual(['10.0.0.6', '10.0.0.7']);
    expect(all(expandRanges(['10.0.0.9/32']))).toEqual(['10.0.0.9']);
    expect(all(expandRanges(['10.0.0.5/29']))).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    expect(all(expandRanges(['10.0.0.254-10.0.1.1']))).toEqual(['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1']);
    expect(all(expandRanges(['10.0.0.5-7']))).toEqual(['10.0.0.5', '10.0.0.6', '10.0.0.7']);
    expect(all(expandRanges([' 192.168.1.1 ']))).toEqual(['192.168.1.1']);
    expect(all(expandRanges(['FD00:0:0::5', '[fd00::6]', 'fe80::1%eth0']))).toEqual(['fd00::5', 'fd00::6', 'fe80::1%eth0']);
  });

  it('refuses bad input with a message that quotes it', () => {
    expect(() => parseRange('')).toThrow(/empty/);
    expect(() => parseRange('10.0.0.0/33')).toThrow(/"10.0.0.0\/33".*prefix length/);
    expect(() => parseRange('10.0.0/24')).toThrow(/10\.0\.0 is not an IPv4 address/);
    expect(() => parseRange('10.0.0.256')).toThrow(/invalid address or range "10.0.0.256"/);
    expect(() => parseRange('10.0.0.010')).toThrow(/invalid address/);
    expect(() => parseRange('10.0.0.9-10.0.0.3')).toThrow(/ends before it starts/);
    expect(() => parseRange('10.0.0.9-300')).toThrow(/not an IPv4 address or a last octet/);
    expect(() => parseRange('bmc.example.com')).toThrow(/expected an IPv4 CIDR/);
  });

  it('refuses IPv6 subnets and ranges, saying what to do instead', () => {
    expect(() => parseRange('fd00::/64')).toThrow(/IPv6 sweeps are refused \("fd00::\/64"\).*one by one/);
    expect(() => parseRange('fd00::1-fd00::9')).toThrow(/IPv6 sweeps are refused/);
    expect(() => expandRanges(['10.0.0.1'], ['fd00::/120'])).toThrow(/IPv6 sweeps are refused/);
  });
});

describe('expandRanges', () => {
  it('counts without materialising: a /16 is one interval until it is walked', () => {
    const plan = expandRanges(['10.1.0.0/16']);
    expect(plan.total).toBe(65_534);
    const it = plan[Symbol.iterator]();
    expect([it.next().value, it.next().value]).toEqual(['10.1.0.1', '10.1.0.2']);
    // Iterable again from the start.
    expect(plan[Symbol.iterator]().next().value).toBe('10.1.0.1');
  });

  it('removes exclusions and duplicates, and keeps the count equal to what it yields', () => {
    const plan = expandRanges(['10.0.0.0/28', '10.0.0.4-10.0.0.20', '10.0.0.3', 'fd00::1', 'fd00::1', 'fd00::2'], ['10.0.0.5-10.0.0.9', '10.0.0.16/30', 'fd00::2']);
    const got = all(plan);
    expect(got).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.10', '10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14', '10.0.0.15', '10.0.0.20', 'fd00::1']);
    expect(plan.total).toBe(got.length);
    expect(new Set(got).size).toBe(got.length);
  });

  it('excludes whole blocks, network and broadcast included', () => {
    expect(all(expandRanges(['10.0.0.0-10.0.0.7'], ['10.0.0.0/30']))).toEqual(['10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7']);
    expect(expandRanges(['10.0.0.0/24'], ['10.0.0.0/24', '10.0.0.1']).total).toBe(0);
  });

  it('caps the size of a sweep, naming the range that is too large', () => {
    expect(() => expandRanges(['10.0.0.0/8'])).toThrow('range 10.0.0.0/8 holds 16,777,214 addresses, more than the cap of 65,536');
    expect(() => expandRanges(['10.0.0.0/24'], [], 100)).toThrow(/range 10\.0\.0\.0\/24 holds 254 addresses, more than the cap of 100/);
    expect(() => expandRanges(['10.0.0.0/25', '10.0.1.0/25'], [], 200)).toThrow(/ranges 10\.0\.0\.0\/25, 10\.0\.1\.0\/25 hold 252 addresses together, more than the cap of 200/);
    // Exclusions count: a /15 minus a /16 fits in the default cap.
    expect(expandRanges(['10.0.0.0/15'], ['10.1.0.0/16']).total).toBe(65_535);
    expect(expandRanges(['10.0.0.0/16']).total).toBe(65_534);
    expect(() => expandRanges([])).toThrow(/no address ranges/);
    expect(() => expandRanges(['10.0.0.1'], [], 0)).toThrow(/cap must be a positive integer/);
  });
});
