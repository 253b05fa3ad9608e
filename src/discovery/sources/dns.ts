/**
 * Unicast DNS discovery, for sites without multicast: SRV `_redfish._tcp.<domain>` (and the RFC 6763 DNS-SD
 * instances under it, which carry TXT `path=`), then the A/AAAA records of each target. One sighting per address.
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { normaliseUuid, type Sighting } from '../../model/discovery.js';
import type { DiscoverySource, SourceContext } from './source.js';
import { httpsUrl } from './wait.js';

/** Options for {@link createDnsSource}. */
export interface DnsSourceOptions {
  /** Domains to look in, e.g. `mgmt.example.com` (no trailing dot needed). */
  domains: string[];
  /** DNS servers, as `ip`, `ip:port` or `[ipv6]:port`. Default: the system's resolvers. */
  servers?: string[];
  /** Time a server has to answer one try, in ms. Default 2000. */
  timeoutMs?: number;
  /** Tries per query. Default 2. */
  tries?: number;
  /** Also look up AAAA records. Default true. */
  ipv6?: boolean;
  /** Also read DNS-SD instances (PTR, then each instance's SRV and TXT). Default true. */
  dnsSd?: boolean;
}

const SERVICE = '_redfish._tcp';
const DEFAULT_PATH = '/redfish/v1';
/** Answers that only mean "no such record": part of a normal scan, not a fault. */
const ABSENT = new Set(['ENOTFOUND', 'ENODATA']);

interface Endpoint {
  target: string;
  port: number;
  path: string | undefined;
  uuid: string | undefined;
}

/** `key=value` attributes of TXT records (RFC 6763 §6); the first of a repeated key wins. */
export function txtAttributes(records: readonly (readonly string[])[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const chunks of records ?? []) {
    for (const chunk of chunks) {
      const i = chunk.indexOf('=');
      const key = (i < 0 ? chunk : chunk.slice(0, i)).trim().toLowerCase();
      if (key && !(key in out)) out[key] = i < 0 ? '' : chunk.slice(i + 1).trim();
    }
  }
  return out;
}

function validPath(p: string | undefined): string | undefined {
  return p && p.startsWith('/') ? p : undefined;
}

function makeResolver(opts: DnsSourceOptions): Resolver {
  const resolver = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: opts.tries ?? 2 });
  if (opts.servers?.length) {
    try {
      resolver.setServers(opts.servers);
    } catch (err) {
      throw new Error(`dns: invalid server list ${JSON.stringify(opts.servers)} (${(err as Error).message}); use ip, ip:port or [ipv6]:port`);
    }
  }
  return resolver;
}

/** Creates the unicast DNS discovery source. Throws at once for a malformed server list. */
export function createDnsSource(opts: DnsSourceOptions): DiscoverySource {
  makeResolver(opts);
  const domains = opts.domains.map((d) => d.trim().replace(/\.$/, '')).filter(Boolean);

  async function scan(ctx: SourceContext): Promise<void> {
    if (ctx.signal.aborted) return;
    const resolver = makeResolver(opts);
    const onAbort = (): void => resolver.cancel();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const warned = new Set<string>();

    /** Runs one query; "no such record" and cancellation give undefined quietly, other failures are logged. */
    const ask = async <T>(what: string, name: string, q: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await q();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
        if (ctx.signal.aborted || code === 'ECANCELLED') return undefined;
        if (ABSENT.has(code)) {
          ctx.log.debug({ name, query: what, code }, 'dns: no such record');
        } else if (!warned.has(code)) {
          // One server fault fails every query of the scan; say it once, not once per name.
          warned.add(code);
          const msg = code === 'ETIMEOUT' ? 'dns: the server did not answer in time' : 'dns: query failed';
          ctx.log.warn({ name, query: what, code, servers: resolver.getServers() }, msg);
        } else {
          ctx.log.debug({ name, query: what, code }, 'dns: query failed');
        }
        return undefined;
      }
    };

    const addresses = new Map<string, Promise<string[]>>();
    const addressesOf = (target: string): Promise<string[]> => {
      if (isIP(target)) return Promise.resolve([target]);
      let p = addresses.get(target);
      if (!p) {
        p = Promise.all([
          ask('A', target, () => resolver.resolve4(target)),
          opts.ipv6 === false ? Promise.resolve(undefined) : ask('AAAA', target, () => resolver.resolve6(target)),
        ]).then(([v4, v6]) => [...(v4 ?? []), ...(v6 ?? [])]);
        addresses.set(target, p);
      }
      return p;
    };

    const seen = new Set<string>();
    let done = 0;
    ctx.progress?.(0, domains.length);
    try {
      for (const domain of domains) {
        if (ctx.signal.aborted) return;
        const base = `${SERVICE}.${domain}`;
        const [srvs, ptrs, txt] = await Promise.all([
          ask('SRV', base, () => resolver.resolveSrv(base)),
          opts.dnsSd === false ? Promise.resolve(undefined) : ask('PTR', base, () => resolver.resolvePtr(base)),
          ask('TXT', base, () => resolver.resolveTxt(base)),
        ]);
        const domainPath = validPath(txtAttributes(txt).path);
        const endpoints = new Map<string, Endpoint>();
        const add = (target: string, port: number, path: string | undefined, uuid: string | undefined): void => {
          const t = target.replace(/\.$/, '');
          // RFC 2782: a target of "." says the service is decidedly not available there.
          if (!t || !Number.isInteger(port) || port < 1 || port > 65535) return;
          const key = `${t.toLowerCase()}|${port}`;
          if (!endpoints.has(key)) endpoints.set(key, { target: t, port, path, uuid });
        };
        // DNS-SD instances first: their own TXT names the path (and maybe the UUID) of exactly that service.
        const instances = await Promise.all(
          (ptrs ?? []).map(async (instance) => {
            const [isrv, itxt] = await Promise.all([
              ask('SRV', instance, () => resolver.resolveSrv(instance)),
              ask('TXT', instance, () => resolver.resolveTxt(instance)),
            ]);
            return { isrv, attrs: txtAttributes(itxt) };
          }),
        );
        for (const { isrv, attrs } of instances) {
          for (const r of isrv ?? []) add(r.name, r.port, validPath(attrs.path) ?? domainPath, normaliseUuid(attrs.uuid));
        }
        for (const r of srvs ?? []) add(r.name, r.port, domainPath, undefined);

        const resolved = await Promise.all([...endpoints.values()].map(async (e) => ({ e, ips: await addressesOf(e.target) })));
        for (const { e, ips } of resolved) {
          if (ips.length === 0) ctx.log.debug({ target: e.target }, 'dns: SRV target has no address');
          for (const ip of ips) {
            const key = `${ip}|${e.port}`;
            if (seen.has(key) || ctx.signal.aborted) continue;
            seen.add(key);
            const sighting: Sighting = {
              source: 'dns',
              at: Date.now(),
              protocol: 'redfish',
              host: ip,
              port: e.port,
              serviceRootUrl: httpsUrl(ip, e.port, e.path ?? DEFAULT_PATH),
              hostName: e.target,
              keys: e.uuid ? { uuid: e.uuid } : {},
              hints: { dnsSdType: SERVICE },
            };
            ctx.emit(sighting);
          }
        }
        done += 1;
        ctx.progress?.(done, domains.length);
        ctx.log.debug({ domain, endpoints: endpoints.size }, 'dns: domain done');
      }
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  return { name: 'dns', scan };
}
