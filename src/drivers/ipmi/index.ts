/**
 * The built-in `ipmi` driver: legacy BMCs that speak only IPMI 2.0 over LAN, driven through Debian's ipmitool.
 *
 * What it maps: one system (power from `chassis status`, boot override from boot parameter 5), one chassis (FRU
 * identity, threshold sensors), one BMC (`mc info`, `mc guid`), and the SEL as logs. What it cannot do: firmware
 * (IPMI has no standard update path; HPM.1 is vendor-specific) and NMI (`chassis power diag` is refused by many BMCs,
 * so it is not advertised).
 * @packageDocumentation
 */
import { DriverError, type Capability, type Driver, type DriverManifest, type ProbeCandidate, type ProbeResult } from '../api.js';
import { Ipmitool } from './ipmitool.js';
import manifestJson from './manifest.json' with { type: 'json' };
import { IpmiSession } from './session.js';

export { CHASSIS_ID, MANAGER_ID, SYSTEM_ID } from './session.js';

/**
 * The driver's manifest (`manifest.json`), typed. Its only match rule accepts any LLDP system description on
 * purpose: the registry already requires `protocol: 'ipmi'`, i.e. an RMCP answer, which is the real evidence, while
 * BMC LLDP descriptions ("Linux 4.19 ...", vendor strings) say nothing reliable, and a narrower pattern would turn a
 * BMC away just because it also sends LLDP. The schema needs at least one rule section, hence this one.
 */
export const ipmiManifest = manifestJson as DriverManifest;

/** RMCP's well-known UDP port (IPMI 2.0 §13.1). */
export const IPMI_PORT = 623;

/**
 * Confirms a candidate. Discovery only hands over `protocol: 'ipmi'` when something answered an RMCP presence ping,
 * and that is all a legacy BMC shows without credentials; the confidence stays moderate so a Redfish driver for the
 * same box wins when both match.
 */
function probe(candidate: ProbeCandidate): ProbeResult {
  try {
    if (candidate?.protocol === 'ipmi') return { matched: true, confidence: 0.5, reason: 'answered RMCP on the IPMI port' };
    return { matched: false, reason: `protocol ${String(candidate?.protocol)} is not ipmi` };
  } catch {
    return { matched: false, reason: 'unreadable candidate' };
  }
}

/** The `ipmi` driver. */
export const ipmiDriver: Driver = {
  manifest: ipmiManifest,
  probe,
  async connect(endpoint, ctx) {
    const creds = endpoint.credentials;
    if (creds.kind !== 'basic') {
      throw new DriverError('AuthenticationFailed', `ipmi: endpoint ${endpoint.id} needs a user name and password, not ${creds.kind} credentials`);
    }
    const tool = new Ipmitool(
      ctx.exec,
      { host: endpoint.host, port: endpoint.port ?? IPMI_PORT, username: creds.username, password: creds.password },
      ipmiManifest.timeouts?.longRequestMs ?? 120_000,
    );
    // One verbose login up front: it is the only way to report a wrong password as such (see Ipmitool.login).
    await tool.login(ctx.signal);
    ctx.log.debug({ host: endpoint.host }, 'ipmi: credentials accepted');
    return new IpmiSession(tool, new Set<Capability>(ipmiManifest.capabilities));
  },
};

export default ipmiDriver;
