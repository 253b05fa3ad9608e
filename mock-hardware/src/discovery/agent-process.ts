/**
 * Starts the discovery agent (agent.ts) as a child process, optionally inside a network namespace, and waits for it
 * to report that every device is announced.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AdvertisedDevice } from '../discovery-hooks.js';
import type { DiscoveryConfig } from './index.js';

/** A running agent. */
export interface DiscoveryAgent {
  readonly pid: number;
  /** What the agent reported when it was ready. */
  readonly ready: { ssdpPort?: number; errors: string[] };
  /** Stops the agent (it sends byebyes / goodbyes first) and waits for it to exit. */
  stop(): Promise<void>;
}

const here = fileURLToPath(import.meta.url);

/** Node arguments that run agent.ts (through tsx) or the compiled agent.js. */
function agentCommand(): string[] {
  const ext = extname(here);
  const script = join(dirname(here), `agent${ext}`);
  if (ext !== '.ts') return [script];
  // Resolve tsx from this package rather than the cwd, so the agent starts from any directory.
  const loader = createRequire(here).resolve('tsx');
  return ['--import', pathToFileURL(loader).href, script];
}

/** Spawns the discovery agent for these devices, inside `netns` when given. */
export async function startDiscoveryAgent(opts: {
  netns?: string;
  config: Omit<DiscoveryConfig, 'onError'>;
  devices: AdvertisedDevice[];
  readyTimeoutMs?: number;
}): Promise<DiscoveryAgent> {
  const args = [...agentCommand(), JSON.stringify({ config: opts.config, devices: opts.devices })];
  const child: ChildProcess = opts.netns
    ? spawn('ip', ['netns', 'exec', opts.netns, process.execPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (b: Buffer) => {
    err = (err + b.toString()).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  };
  const ready = await new Promise<{ ssdpPort?: number; errors: string[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`discovery agent not ready in time\n${err}`)), opts.readyTimeoutMs ?? 20_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        const msg = JSON.parse(out.slice(0, nl)) as { ready: boolean; error?: string; ssdpPort?: number; errors?: string[] };
        if (msg.ready) resolve({ ...(msg.ssdpPort ? { ssdpPort: msg.ssdpPort } : {}), errors: msg.errors ?? [] });
        else reject(new Error(`discovery agent failed: ${msg.error ?? 'unknown'}\n${err}`));
      } catch (e) {
        reject(new Error(`discovery agent said ${out.slice(0, nl)}: ${(e as Error).message}\n${err}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`discovery agent exited (${code})\n${err}`));
    });
  }).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return { pid: child.pid ?? -1, ready, stop };
}
