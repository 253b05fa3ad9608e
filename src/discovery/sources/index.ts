import type { DiscoveryConfig } from '../../config/discovery-config.js';
import type { SweepRequest } from '../index.js';
import type { ProbeAgent } from '../probe.js';
import { createCidrSource } from './cidr.js';
import { createDnsSource } from './dns.js';
import { createLldpSource } from './lldp.js';
import { createMdnsSource } from './mdns.js';
import type { DiscoverySource } from './source.js';
import { createSsdpSource } from './ssdp.js';
import { createStaticSource } from './static.js';

/**
 * The sources one sweep runs: those the config enables (or those the request names), with the request's extra ranges
 * and targets added. `bmc` is not a network source: the service runs it itself after the others.
 */
export function buildSources(cfg: DiscoveryConfig, req: SweepRequest, shared: { agent?: ProbeAgent } = {}): DiscoverySource[] {
  const s = cfg.sources;
  const wanted = (name: keyof DiscoveryConfig['sources'], extra = false) => (req.sources ? req.sources.includes(name) : s[name].enabled) || extra;
  const probe = { concurrency: cfg.concurrency, ratePerSecond: cfg.ratePerSecond, timeoutMs: cfg.probeTimeoutMs, redfishPorts: cfg.redfishPorts, ...(shared.agent ? { agent: shared.agent } : {}) };
  const out: DiscoverySource[] = [];
  if (wanted('ssdp')) {
    out.push(
      createSsdpSource({
        ...(s.ssdp.interfaces.length ? { interfaces: s.ssdp.interfaces } : {}),
        ...(s.ssdp.unicastTargets.length ? { unicastTargets: s.ssdp.unicastTargets } : {}),
        mx: s.ssdp.mx,
        windowMs: s.ssdp.windowMs,
        listen: { port: s.ssdp.listenPort, ...(s.ssdp.interfaces.length ? { interfaces: s.ssdp.interfaces } : {}) },
      }),
    );
  }
  if (wanted('mdns')) out.push(createMdnsSource({ ...(s.mdns.interfaces.length ? { interfaces: s.mdns.interfaces } : {}), windowMs: s.mdns.windowMs }));
  if (wanted('dns') && s.dns.domains.length) out.push(createDnsSource({ domains: s.dns.domains, ...(s.dns.servers.length ? { servers: s.dns.servers } : {}) }));
  if (wanted('lldp')) out.push(createLldpSource({ lldpcli: s.lldp.lldpcli, ...(s.lldp.socket ? { socket: s.lldp.socket } : {}) }));
  const ranges = [...(wanted('cidr') ? s.cidr.ranges : []), ...(req.cidr ?? [])];
  if (ranges.length) out.push(createCidrSource({ ...probe, ranges, exclude: s.cidr.exclude, ipmi: s.cidr.ipmi, snmp: s.cidr.snmp ? { communities: communities(cfg) } : false }));
  const targets = [...(wanted('static') ? s.static.targets : []), ...(req.targets ?? [])];
  if (targets.length) out.push(createStaticSource({ ...probe, targets }));
  return out;
}

/** SNMP communities to try in sweeps: those in credential rules for SNMP, else `public`. */
function communities(cfg: DiscoveryConfig): string[] {
  const c = cfg.credentials.map((r) => r.community).filter((x): x is string => !!x);
  return c.length ? c : ['public'];
}
