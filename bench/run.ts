import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { benchRedfishGet } from './redfish-get.js';

// `npm run bench`: each benchmark prints its own figures. They never run as tests.
await benchRedfishGet();

// The simulator's scale figure is measured in a process of its own, so its RSS is the fleet's alone.
console.log('');
const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'mock-hardware-scale.ts'), process.env.BENCH_FLEET ?? '10000', 'bluefield3'], {
  stdio: 'inherit',
});
if (r.status !== 0) process.exitCode = r.status ?? 1;

// Driver runtime: 1,000 devices polled, 10% hung. Its own process too (it starts the simulator as a child of its own);
// alone: `npx tsx bench/driver-poll.ts`.
console.log('');
const p = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'driver-poll.ts')], { stdio: 'inherit' });
if (p.status !== 0) process.exitCode = p.status ?? 1;

// Discovery: a CIDR sweep plus SSDP over 10,000 simulated devices (about 5 minutes). Its own process too, so its RSS is
// the gateway's; alone: `npx tsx bench/discovery-sweep.ts [--devices N]`.
console.log('');
const d = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'discovery-sweep.ts')], { stdio: 'inherit' });
if (d.status !== 0) process.exitCode = d.status ?? 1;

// Inventory: GETs served from the store while 300 devices answer after 500 ms, `$expand` of 1,000 Systems against
// JSON.stringify, memory and store size (a few minutes; BENCH_INVENTORY_DEVICES sets the fleet). Its own process too, so
// its RSS is the gateway's; alone: `npx tsx bench/inventory.ts [--devices N]` (10,000: see the file's header).
console.log('');
const inv = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'inventory.ts')], { stdio: 'inherit' });
if (inv.status !== 0) process.exitCode = inv.status ?? 1;
