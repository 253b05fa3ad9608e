import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from '../../../mock-hardware/src/discovery/ports.js';
import { startSnmpDevice } from '../../../mock-hardware/src/personas/snmp-agent/index.js';
import type { ConformanceTarget } from '../target.js';

/** Debian installs snmpd in /usr/sbin, which a non-root PATH often lacks. */
function findSnmpd(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.map((d) => join(d, 'snmpd')).find((p) => p.startsWith('/') && existsSync(p));
}

const SERIAL = 'CSN2200C0001';
const VENDOR = 'Contoso';

/**
 * The `snmp` driver's target: the mock-hardware `snmp-agent` persona, a Debian snmpd serving the system group and
 * ENTITY-MIB, reached over SNMPv3 authPriv (SHA/AES) as a production gateway would. It has one system, which is
 * On while the agent runs, and no reset, so there is no `resetCheck`.
 */
export const snmpdTarget: ConformanceTarget = {
  persona: 'snmpd',
  unavailable: () => (findSnmpd() ? undefined : 'snmpd is not installed (Debian package snmpd)'),
  async start() {
    const dir = mkdtempSync(join(tmpdir(), 'conformance-snmpd-'));
    const port = await freePort('127.0.0.1');
    const auth = { v3User: 'conformance', authKey: 'conf-auth-key-1', privKey: 'conf-priv-key-1' };
    const snmpd = findSnmpd();
    let running = false;
    const agent = await startSnmpDevice({
      address: '127.0.0.1', port, stateDir: dir, community: 'conformance-ro', ...auth, serial: SERIAL, vendor: VENDOR,
      ...(snmpd ? { snmpdPath: snmpd } : {}),
    }).catch((e: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    });
    running = true;
    void agent.exited.then(() => {
      running = false;
    });
    return {
      endpoint: {
        id: 'conformance-snmpd',
        protocol: 'snmp',
        host: '127.0.0.1',
        port,
        credentials: { kind: 'snmp-v3', user: auth.v3User, authProtocol: 'sha', authKey: auth.authKey, privProtocol: 'aes', privKey: auth.privKey },
      },
      candidate: { host: '127.0.0.1', port, protocol: 'snmp', snmp: { sysDescr: agent.sysDescr, sysObjectId: agent.sysObjectId } },
      truth: {
        serialNumber: SERIAL,
        manufacturer: VENDOR,
        systems: 1,
        // An SNMP-only device has no power state of its own: it is On exactly while its agent runs.
        powerState: async () => (running ? 'On' : undefined),
      },
      async stop() {
        await agent.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export default snmpdTarget;
