/**
 * Shared pieces of the discovery source tests: a recording SourceContext, a runner for a source in another process
 * (inside a network namespace), Debian avahi-daemon in a namespace, and tool detection for clear skips.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Sighting } from '../../../src/model/discovery.js';
import type { SourceContext } from '../../../src/discovery/sources/source.js';

export const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..', '..');

/** One log call a source made. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn';
  msg?: string;
  obj: Record<string, unknown>;
}

/** A SourceContext that records sightings and log calls. */
export function recorder(signal: AbortSignal = new AbortController().signal): {
  ctx: SourceContext;
  sightings: Sighting[];
  logs: LogEntry[];
  progress: Array<[number, number]>;
} {
  const sightings: Sighting[] = [];
  const logs: LogEntry[] = [];
  const progress: Array<[number, number]> = [];
  const log = (level: LogEntry['level']) => (obj: object, msg?: string) => {
    logs.push({ level, obj: obj as Record<string, unknown>, ...(msg !== undefined ? { msg } : {}) });
  };
  const ctx: SourceContext = {
    signal,
    emit: (s) => sightings.push(s),
    progress: (done, total) => progress.push([done, total]),
    log: { debug: log('debug'), info: log('info'), warn: log('warn') },
  };
  return { ctx, sightings, logs, progress };
}

/** The commands among `cmds` that are not on PATH. */
export function missingCommands(cmds: string[]): string[] {
  return cmds.filter((c) => {
    try {
      execFileSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

/** Whether the namespace tests can run, and why not. */
export function netnsSkipReason(extra: string[] = []): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'needs root (network namespaces)';
  const missing = missingCommands(['ip', ...extra]);
  return missing.length ? `needs ${missing.join(', ')} on PATH` : undefined;
}

/** Polls `check` until it is true or the deadline passes; the error says what was awaited and shows `detail`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One line the runner printed. */
export type RunLine =
  | { type: 'sighting'; sighting: Sighting }
  | { type: 'log'; level: string; msg?: string; obj: Record<string, unknown> }
  | { type: 'done' }
  | { type: 'error'; message: string };

/** A source running in another process (see run-source.ts). */
export interface SourceRun {
  readonly lines: RunLine[];
  sightings(): Sighting[];
  /** Resolves when `pred` holds for the lines so far; rejects at the deadline or if the runner exits first. */
  waitFor(what: string, pred: (lines: RunLine[]) => boolean, timeoutMs: number): Promise<void>;
  /** Resolves with the exit code once the runner has ended. */
  readonly exited: Promise<number | null>;
  /** Ends a watch (SIGTERM, which aborts its signal) and waits for the runner to exit. */
  stop(): Promise<number | null>;
  stderr(): string;
}

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Starts run-source.ts with `spec`, inside `netns` when given. */
export function runSource(spec: { source: string; mode: 'scan' | 'watch'; options: unknown }, netns?: string): SourceRun {
  const args = ['--import', tsxLoader, join(here, 'run-source.ts'), JSON.stringify(spec)];
  const child: ChildProcess = netns
    ? spawn('ip', ['netns', 'exec', netns, process.execPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'], cwd: repoRoot })
    : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: repoRoot });
  const lines: RunLine[] = [];
  let buf = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => {
    buf += b.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as RunLine);
      } catch {
        err += `unparsed: ${line}\n`;
      }
    }
  });
  child.stderr?.on('data', (b: Buffer) => {
    err = (err + b.toString()).slice(-8000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  const describe = (): string => `stderr:\n${err}\nlines:\n${lines.slice(-20).map((l) => JSON.stringify(l)).join('\n')}`;
  return {
    lines,
    sightings: () => lines.flatMap((l) => (l.type === 'sighting' ? [l.sighting] : [])),
    waitFor: async (what, pred, timeoutMs) => {
      await until(what, () => {
        if (pred(lines)) return true;
        if (ended) throw new Error(`runner ended before ${what}\n${describe()}`);
        return false;
      }, timeoutMs, describe);
    },
    exited,
    stop: async () => {
      if (!ended) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    stderr: () => err,
  };
}

/** A static DNS-SD service for avahi-daemon's services directory. */
export interface AvahiService {
  name: string;
  type: string;
  port: number;
  txt: string[];
}

function serviceFile(s: AvahiService): string {
  const esc = (v: string): string => v.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const txt = s.txt.map((t) => `    <txt-record>${esc(t)}</txt-record>`).join('\n');
  return `<?xml version="1.0" standalone='no'?>
<!DOCTYPE service-group SYSTEM "avahi-service.dtd">
<service-group>
  <name>${esc(s.name)}</name>
  <service>
    <type>${esc(s.type)}</type>
    <port>${s.port}</port>
${txt}
  </service>
</service-group>
`;
}

/**
 * Runs in the namespace under `unshare -m`, so the tmpfs on /run and the bind mount on /etc/avahi/services stay
 * private to avahi (unshare makes the new mount namespace private by default).
 */
const AVAHI_SCRIPT = `set -eu
dir=$1
mount -t tmpfs tmpfs /run
mkdir -p /run/avahi-daemon
mount --bind "$dir/services" /etc/avahi/services
exec avahi-daemon -f "$dir/avahi.conf" --no-drop-root --no-chroot --no-rlimits
`;

/** A running avahi-daemon. */
export interface AvahiDaemon {
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts Debian avahi-daemon in `netns` on `iface` (no D-Bus, private /run) publishing `services`, and resolves
 * once avahi says each one is established (it probes for name conflicts first).
 */
export async function startAvahi(opts: { netns: string; iface: string; dir: string; hostName: string; services: AvahiService[] }): Promise<AvahiDaemon> {
  mkdirSync(join(opts.dir, 'services'), { recursive: true });
  opts.services.forEach((s, i) => writeFileSync(join(opts.dir, 'services', `s${i}.service`), serviceFile(s)));
  writeFileSync(
    join(opts.dir, 'avahi.conf'),
    [
      '[server]', `host-name=${opts.hostName}`, 'use-ipv4=yes', 'use-ipv6=no', `allow-interfaces=${opts.iface}`, 'enable-dbus=no',
      '[wide-area]', 'enable-wide-area=no',
      '[publish]', 'publish-hinfo=no', 'publish-workstation=no',
      '',
    ].join('\n'),
  );
  writeFileSync(join(opts.dir, 'avahi.sh'), AVAHI_SCRIPT);
  const child = spawn('ip', ['netns', 'exec', opts.netns, 'unshare', '-m', 'sh', join(opts.dir, 'avahi.sh'), opts.dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (b: Buffer): void => {
    log = (log + b.toString()).slice(-16000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ended = false;
  void exited.then(() => (ended = true));
  const stop = async (): Promise<void> => {
    if (ended) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  };
  try {
    await until(
      'avahi-daemon to establish its services',
      () => {
        if (ended) throw new Error(`avahi-daemon exited\n${log}`);
        return (log.match(/successfully established/g) ?? []).length >= opts.services.length;
      },
      20_000,
      () => log,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { log: () => log, stop };
}
