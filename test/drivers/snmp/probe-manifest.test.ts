import snmp from 'net-snmp';
import { describe, expect, it } from 'vitest';
import type { DriverManifest, ProbeCandidate } from '../../../src/drivers/api.js';
import { manifestErrors, matchesRules } from '../../../src/drivers/registry.js';
import { classify, toRaw } from '../../../src/drivers/snmp/client.js';
import { snmpDriver, snmpManifest } from '../../../src/drivers/snmp/index.js';
import { snmpProbe } from '../../../src/drivers/snmp/probe.js';

const candidate = (snmpInfo?: ProbeCandidate['snmp'], protocol: ProbeCandidate['protocol'] = 'snmp'): ProbeCandidate => ({
  host: '127.0.0.1',
  port: 161,
  protocol,
  ...(snmpInfo ? { snmp: snmpInfo } : {}),
});

describe('snmp manifest', () => {
  it('is valid and claims only the core', () => {
    expect(manifestErrors(snmpManifest)).toEqual([]);
    expect(snmpManifest).toMatchObject({ id: 'snmp', protocol: 'snmp', apiVersion: '^1.0.0' });
    expect([...snmpManifest.capabilities].sort()).toEqual(['inventory', 'power', 'reset']);
    // No timeouts of its own: the runtime's guard options apply to SNMP endpoints.
    expect(snmpManifest.timeouts).toBeUndefined();
  });

  it('lets any SNMP candidate through the registry rules, and nothing else', () => {
    expect(matchesRules(snmpManifest, candidate({ sysDescr: 'Contoso SmartNIC SN2200 firmware 4.2.1' }))).toBe(true);
    expect(matchesRules(snmpManifest, candidate({ sysDescr: 'line one\nline two' }))).toBe(true);
    expect(matchesRules(snmpManifest, candidate({ sysDescr: 'x' }, 'redfish'))).toBe(false);
  });
});

describe('snmp probe', () => {
  it('matches SNMP candidates with low confidence and reads identity from sysDescr', async () => {
    const r = await snmpDriver.probe(candidate({ sysDescr: 'Contoso SmartNIC SN2200 firmware 4.2.1', sysObjectId: '1.3.6.1.4.1.32473.1.2200' }));
    expect(r).toEqual({ matched: true, confidence: 0.3, identity: { manufacturer: 'Contoso', model: 'SmartNIC SN2200', firmwareVersion: '4.2.1' } });
    expect((await snmpDriver.probe(candidate())).matched).toBe(true);
    expect((await snmpDriver.probe(candidate({ sysDescr: 'x' }, 'ipmi'))).matched).toBe(false);
  });

  it('honours vendor patterns, and never throws', () => {
    const vendor: DriverManifest = { ...snmpManifest, id: 'contoso-snmp', match: { snmp: { sysDescr: ['contoso .*'], sysObjectId: ['1\\.3\\.6\\.1\\.4\\.1\\.32473\\..*'] } } };
    expect(snmpProbe(vendor, candidate({ sysDescr: 'CONTOSO SmartNIC firmware 1.0', sysObjectId: '.1.3.6.1.4.1.32473.1' }), 0.9).matched).toBe(true);
    expect(snmpProbe(vendor, candidate({ sysDescr: 'Linux host 6.1.0 #1 SMP x86_64' })).matched).toBe(false);
    expect(snmpProbe(vendor, candidate()).matched).toBe(false);
    expect(snmpProbe(vendor, candidate({ sysDescr: 'Contoso x', sysObjectId: '1.3.6.1.4.1.9.1' })).matched).toBe(false);
    const broken: DriverManifest = { ...snmpManifest, match: { snmp: { sysDescr: ['(unclosed'] } } };
    expect(snmpProbe(broken, candidate({ sysDescr: 'anything' }))).toMatchObject({ matched: false });
    expect(snmpProbe(snmpManifest, null as unknown as ProbeCandidate)).toMatchObject({ matched: false });
    expect(snmpProbe(snmpManifest, { protocol: 'snmp', host: 'h', snmp: { sysDescr: 42 } } as unknown as ProbeCandidate)).toMatchObject({ matched: true });
  });
});

describe('snmp client pieces', () => {
  it('turns varbinds into JSON: printable text stays text, binary becomes hex', () => {
    expect(toRaw({ oid: '.1.3.6.1.2.1.1.1.0', type: 4, value: Buffer.from('Contoso') })).toEqual({ oid: '1.3.6.1.2.1.1.1.0', type: 'OctetString', value: 'Contoso' });
    expect(toRaw({ oid: '1.3.6.1.2.1.2.2.1.6.1', type: 4, value: Buffer.from([0x00, 0x1b, 0x21, 0xff]) })).toEqual({ oid: '1.3.6.1.2.1.2.2.1.6.1', type: 'OctetString', value: '001b21ff', hex: true });
    expect(toRaw({ oid: '1.3.6.1.2.1.1.3.0', type: 67, value: 1234 })).toEqual({ oid: '1.3.6.1.2.1.1.3.0', type: 'TimeTicks', value: 1234 });
    expect(toRaw({ oid: '1.3.6.1.2.1.1.9.0', type: 128, value: null })).toEqual({ oid: '1.3.6.1.2.1.1.9.0', type: 'NoSuchObject', value: null });
  });

  it("maps net-snmp's errors onto the SDK's codes", () => {
    expect(classify(new snmp.RequestTimedOutError('Request timed out')).code).toBe('Timeout');
    expect(classify(new snmp.ResponseInvalidError('Wrong Digest (incorrect password, community or key)', 5)).code).toBe('AuthenticationFailed');
    expect(classify(new snmp.ResponseInvalidError('Failed to decrypt PDU', 4)).code).toBe('AuthenticationFailed');
    expect(classify(new snmp.ResponseInvalidError('Unknown PDU type', 3)).code).toBe('BadResponse');
    expect(classify(new Error('Socket forcibly closed')).code).toBe('Cancelled');
    // What net-snmp throws for DES privacy on Node 20 (OpenSSL 3 without the legacy provider), seen against snmpd.
    expect(classify(Object.assign(new Error('error:0308010C:digital envelope routines::unsupported'), { code: 'ERR_OSSL_EVP_UNSUPPORTED' })).code).toBe('NotSupported');
  });
});
