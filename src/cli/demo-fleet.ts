import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface DemoFleet {
  /** One line per device: `<service-root URL> <user>:<password> <persona> <serial>`. */
  devices: string[];
  /** PEM file of the CA that issued every simulated device's certificate. */
  caFile: string;
  controlUrl: string;
  stop(): Promise<void>;
}

/** DMTF's public-smartnic mockup, when the DMTF bundle is beside the clone (or SHOAL_SHARED_DIR names it). */
function mockupDir(): string | undefined {
  const shared = process.env.SHOAL_SHARED_DIR ?? resolve(REPO, '..', 'shared');
  const dir = join(shared, 'mockups', 'public-smartnic');
  return existsSync(join(dir, 'index.json')) ? dir : undefined;
}

/**
 * Starts a small mixed fleet as its own `mock-hardware` process: the simulator is a separate program, and the
 * gateway never links it. Resolves once every device is listening.
 */
export async function startDemoFleet(dataDir: string, controlPort = 9900): Promise<DemoFleet> {
  const mockup = mockupDir();
  const spec = {
    seed: 'demo',
    timeScale: 60,
    baseAddress: '127.1.0.1',
    port: 8443,
    controlPort,
    devices: [
      { persona: 'openbmc-host', count: 2, dpusPerHost: 2 },
      { persona: 'bluefield3', count: 2 },
      ...(mockup ? [{ persona: 'dmtf-mockup', options: { mockup } }] : []),
    ],
  };
  const file = join(dataDir, 'demo-fleet.yaml');
  writeFileSync(file, stringify(spec));
  const caFile = join(dataDir, 'demo-fleet-ca.pem');
  const child: ChildProcess = spawn(process.execPath, [join(REPO, 'bin', 'mock-hardware.js'), '--fleet', file, '--ca-out', caFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const devices: string[] = [];
  let out = '';
  let err = '';
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`mock-hardware did not start: ${err.trim()}`)), 60_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      devices.push(...lines.filter((l) => l.trim()));
    });
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      if (/control API on/.test(err)) {
        clearTimeout(timer);
        ready();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`mock-hardware exited (${code}): ${err.trim()}`));
    });
  });
  return {
    devices,
    caFile,
    controlUrl: `http://127.0.0.1:${controlPort}`,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
