/**
 * Runs one discovery source in this process and prints what it does as JSON lines, so that tests can run a source
 * inside a network namespace (`ip netns exec NS node --import tsx run-source.ts SPEC`; Node cannot enter one).
 *
 * SPEC is JSON `{ "source": "ssdp" | "mdns" | "dns", "mode": "scan" | "watch", "options": {...} }`. Output lines:
 * `{"type":"sighting","sighting":...}`, `{"type":"log","level":...,"msg":...,"obj":...}`, then `{"type":"done"}` or
 * `{"type":"error","message":...}`. A watch ends on SIGTERM or when stdin closes, so it never outlives the test.
 */
import { createDnsSource, type DnsSourceOptions } from '../../../src/discovery/sources/dns.js';
import { createMdnsSource, type MdnsSourceOptions } from '../../../src/discovery/sources/mdns.js';
import type { DiscoverySource, SourceContext } from '../../../src/discovery/sources/source.js';
import { createSsdpSource, type SsdpSourceOptions } from '../../../src/discovery/sources/ssdp.js';

interface Spec {
  source: 'ssdp' | 'mdns' | 'dns';
  mode: 'scan' | 'watch';
  options: unknown;
}

const out = (obj: unknown): void => {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
};

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
  let source: DiscoverySource;
  if (spec.source === 'ssdp') source = createSsdpSource(spec.options as SsdpSourceOptions);
  else if (spec.source === 'mdns') source = createMdnsSource(spec.options as MdnsSourceOptions);
  else source = createDnsSource(spec.options as DnsSourceOptions);
  const ac = new AbortController();
  process.on('SIGTERM', () => ac.abort());
  process.stdin.on('end', () => ac.abort());
  process.stdin.resume();
  const log = (level: string) => (obj: object, msg?: string) => out({ type: 'log', level, msg, obj });
  const ctx: SourceContext = {
    signal: ac.signal,
    emit: (sighting) => out({ type: 'sighting', sighting }),
    log: { debug: log('debug'), info: log('info'), warn: log('warn') },
  };
  if (spec.mode === 'watch') {
    if (!source.watch) throw new Error(`${spec.source} has no watch`);
    await source.watch(ctx);
  } else {
    await source.scan(ctx);
  }
  out({ type: 'done' });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    out({ type: 'error', message: (err as Error)?.message ?? String(err) });
    process.exit(1);
  },
);
