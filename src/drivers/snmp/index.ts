/**
 * The built-in `snmp` driver: any SNMP v2c or v3 agent, read-only. Inventory comes from the system group and
 * ENTITY-MIB; the power poll is "the agent answers, so the device is on"; there is no reset, because SNMP-only
 * devices in a rack (SmartNIC management ports, PDUs, switches) expose none through these MIBs.
 */
import manifestJson from './manifest.json' with { type: 'json' };
import { DriverError, type Capability, type DeviceSession, type Driver, type DriverManifest, type JobOutcome } from '../api.js';
import { SnmpClient } from './client.js';
import { ENT_PHYSICAL_ENTRY } from './entity-mib.js';
import { snmpProbe } from './probe.js';
import { answeringState, buildSnapshot } from './snapshot.js';
import { SYSTEM_OIDS } from './sys-descr.js';
import { isException } from './varbinds.js';

export const snmpManifest = manifestJson as DriverManifest;

/**
 * What a session can do: the core. `reset` is claimed because every session must have it, and answers NotSupported
 * with no I/O; `SystemInfo.resetTypes` is empty, so nothing northbound offers a reset to begin with.
 */
const SESSION_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['inventory', 'power', 'reset']);

const SYSTEM_SCALARS = Object.values(SYSTEM_OIDS);

/** The generic SNMP driver. */
export const snmpDriver: Driver = {
  manifest: snmpManifest,
  probe: (candidate) => snmpProbe(snmpManifest, candidate),
  async connect(endpoint, ctx) {
    const client = SnmpClient.open(endpoint, ctx.io, ctx.log);
    try {
      // One GET proves the address, port and credentials before the session is handed out. v2c agents ignore a
      // wrong community, so that shows up here as a Timeout; v3 agents report a wrong auth key (AuthenticationFailed).
      const first = await client.get([SYSTEM_OIDS.sysDescr, SYSTEM_OIDS.sysObjectID], ctx.signal);
      if (first.every(isException)) throw new DriverError('BadResponse', `${endpoint.id}: the agent answered but has no sysDescr or sysObjectID`);
    } catch (e) {
      client.close();
      throw e;
    }
    const session: DeviceSession = {
      capabilities: SESSION_CAPABILITIES,
      async inventory(c) {
        const system = await client.get(SYSTEM_SCALARS, c.signal);
        const entPhysicalTable = await client.walk(ENT_PHYSICAL_ENTRY, c.signal);
        return buildSnapshot({ system, entPhysicalTable, takenAt: Date.now() });
      },
      async state(c) {
        // Any answer will do: an SNMP-only device that answers is powered. No answer throws (Timeout), and the
        // runtime shows the device as UnavailableOffline rather than guessing Off.
        await client.get([SYSTEM_OIDS.sysUpTime], c.signal);
        return [answeringState()];
      },
      async reset() {
        throw new DriverError('NotSupported', `${endpoint.id}: an SNMP-only device cannot be reset through SNMP`);
      },
      async track(_c, job): Promise<JobOutcome> {
        if (job.kind === 'done') return (job as { outcome?: JobOutcome }).outcome ?? { ok: true, messages: [] };
        throw new DriverError('NotSupported', `${endpoint.id}: the snmp driver starts no device jobs (got ${job.kind})`);
      },
      async close() {
        client.close();
      },
    };
    return session;
  },
};
