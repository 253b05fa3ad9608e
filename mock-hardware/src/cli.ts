#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { startControlApi } from './control-api.js';
import { FAULT_KINDS, parseFault } from './core/faults.js';
import { startFleet, type FleetSpec } from './fleet.js';
import { loadFleetFile } from './fleet-file.js';
import { personaNames } from './personas/registry.js';

const num = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('not a number');
  return n;
};

const program = new Command('mock-hardware')
  .description('Fleet simulator of DPUs and BMCs with Redfish, real behaviour and injectable faults')
  .option('--fleet <file>', 'fleet YAML file')
  .option('--persona <name>', `persona for a uniform fleet (${[...personaNames(), 'ipmi-legacy', 'snmp-agent'].join(', ')})`)
  .option('--count <n>', 'number of devices', num, 1)
  .option('--base-address <ip>', 'first device address', '127.1.0.1')
  .option('--port <port>', 'Redfish HTTPS port (first port in port mode)', num, 8443)
  .option('--addressing <mode>', 'address: one 127.x address each; port: one port each', 'address')
  .option('--seed <seed>', 'seed for every random choice', '1')
  .option('--time-scale <x>', 'virtual ms per real ms', num, 1)
  .option('--dpus-per-host <n>', 'openbmc-host: bluefield3 DPUs in each host', num, 0)
  .option('--mockup <dir>', 'dmtf-mockup: Mockup Creator directory')
  .option('--initial-state <state>', 'running, off or booting', 'running')
  .option('--control-port <port>', 'control API port (loopback)', num)
  .option('--ca-out <file>', 'write the fleet CA certificate here')
  .action(async (o: Record<string, string | number | undefined>) => {
    let spec: FleetSpec & { controlPort?: number } = { devices: [] };
    if (o.fleet) spec = loadFleetFile(String(o.fleet));
    else if (o.persona) {
      const options: Record<string, unknown> = {};
      if (o.mockup) options.mockup = o.mockup;
      spec = {
        devices: [{ persona: String(o.persona), count: Number(o.count), dpusPerHost: Number(o.dpusPerHost), initialState: o.initialState as 'running', options }],
      };
    } else {
      program.error('give --fleet FILE or --persona NAME');
    }
    spec.seed ??= String(o.seed);
    if (program.getOptionValueSource('timeScale') === 'cli' || spec.timeScale === undefined) spec.timeScale = Number(o.timeScale);
    if (program.getOptionValueSource('baseAddress') === 'cli' || !spec.baseAddress) spec.baseAddress = String(o.baseAddress);
    if (program.getOptionValueSource('port') === 'cli' || !spec.port) spec.port = Number(o.port);
    if (program.getOptionValueSource('addressing') === 'cli' || !spec.addressing) spec.addressing = o.addressing as 'address';
    const fleet = await startFleet(spec);
    fleet.on('log', (line: string) => process.stderr.write(`mock-hardware: ${line}\n`));
    for (const d of fleet.devices) process.stdout.write(`${d.url} ${d.credentials.user}:${d.credentials.password} ${d.persona} ${d.serial}\n`);
    if (o.caOut) writeFileSync(String(o.caOut), fleet.caCert);
    const controlPort = (o.controlPort as number | undefined) ?? spec.controlPort;
    if (controlPort !== undefined) {
      await startControlApi(fleet, controlPort);
      process.stderr.write(`mock-hardware: control API on http://127.0.0.1:${controlPort}\n`);
    }
    const stop = () => void fleet.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Virtual timers are unref'd; keep the process alive while the fleet serves.
    setInterval(() => undefined, 1 << 30);
  });

program
  .command('fault')
  .description(`inject a fault into a running fleet through its control API; kinds: ${FAULT_KINDS.join(', ')}; "clear" clears`)
  .argument('<device>', 'device id, e.g. bf3-0001')
  .argument('<kind>', 'fault kind, or "clear"')
  .option('--params <json>', 'extra fault fields as JSON, e.g. \'{"mode":"hard"}\'', '{}')
  .option('--control <url>', 'control API URL', process.env.MOCK_HARDWARE_CONTROL ?? 'http://127.0.0.1:9900')
  .action(async (device: string, kind: string, o: { params: string; control: string }) => {
    const url = `${o.control.replace(/\/$/, '')}/devices/${encodeURIComponent(device)}/faults`;
    let res: Response;
    if (kind === 'clear') res = await fetch(url, { method: 'DELETE' });
    else {
      const fault = parseFault({ kind, ...(JSON.parse(o.params) as object) });
      res = await fetch(url, { method: 'POST', body: JSON.stringify(fault), headers: { 'content-type': 'application/json' } });
    }
    const text = await res.text();
    process.stdout.write(text + '\n');
    if (!res.ok) process.exitCode = 1;
  });

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`mock-hardware: ${(e as Error).message}\n`);
  process.exit(1);
});
