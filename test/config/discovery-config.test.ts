import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/config.js';
import { policyCredentials } from '../../src/discovery/registrar.js';
import { resolveDiscovery } from '../../src/config/discovery-config.js';
import type { DriverManifest } from '../../src/drivers/api.js';

const m = (id: string, protocol: 'redfish' | 'snmp', defaults?: { username: string; password: string }): DriverManifest => ({
  id,
  name: id,
  apiVersion: '^1.0.0',
  protocol,
  match: {},
  capabilities: ['inventory', 'power', 'reset'],
  polling: { stateSeconds: 1, inventorySeconds: 1, firmwareSeconds: 1 },
  ...(defaults ? { defaultCredentials: defaults } : {}),
});

describe('discovery policy config', () => {
  it('fills defaults and merges partial source sections', () => {
    const c = resolveConfig({ discovery: { registration: 'approval', sources: { cidr: { enabled: true, ranges: ['10.0.0.0/24'] } } } }).discovery;
    expect(c.registration).toBe('approval');
    expect(c.sources.cidr).toEqual({ enabled: true, ranges: ['10.0.0.0/24'], exclude: [], ipmi: false, snmp: false });
    expect(c.sources.ssdp.enabled).toBe(true);
    expect(c.redfishPorts).toEqual([443]);
  });

  it.each([
    [{ registrations: 'auto' }, /unknown config key "discovery.registrations"/],
    [{ registration: 'sometimes' }, /"auto" or "approval"/],
    [{ sources: { cidr: { range: ['x'] } } }, /discovery.sources.cidr.range/],
    [{ sources: { cidr: { ranges: 'x' } } }, /list of non-empty strings/],
    [{ redfishPorts: [0] }, /TCP ports/],
    [{ credentials: [{ username: 'root' }] }, /username and password, or community/],
    [{ tls: { mode: 'ca' } }, /caFile is required/],
    [{ offlineAfterSeconds: 1 }, /offlineAfterSeconds must be a number from 10/],
  ])('rejects %j with a clear message', (input, msg) => {
    expect(() => resolveDiscovery(input)).toThrow(msg);
  });

  it('picks credentials by driver, then protocol, then any; factory defaults only when allowed', () => {
    const cfg = resolveDiscovery({
      credentials: [
        { protocol: 'snmp', community: 'ops' },
        { username: 'any', password: 'p1' },
        { driver: 'bluefield', username: 'bf', password: 'p2' },
      ],
    });
    expect(policyCredentials(cfg, m('bluefield', 'redfish'))).toEqual({ kind: 'basic', username: 'bf', password: 'p2' });
    expect(policyCredentials(cfg, m('openbmc', 'redfish'))).toEqual({ kind: 'basic', username: 'any', password: 'p1' });
    expect(policyCredentials(cfg, m('snmp', 'snmp'))).toEqual({ kind: 'snmp-v2c', community: 'ops' });
    const none = resolveDiscovery({});
    expect(policyCredentials(none, m('x', 'redfish', { username: 'root', password: 'calvin' }))).toBeUndefined();
    const allowed = resolveDiscovery({ useDriverDefaults: true });
    expect(policyCredentials(allowed, m('x', 'redfish', { username: 'root', password: 'calvin' }))).toEqual({ kind: 'basic', username: 'root', password: 'calvin' });
  });
});
