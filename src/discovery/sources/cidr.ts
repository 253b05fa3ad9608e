/**
 * The `cidr` discovery source: sweeps address ranges an operator configured, probing each address for Redfish (on
 * each configured port) and, where enabled, for IPMI (RMCP presence) and SNMP. The sweep that finds BMCs nothing
 * else announces: no SSDP, no mDNS, no LLDP, only an address on a management network.
 */
import { DEFAULT_ADDRESS_CAP, expandRanges, type AddressPlan } from './cidr-ranges.js';
import type { DiscoverySource, SourceContext } from './source.js';
import { checkPorts, resolveSettings, runSweep, type Job, type JobGroup, type ProbeSettings, type ResolvedSettings } from './sweep.js';

export { DEFAULT_ADDRESS_CAP, expandRanges, intToV4, parseRange, type AddressPlan, type ParsedRange } from './cidr-ranges.js';

/** Options of {@link createCidrSource}. */
export interface CidrSourceOptions extends ProbeSettings {
  /** IPv4 CIDRs (`10.0.0.0/24`), ranges (`10.0.0.5-10.0.0.80`), addresses; IPv6 addresses one by one. */
  ranges: string[];
  /** Addresses never to probe, in the same forms. */
  exclude?: string[];
  /** TCP ports to look for Redfish (HTTPS) on. Default [443]. */
  redfishPorts?: number[];
  /** Most addresses one sweep may cover, after exclusions. Default 65,536 (a /16). */
  maxAddresses?: number;
}

/** Every probe of one address, in order: Redfish on each port, then IPMI, then SNMP. */
function jobsFor(plan: AddressPlan, redfishPorts: number[], s: ResolvedSettings): Iterable<Job> {
  const per = [
    ...redfishPorts.map((port) => ({ protocol: 'redfish' as const, port })),
    ...s.ipmiPorts.map((port) => ({ protocol: 'ipmi' as const, port })),
    ...(s.snmp?.ports ?? []).map((port) => ({ protocol: 'snmp' as const, port })),
  ];
  return {
    *[Symbol.iterator]() {
      for (const host of plan) {
        const group: JobGroup = { label: host, remaining: per.length };
        for (const p of per) yield { ...p, host, group };
      }
    },
  };
}

/**
 * Creates the `cidr` source. Settings are checked here, so that a bad range fails when the configuration is loaded
 * rather than at the first scan. A scan emits one sighting per answering endpoint (an address with Redfish on two
 * ports gives two) and skips silent addresses at debug level.
 */
export function createCidrSource(opts: CidrSourceOptions): DiscoverySource {
  const settings = resolveSettings(opts);
  const redfishPorts = checkPorts('redfishPorts', opts.redfishPorts ?? [443]);
  const cap = opts.maxAddresses ?? DEFAULT_ADDRESS_CAP;
  const plan = expandRanges(opts.ranges, opts.exclude ?? [], cap);
  if (redfishPorts.length + settings.ipmiPorts.length + (settings.snmp?.ports.length ?? 0) === 0) {
    throw new Error('cidr source: nothing to probe (no redfishPorts, and IPMI and SNMP are off)');
  }
  return {
    name: 'cidr',
    async scan(ctx: SourceContext): Promise<void> {
      const started = Date.now();
      ctx.log.info({ ranges: opts.ranges, exclude: opts.exclude ?? [], addresses: plan.total }, 'cidr sweep starting');
      const r = await runSweep(
        {
          source: 'cidr',
          jobs: jobsFor(plan, redfishPorts, settings),
          total: plan.total,
          settings,
          onMiss: (job, f) => ctx.log.debug({ host: job.host, port: job.port, protocol: job.protocol, reason: f.reason, detail: f.detail }, 'no answer'),
        },
        ctx,
      );
      ctx.log.info({ addresses: plan.total, done: r.done, found: r.found, aborted: r.aborted, ms: Date.now() - started }, r.aborted ? 'cidr sweep cancelled' : 'cidr sweep done');
    },
  };
}
