/**
 * The `static` discovery source: endpoints an operator listed by hand. Each is probed as the CIDR sweep would probe
 * it, and since someone named it, one that does not answer is worth a warning rather than a debug line.
 */
import { isIPv4 } from 'node:net';
import type { SightingProtocol } from '../../model/discovery.js';
import { normaliseV6 } from './cidr-ranges.js';
import type { DiscoverySource, SourceContext } from './source.js';
import { resolveSettings, runSweep, type Job, type ProbeSettings, type SnmpSettings } from './sweep.js';

/** One parsed target. `text` is what the operator wrote, for logs. */
export interface StaticTarget {
  protocol: SightingProtocol;
  host: string;
  port: number;
  /** Redfish only. */
  scheme?: 'https' | 'http';
  text: string;
}

/** Options of {@link createStaticSource}. IPMI and SNMP are probed for `ipmi://` and `snmp://` targets. */
export interface StaticSourceOptions extends Omit<ProbeSettings, 'ipmi' | 'snmp'> {
  /** `https://host[:port][/redfish/v1]`, `http://...`, `host[:port]` (Redfish), `ipmi://host[:port]`, `snmp://host[:port]`. */
  targets: string[];
  /** SNMP credentials for `snmp://` targets. Default community `public`. */
  snmp?: Omit<SnmpSettings, 'ports'>;
}

const DEFAULT_PORT = { https: 443, http: 80, ipmi: 623, snmp: 161 } as const;
type Scheme = keyof typeof DEFAULT_PORT;
const REDFISH_PATHS = new Set(['', '/', '/redfish', '/redfish/', '/redfish/v1', '/redfish/v1/']);
const DNS_NAME = /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function bad(text: string, why: string): Error {
  return new Error(`invalid discovery target "${text}": ${why}`);
}

/** Host and optional port of an authority: `10.0.0.5`, `bmc1.example:8443`, `[fd00::5]:443`, or a bare IPv6. */
function splitAuthority(text: string, authority: string): { host: string; port?: number } {
  if (!authority) throw bad(text, 'no host');
  if (authority.includes('@')) throw bad(text, 'credentials do not belong in a target; configure them separately');
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(authority);
  if (v6) {
    const canonical = normaliseV6(v6[1]!);
    if (!canonical) throw bad(text, `${v6[1]} is not an IPv6 address`);
    host = canonical;
    portText = v6[2];
  } else if (normaliseV6(authority)) {
    host = normaliseV6(authority)!;
  } else {
    const colons = authority.split(':').length - 1;
    if (colons > 1) throw bad(text, 'put an IPv6 address in brackets, e.g. [fd00::5]:443');
    [host, portText] = authority.split(':') as [string, string | undefined];
    if (/^[\d.]+$/.test(host) && !isIPv4(host)) throw bad(text, `${host} is not an IPv4 address`);
    if (!isIPv4(host) && !DNS_NAME.test(host)) throw bad(text, `${host || '(nothing)'} is not an IP address or a host name`);
    host = host.toLowerCase().replace(/\.$/, '');
  }
  if (portText === undefined) return { host };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) throw bad(text, `port ${portText || '(nothing)'} is not 1 to 65535`);
  return { host, port: Number(portText) };
}

/**
 * Parses one static target. Pure. A bare `host[:port]` is Redfish over HTTPS; a Redfish URL may end in nothing, `/`
 * or `/redfish/v1` (the probe always reads `/redfish/v1`). Throws an Error that quotes the text and says what is
 * wrong: unknown scheme, credentials in the URL, a path, query or fragment, a bad host or port.
 */
export function parseTarget(input: string): StaticTarget {
  const text = input.trim();
  if (!text) throw bad(input, 'empty');
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(text);
  if (!m) {
    if (/[/?#]/.test(text)) throw bad(text, 'a path needs a scheme, e.g. https://host:port/redfish/v1');
    return { protocol: 'redfish', scheme: 'https', ...withPort(splitAuthority(text, text), 'https'), text };
  }
  const scheme = m[1]!.toLowerCase();
  if (!(scheme in DEFAULT_PORT)) throw bad(text, `unsupported scheme ${scheme}: use https, http, ipmi or snmp`);
  const rest = m[2]!;
  if (/[?#]/.test(rest)) throw bad(text, 'a target has no query or fragment');
  const slash = rest.indexOf('/');
  const authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? rest.slice(slash) : '';
  const s = scheme as Scheme;
  const hp = withPort(splitAuthority(text, authority), s);
  if (s === 'https' || s === 'http') {
    if (!REDFISH_PATHS.has(path)) throw bad(text, `the path must be empty or /redfish/v1, not ${path}`);
    return { protocol: 'redfish', scheme: s, ...hp, text };
  }
  if (path !== '' && path !== '/') throw bad(text, `${s}:// targets have no path`);
  return { protocol: s, ...hp, text };
}

function withPort(hp: { host: string; port?: number }, scheme: Scheme): { host: string; port: number } {
  return { host: hp.host, port: hp.port ?? DEFAULT_PORT[scheme] };
}

/**
 * Creates the `static` source. Every target is parsed here, so a typo fails when the configuration loads. A target
 * listed twice is probed once.
 */
export function createStaticSource(opts: StaticSourceOptions): DiscoverySource {
  const targets: StaticTarget[] = [];
  const seen = new Set<string>();
  for (const t of opts.targets) {
    const p = parseTarget(t);
    const key = `${p.protocol}|${p.scheme ?? ''}|${p.host}|${p.port}`;
    if (!seen.has(key)) {
      seen.add(key);
      targets.push(p);
    }
  }
  const { snmp, ...rest } = opts;
  const settings = resolveSettings({ ...rest, snmp: { ...(snmp ?? {}), ports: [161] } });
  return {
    name: 'static',
    async scan(ctx: SourceContext): Promise<void> {
      const jobs: Job[] = targets.map((t) => ({
        protocol: t.protocol,
        host: t.host,
        port: t.port,
        ...(t.scheme ? { scheme: t.scheme } : {}),
        group: { label: t.text, remaining: 1 },
      }));
      const r = await runSweep(
        {
          source: 'static',
          jobs,
          total: jobs.length,
          settings,
          onMiss: (job, f) => ctx.log.warn({ target: job.group.label, protocol: job.protocol, reason: f.reason, detail: f.detail }, 'static discovery target did not answer'),
        },
        ctx,
      );
      ctx.log.info({ targets: jobs.length, found: r.found, aborted: r.aborted }, r.aborted ? 'static probe cancelled' : 'static probe done');
    },
  };
}
