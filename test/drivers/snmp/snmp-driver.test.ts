import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../mock-hardware/src/discovery/ports.js';
import { startSnmpDevice, type SnmpDevice } from '../../../mock-hardware/src/personas/snmp-agent/index.js';
import { DriverError, type Credentials, type InventorySnapshot } from '../../../src/drivers/api.js';
import { DriverRuntime, type GuardOptions } from '../../../src/drivers/runtime/index.js';
import { snmpDriver } from '../../../src/drivers/snmp/index.js';

const log = { debug() {}, info() {}, warn() {}, error() {} };

function hasSnmpd(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v snmpd || test -x /usr/sbin/snmpd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const V3 = { user: 'shoal', authKey: 'auth-pass-123', privKey: 'priv-pass-456' };
const v2c: Credentials = { kind: 'snmp-v2c', community: 'ro-community' };
const v3: Credentials = { kind: 'snmp-v3', user: V3.user, authProtocol: 'sha', authKey: V3.authKey, privProtocol: 'aes', privKey: V3.privKey };

/** A DriverError's code, or the thrown thing when it is not one (so a failing assertion shows it). */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof DriverError ? e.code : String(e);
  }
}

describe.skipIf(!hasSnmpd())('snmp driver against the snmp-agent persona (needs Debian snmpd)', () => {
  let dir = '';
  let port = 0;
  let agent: SnmpDevice;
  const runtimes: DriverRuntime[] = [];
  const device = (credentials: Credentials, guard?: Partial<GuardOptions>) => {
    const rt = new DriverRuntime({ log, ...(guard ? { guard } : {}) });
    runtimes.push(rt);
    return rt.add({ id: `snmp-${runtimes.length}`, protocol: 'snmp', host: '127.0.0.1', port, credentials }, snmpDriver);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snmp-driver-'));
    port = await freePort('127.0.0.1');
    agent = await startSnmpDevice({
      address: '127.0.0.1', port, stateDir: dir, community: 'ro-community', v3User: V3.user, authKey: V3.authKey, privKey: V3.privKey,
      serial: 'CSN2200T0042', vendor: 'Contoso', model: 'SmartNIC SN2200', firmware: '4.3.0',
    });
  });
  afterAll(async () => {
    await Promise.allSettled(runtimes.map((r) => r.close()));
    await agent?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const checkInventory = (inv: InventorySnapshot) => {
    expect(inv.endpoint).toMatchObject({ serialNumber: 'CSN2200T0042', manufacturer: 'Contoso', model: 'SmartNIC SN2200', firmwareVersion: '4.3.0' });
    expect(inv.systems).toEqual([expect.objectContaining({ id: 'system', powerState: 'On', resetTypes: [], isDpu: true, chassisIds: ['entity-1'] })]);
    const card = inv.chassis.find((c) => c.id === 'entity-1');
    expect(card).toMatchObject({ chassisType: 'Card', identity: { serialNumber: 'CSN2200T0042' } });
    expect(inv.chassis.find((c) => c.name === 'Board')?.containedBy).toBe('entity-1');
    expect(inv.chassis.find((c) => c.name === 'BMC')?.containedBy).toBe('entity-2');
    expect(inv.components.find((c) => c.name === 'CPU Temp')?.parent).toEqual({ kind: 'Chassis', id: 'entity-2' });
    expect(inv.firmware.map((f) => [f.componentRole, f.version])).toEqual([['Device', '4.3.0'], ['BMC', '2.8.1']]);
    expect((inv.raw.entPhysicalTable as unknown[]).length).toBe(8 * 13); // 8 rows, 13 columns served
    expect(inv.raw.system).toHaveLength(6);
  };

  it('reads inventory over SNMPv2c', async () => {
    const dev = device(v2c);
    checkInventory(await dev.call('inventory', []));
    expect(dev.availability).toBe('Enabled');
  });

  it('reads inventory over SNMPv3 authPriv (SHA/AES) and reports the system as On', async () => {
    const dev = device(v3);
    checkInventory(await dev.call('inventory', []));
    expect(await dev.call('state', [])).toEqual([{ id: 'system', powerState: 'On', status: { state: 'Enabled' } }]);
  });

  it('sees a hot-swapped ENTITY-MIB on the next read', async () => {
    const dev = device(v2c);
    agent.setEntities(agent.entities().map((r) => (r.name === 'BMC' ? { ...r, firmwareRev: '2.9.0' } : r)));
    const inv = await dev.call('inventory', []);
    expect(inv.firmware.find((f) => f.componentRole === 'BMC')?.version).toBe('2.9.0');
    expect(inv.managers[0]?.identity.firmwareVersion).toBe('2.9.0');
  });

  it('cannot reset: NotSupported without touching the device, and no reset types offered', async () => {
    const dev = device(v2c);
    const inv = await dev.call('inventory', []);
    expect(inv.systems.every((s) => s.resetTypes.length === 0)).toBe(true);
    // reset is core, so the session has it; the answer is NotSupported, and the agent sees no request.
    expect(dev.supports('reset')).toBe(true);
    expect(await codeOf(dev.call('reset', [{ kind: 'System', id: 'system' }, 'ForceRestart']))).toBe('NotSupported');
    expect(await codeOf(dev.call('track', [{ kind: 'redfish-task', uri: '/x' }]))).toBe('NotSupported');
    expect(await dev.call('track', [{ kind: 'done' }])).toEqual({ ok: true, messages: [] });
    expect(await codeOf(dev.call('firmwareInventory', []))).toBe('NotSupported');
  });

  it('times out on a wrong community (v2c agents stay silent) and goes UnavailableOffline', async () => {
    const dev = device({ kind: 'snmp-v2c', community: 'wrong' }, { timeoutMs: 1500, retries: 0, breakerThreshold: 2 });
    expect(await codeOf(dev.call('inventory', []))).toBe('Timeout');
    expect(dev.availability).toBe('UnavailableOffline');
    expect(await codeOf(dev.call('state', []))).toBe('Timeout');
    expect(dev.guard.breaker.state).toBe('open');
    // With the breaker open the runtime answers at once, without asking the agent.
    expect(await codeOf(dev.call('state', []))).toBe('Unavailable');
    expect(dev.availability).toBe('UnavailableOffline');
  });

  it('fails authentication on a wrong v3 auth key (snmpd sends a wrongDigests report)', async () => {
    const dev = device({ ...v3, authKey: 'not-the-key' } as Credentials, { timeoutMs: 1500, retries: 0 });
    expect(await codeOf(dev.call('inventory', []))).toBe('AuthenticationFailed');
    // The agent answered: it is alive, only our key is wrong.
    expect(dev.availability).toBe('Enabled');
    expect(dev.guard.breaker.state).toBe('closed');
  });

  it('times out on a wrong v3 privacy key (snmpd drops a PDU it cannot decrypt, without a report)', async () => {
    const dev = device({ ...v3, privKey: 'not-the-priv-key' } as Credentials, { timeoutMs: 1500, retries: 0 });
    expect(await codeOf(dev.call('inventory', []))).toBe('Timeout');
  });

  it('refuses credentials that are not SNMP ones', async () => {
    const dev = device({ kind: 'basic', username: 'root', password: 'x' });
    expect(await codeOf(dev.call('inventory', []))).toBe('AuthenticationFailed');
  });
});
