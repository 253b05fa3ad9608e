/**
 * Starts a 10,000-device simulator fleet in one process and prints the start time and resident memory.
 * Goals (issue 3): start in 60 s or less, at most 1.5 GB RSS.
 *
 *   npx tsx bench/mock-hardware-scale.ts [count] [persona]
 *
 * Devices live on 127.30.0.1 onwards; each answers Redfish over HTTPS. A sample of devices is queried after start so
 * that the figure includes TLS contexts for those devices.
 */
import { Agent, request } from 'undici';
import { startFleet } from '../mock-hardware/src/index.js';

const count = Number(process.argv[2] ?? 10_000);
const persona = process.argv[3] ?? 'bluefield3';
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const fleet = await startFleet({ seed: 'bench', timeScale: 60, baseAddress: '127.30.0.1', devices: [{ persona, count }] });
const startMs = performance.now() - t0;
const rss1 = process.memoryUsage().rss;

const agent = new Agent({ connect: { rejectUnauthorized: false }, connections: 1 });
const sample = [0, Math.floor(count / 2), count - 1].map((i) => fleet.devices[i]!);
const t1 = performance.now();
for (const d of sample) {
  const r = await request(d.url + '/Systems', { dispatcher: agent, headers: { authorization: `Basic ${Buffer.from(`${d.credentials.user}:${d.credentials.password}`).toString('base64')}` } });
  await r.body.dump();
  if (r.statusCode !== 200) throw new Error(`${d.url}: ${r.statusCode}`);
}
const firstReqMs = (performance.now() - t1) / sample.length;
global.gc?.();
const rss2 = process.memoryUsage().rss;

console.log(JSON.stringify({ devices: count, persona, startSeconds: +(startMs / 1000).toFixed(2), rssBeforeStart: mib(rss0), rssAfterStart: mib(rss1), rssAfterSample: mib(rss2), firstRequestMsIncludingCert: +firstReqMs.toFixed(1) }));
console.log(`${count} ${persona} devices started in ${(startMs / 1000).toFixed(1)} s; RSS ${mib(rss2)} (goal: <= 60 s, <= 1.5 GB)`);
await agent.close();
await fleet.stop();
process.exit(0);
