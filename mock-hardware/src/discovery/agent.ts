/**
 * Discovery agent: runs the discovery advertisers for a list of devices in the current process, which is how they
 * get into a network namespace (`ip netns exec NS node agent.js SPEC`; Node cannot enter a namespace itself).
 *
 * SPEC is JSON `{ "config": DiscoveryConfig, "devices": AdvertisedDevice[] }`. The agent prints one JSON line
 * `{"ready":true,...}` when every device is announced, and stops (sending byebyes) on SIGTERM, SIGINT or when
 * stdin closes, so it never outlives its parent.
 */
import type { AdvertisedDevice } from '../discovery-hooks.js';
import { createDiscovery, type DiscoveryConfig } from './index.js';

interface AgentSpec {
  config: Omit<DiscoveryConfig, 'onError'>;
  devices: AdvertisedDevice[];
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: agent SPEC_JSON');
  const spec = JSON.parse(raw) as AgentSpec;
  const errors: string[] = [];
  const discovery = createDiscovery({
    ...spec.config,
    onError: (kind, id, err) => errors.push(`${kind} ${id}: ${(err as Error)?.message ?? String(err)}`),
  });
  for (const d of spec.devices) await discovery.start(d);
  if (discovery.dns) await discovery.dns.flush();
  if (discovery.mdns) await discovery.mdns.ready();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await discovery.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
  const ssdpPort = discovery.ssdp && discovery.ssdp.size > 0 ? discovery.ssdp.address().port : undefined;
  process.stdout.write(`${JSON.stringify({ ready: true, ssdpPort, errors })}\n`);
}

main().catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ ready: false, error: (err as Error)?.stack ?? String(err) })}\n`);
  process.exit(1);
});
