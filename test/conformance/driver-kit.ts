/**
 * `npm run driver-kit -- <driver> --persona <name>`: runs the conformance suite (kit.ts) on one driver against one
 * simulator persona, the way a vendor checks a driver before publishing it. The driver and the persona are checked
 * here first, so a typo gets one clear line instead of a test report; then vitest runs `run.kit.ts` with
 * vitest.kit.config.ts, and its exit code is this command's.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { BUILTIN_IDS, loadKitDriver, loadTarget, PERSONAS, personaPresent, REPO_ROOT } from './kit-resolve.js';

/** Exit code for a command that could not start the kit (bad arguments, a driver that does not load). */
const USAGE = 2;

function personaList(): string {
  return Object.entries(PERSONAS)
    .map(([name, p]) => `  ${name.padEnd(14)} ${p.description}${personaPresent(name) ? '' : ' [no target in this checkout]'}`)
    .join('\n');
}

const HELP = `
<driver> is one of:
  a built-in driver id     ${BUILTIN_IDS.join(', ')}
  an npm package name      shoal-driver-example (installed; package.json keyword "shoal-driver")
  a package directory      ./examples/driver-example (starts with ./, ../ or /)

Personas (--persona):
${personaList()}

Examples:
  npm run driver-kit -- ./examples/driver-example --persona dmtf-mockup
  npm run driver-kit -- shoal-driver-example --persona dmtf-mockup
  npm run driver-kit -- bluefield --persona bluefield3

The exit code is vitest's: 0 when every check passed. See docs/writing-a-driver.md.`;

function fail(message: string): never {
  process.stderr.write(`driver-kit: ${message}\n`);
  process.exit(USAGE);
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('driver-kit')
    .description('Run the Shoal driver conformance kit on one driver against one simulator persona.')
    .argument('<driver>', 'built-in driver id, npm package name, or package directory')
    .requiredOption('-p, --persona <name>', `simulator persona (${Object.keys(PERSONAS).join(', ')})`)
    .option('--reporter <name>', 'vitest reporter (default, verbose, dot, json...)', 'verbose')
    .addHelpText('after', HELP)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : USAGE;
    throw e;
  }
  const [spec] = program.args as [string];
  const { persona, reporter } = program.opts<{ persona: string; reporter: string }>();

  // npm runs scripts in the package root; INIT_CWD is where the user typed the command.
  const fromDir = process.env.INIT_CWD ?? process.cwd();
  if (!PERSONAS[persona]) fail(`unknown persona "${persona}"\nknown personas:\n${personaList()}`);
  if (!personaPresent(persona)) fail(`persona "${persona}" has no conformance target in this checkout (test/conformance/targets/${PERSONAS[persona]!.file}.ts)`);

  const driver = await loadKitDriver(spec, fromDir).catch((e: unknown) => fail((e as Error).message));
  const target = await loadTarget(persona).catch((e: unknown) => fail((e as Error).message));
  const why = target.unavailable?.();
  if (why) fail(`persona "${persona}" cannot run here: ${why}`);
  const m = driver.manifest;
  if (m.protocol !== 'redfish' && (persona === 'bluefield3' || persona === 'openbmc-host' || persona === 'dmtf-mockup')) {
    process.stderr.write(`driver-kit: warning: ${m.id} speaks ${m.protocol}, and ${persona} is a Redfish device\n`);
  }
  process.stdout.write(`driver-kit: ${m.id} (${m.name}; ${m.protocol}; capabilities ${m.capabilities.join(', ')}) against ${persona}\n`);

  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  const config = fileURLToPath(new URL('./vitest.kit.config.ts', import.meta.url));
  const isPath = spec.startsWith('.') || isAbsolute(spec);
  const child = spawn(process.execPath, [vitest, 'run', '--config', config, '--reporter', reporter], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      SHOAL_KIT_DRIVER: isPath ? resolve(fromDir, spec) : spec,
      SHOAL_KIT_PERSONA: persona,
      SHOAL_KIT_FROM: fromDir,
    },
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  return new Promise((done) => {
    child.on('error', (e) => {
      process.stderr.write(`driver-kit: cannot start vitest: ${e.message}\n`);
      done(USAGE);
    });
    child.on('exit', (code, signal) => done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
}

// Exit explicitly: a loaded target or driver may hold handles that would keep the process alive.
process.exit(await main(process.argv.slice(2)));
