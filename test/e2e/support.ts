import { execFile, type ExecFileException } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { build, type Shoal } from '../../src/app.js';

/**
 * Helpers for the end-to-end tests that drive the real HTTPS server with Debian's Redfish clients (redfishtool,
 * python3-sushy, ansible's community.general redfish modules). Everything runs against 127.0.0.1 only.
 */

export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'e2e-Admin-pass-1';

/** Debian's interpreter: the clients are Debian packages, so a pyenv or venv python3 earlier on PATH would lack them. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export interface E2eServer {
  shoal: Shoal;
  port: number;
  /** `127.0.0.1:PORT`, the form redfishtool's -r and ansible's baseuri take. */
  hostPort: string;
  baseUrl: string;
  dir: string;
  certFile: string;
  close(): Promise<void>;
}

/** The real gateway, HTTPS with its self-signed certificate, on an ephemeral loopback port and a fresh data dir. */
export async function startServer(): Promise<E2eServer> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-'));
  let shoal: Shoal | undefined;
  try {
    shoal = await build(
      { dataDir: join(dir, 'data'), tls: { enabled: true }, adminPassword: ADMIN_PASSWORD, listen: { host: '127.0.0.1', port: 0 } },
      { logger: false },
    );
    await shoal.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (shoal.app.server.address() as AddressInfo).port;
    const s = shoal;
    return {
      shoal: s,
      port,
      hostPort: `127.0.0.1:${port}`,
      baseUrl: `https://127.0.0.1:${port}`,
      dir,
      certFile: s.certFile!,
      async close() {
        await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await shoal?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Whether an executable is on PATH (no shell involved). */
export function onPath(name: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Decides what to do when a client is not installed: in CI it is a failure (CI installs it with apt), on a developer
 * machine the suite is skipped with the reason. Returns the reason to skip, or undefined to run.
 */
export function missingTool(problem: string | undefined, aptPackages: string): string | undefined {
  if (!problem) return undefined;
  const msg = `${problem}; install it with: apt-get install -y ${aptPackages}`;
  if (process.env.CI) throw new Error(`CI must have the Debian Redfish clients: ${msg}`);
  console.warn(`skipping: ${msg}`);
  return msg;
}

/**
 * The environment for a client child process: no CA bundle overrides (python-requests lets REQUESTS_CA_BUNDLE and
 * CURL_CA_BUNDLE replace a session's `verify`, which would defeat pinning the gateway's certificate), and no proxy for
 * loopback.
 */
export function clientEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SHOAL_ADMIN_PASSWORD']) delete env[k];
  for (const k of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) delete env[k];
  env.NO_PROXY = env.no_proxy = '127.0.0.1,localhost';
  env.PYTHONDONTWRITEBYTECODE = '1';
  return { ...env, ...extra };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program with arguments (never through a shell) and resolves with its exit code and output. */
export function run(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: opts.env ?? clientEnv(), timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, cwd: opts.cwd },
      (err: ExecFileException | null, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + (err && code === -1 ? `\n${err.message}` : '') });
      },
    );
  });
}

/** Parses a client's JSON output, with the whole output in the error when it is not JSON. */
export function parseJson<T = Record<string, unknown>>(r: RunResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`expected JSON (exit ${r.code})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/** A helper for assertions: the exit code, with the output attached when it is not 0. */
export function ok(r: RunResult): string {
  if (r.code !== 0) throw new Error(`exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}
