/**
 * Active probes that discovery sources run against an address: Redfish (HTTPS GET of the public service root), IPMI
 * (RMCP presence ping) and SNMP (system group). Each probe answers `{ ok: true, ... }` or `{ ok: false, reason }` and
 * never throws for network errors, so a sweep treats a dead address as the ordinary case it is.
 */
export { createProbeAgent, looksLikeServiceRoot, probeRedfish, serviceRootUuid } from './probe/redfish.js';
export type { ProbeAgent, ProbeAgentOptions, RedfishProbeOptions, RedfishProbeSuccess, RedfishTarget } from './probe/redfish.js';
export { asfPing, guidFromIpmi, ipmiRequest, parseAsfPong, parseAuthCaps, parseIpmiResponse, rmcpPing } from './probe/rmcp.js';
export type { RmcpAuthCaps, RmcpOptions, RmcpPong, RmcpResult } from './probe/rmcp.js';
export { snmpProbe } from './probe/snmp.js';
export type { SnmpProbeOptions, SnmpProbeSuccess, SnmpV3User } from './probe/snmp.js';
export { hostForUrl, normaliseUuid, probeFailure } from './probe/result.js';
export type { ProbeFailure, ProbeFailureReason } from './probe/result.js';
