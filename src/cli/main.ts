import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { build } from '../app.js';
import { loadConfigFile, type ShoalConfigInput } from '../config/config.js';
import { tuneHeap } from '../server/heap-tuning.js';
import { listenWithSignals, parseListen } from '../server/run.js';
import { startDemoFleet } from './demo-fleet.js';
import { discoverCommand } from './discover.js';
import { VERSION } from '../version.js';

const program = new Command();
program.name('shoal').description('Redfish gateway for DPUs and BMCs').version(VERSION);

interface ServeOpts {
  listen?: string;
  dataDir?: string;
  config?: string;
  insecureHttp?: boolean;
}

function configFrom(o: ServeOpts): ShoalConfigInput {
  const cfg: ShoalConfigInput = o.config ? loadConfigFile(o.config) : {};
  // Polling a fleet keeps an event loop busy: the gateway gives it a thread of its own unless told otherwise.
  cfg.devicePlane ??= 'worker';
  if (o.listen) cfg.listen = parseListen(o.listen);
  if (o.dataDir) cfg.dataDir = o.dataDir;
  if (o.insecureHttp) cfg.tls = { ...cfg.tls, enabled: false };
  return cfg;
}

program
  .command('serve')
  .description('run the gateway')
  .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:8443)')
  .option('--data-dir <dir>', 'where the SQLite store and TLS certificate live (default ./data)')
  .option('--config <file>', 'JSON or YAML config file')
  .option('--insecure-http', 'serve plain HTTP instead of HTTPS (only for trusted networks and tests)')
  .action(async (o: ServeOpts) => {
    tuneHeap();
    const shoal = await build(configFrom(o));
    const url = await listenWithSignals(shoal);
    const base = url.replace('0.0.0.0', '127.0.0.1');
    console.log(`Shoal ${VERSION} serving Redfish at ${base}/redfish/v1`);
    if (shoal.generatedAdminPassword) {
      console.log(`First start: created user "admin" with password ${shoal.generatedAdminPassword}`);
      console.log('This password is shown once. Set SHOAL_ADMIN_PASSWORD before the first start to choose it.');
    }
  });

program
  .command('demo')
  .description('run the gateway on a fresh demo data directory, and print how to reach it')
  .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8443')
  .option('--data-dir <dir>', 'demo data directory (wiped at start)', '.shoal/demo')
  .option('--no-fleet', 'do not start the simulated fleet')
  .action(async (o: { listen: string; dataDir: string; fleet: boolean }) => {
    tuneHeap();
    const dataDir = resolve(o.dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const password = process.env.SHOAL_ADMIN_PASSWORD ?? 'shoal-demo';
    const fleet = o.fleet ? await startDemoFleet(dataDir) : undefined;
    // The gateway finds the fleet by itself: a sweep of the fleet's addresses, trusting the fleet's CA and logging in
    // with the simulator's credentials, exactly as a discovery policy would for a real rack.
    const discovery = fleet
      ? {
          enabled: true,
          redfishPorts: [8443],
          tls: { mode: 'ca', caFile: fleet.caFile },
          // The DMTF mockup persona keeps the mockup's own account; the others use the simulator's default.
          credentials: [{ driver: 'redfish', username: 'Administrator', password: 'Password' }, { username: 'root', password: '0penBmc' }],
          sources: { ssdp: { enabled: false }, cidr: { enabled: true, ranges: ['127.1.0.0/27'] } },
        }
      : undefined;
    // A demo fleet is a dozen devices: read them at once rather than spreading first polls over half a minute.
    const shoal = await build({ dataDir, listen: parseListen(o.listen), adminPassword: password, logLevel: 'warn', devicePlane: 'worker', inventory: { startSpreadSeconds: 1 }, ...(discovery ? { discovery } : {}) });
    const url = await listenWithSignals(shoal, () => fleet?.stop() ?? Promise.resolve());
    const { host, port } = shoal.config.listen;
    console.log(`Shoal ${VERSION} demo gateway: ${url}/redfish/v1`);
    console.log(`  user: admin   password: ${password}`);
    console.log(`  certificate (self-signed): ${shoal.certFile}`);
    if (fleet) {
      console.log(`Simulated fleet (mock-hardware, control API ${fleet.controlUrl}), one device per line:`);
      for (const d of fleet.devices) console.log(`  ${d}`);
      const report = await shoal.plane.firstSweep();
      const ip = (h: string) => h.split('.').reduce((n, x) => n * 256 + Number(x), 0);
      const all = shoal.store.devices.list().sort((a, b) => ip(a.host) - ip(b.host));
      console.log(`Discovered and registered ${report?.registered ?? 0} of ${fleet.devices.length} devices (sweep of 127.1.0.0/27), ${report?.paired ?? 0} DPUs paired with their hosts:`);
      for (const d of all) {
        const parent = d.parentId ? `  in host ${d.parentId} ${d.slot ?? ''}` : '';
        console.log(`  ${d.id}  ${d.state.padEnd(19)} https://${d.host}:${d.port ?? 443}  ${[d.identity.manufacturer, d.identity.model].filter(Boolean).join(' ')}  ${d.identity.serialNumber ?? ''}${parent}`);
      }
    }
    console.log('Try:');
    console.log(`  redfishtool -r ${host}:${port} -S Always -u admin -p ${password} raw GET /redfish/v1/AggregationService/AggregationSources`);
    console.log(`  redfishtool -r ${host}:${port} -S Always -u admin -p ${password} Systems`);
    console.log(`  curl -sk -u admin:${password} "https://${host}:${port}/redfish/v1/Systems?\$filter=SystemType%20eq%20'DPU'"`);
    console.log(`  redfishtool -r ${host}:${port} -S Always -u admin -p ${password} Managers`);
    console.log(`  curl -sk -u admin:${password} https://${host}:${port}/redfish/v1/Managers/Shoal`);
    const dpu = fleet?.devices.find((d) => d.includes(' bluefield3 '));
    if (dpu) {
      const [u, cred] = dpu.split(' ') as [string, string];
      const [user, pw] = cred.split(':') as [string, string];
      console.log(`  redfishtool -r ${new URL(u).host} -S Always -u ${user} -p ${pw} raw GET /redfish/v1/Systems/Bluefield`);
    }
    console.log('Stop with Ctrl-C.');
  });

program
  .command('drivers')
  .description('list the drivers this gateway would load (built-ins and drivers.external), with capabilities')
  .option('-c, --config <file>', 'config file (JSON or YAML) naming external drivers')
  .action(async (o: { config?: string }) => {
    const { resolveConfig } = await import('../config/config.js');
    const { createDriverRegistry } = await import('../drivers/index.js');
    const cfg = resolveConfig(o.config ? loadConfigFile(o.config) : {});
    const reg = await createDriverRegistry(cfg.drivers.external, process.cwd());
    for (const d of reg.list()) {
      const m = d.manifest;
      console.log(`${m.id}  ${m.name}  (${m.protocol}, priority ${m.priority ?? 0})`);
      console.log(`  capabilities: ${m.capabilities.join(', ')}`);
      for (const e of d.extensions ?? []) console.log(`  extension ${e.name}: ${e.description}`);
    }
  });

program.addCommand(discoverCommand());

program.parseAsync().catch((err: unknown) => {
  console.error(`shoal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
