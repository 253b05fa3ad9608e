import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { build } from '../app.js';
import { loadConfigFile, type ShoalConfigInput } from '../config/config.js';
import { listenWithSignals, parseListen } from '../server/run.js';
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
  .action(async (o: { listen: string; dataDir: string }) => {
    const dataDir = resolve(o.dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    const password = process.env.SHOAL_ADMIN_PASSWORD ?? 'shoal-demo';
    const shoal = await build({ dataDir, listen: parseListen(o.listen), adminPassword: password, logLevel: 'warn' });
    const url = await listenWithSignals(shoal);
    const { host, port } = shoal.config.listen;
    console.log(`Shoal ${VERSION} demo gateway: ${url}/redfish/v1`);
    console.log(`  user: admin   password: ${password}`);
    console.log(`  certificate (self-signed): ${shoal.certFile}`);
    console.log('  The simulated fleet is not attached yet: Systems, Chassis and Managers hold only the gateway itself.');
    console.log('Try:');
    console.log(`  redfishtool -r ${host}:${port} -S Always -u admin -p ${password} Managers`);
    console.log(`  curl -sk -u admin:${password} https://${host}:${port}/redfish/v1/Managers/Shoal`);
    console.log('Stop with Ctrl-C.');
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`shoal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
