/**
 * Two Linux network namespaces joined by a veth pair: the smallest network on which multicast discovery (SSDP, mDNS)
 * and LLDP behave as they do on a real management LAN. Nothing routes out of it, so discovery traffic cannot leak.
 * Needs root and `ip` (iproute2).
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One side of the pair. */
export interface NetnsEnd {
  /** Namespace name. */
  ns: string;
  /** veth interface name inside the namespace. */
  iface: string;
  /** IPv4 address of the interface. */
  ip: string;
}

/** A namespace pair; call {@link NetnsPair.destroy} in `afterAll`. */
export interface NetnsPair {
  a: NetnsEnd;
  b: NetnsEnd;
  /** Prefix length of the shared subnet. */
  prefix: number;
  /** Runs a command inside a namespace and returns stdout (argument array, never a shell). */
  exec(
    ns: string,
    cmd: string,
    args: string[],
    opts?: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string },
  ): Promise<string>;
  /** Spawns a long-running command inside a namespace. */
  spawn(ns: string, cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** Adds another address to one end (e.g. for several devices behind one veth). */
  addAddress(end: NetnsEnd, ip: string): Promise<void>;
  /** Kills every process left in both namespaces and deletes them (deleting one end removes the veth pair). */
  destroy(): Promise<void>;
}

/** Whether namespace tests can run here, and why not. */
export async function netnsSupport(): Promise<{ ok: boolean; reason: string }> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { ok: false, reason: 'not root' };
  try {
    await run('ip', ['-V']);
  } catch {
    return { ok: false, reason: '`ip` (iproute2) is missing' };
  }
  return { ok: true, reason: '' };
}

/** Options for {@link createNetnsPair}. */
export interface NetnsPairOptions {
  /** Unique tag for this run, e.g. `ssdp${process.pid}`; namespace and interface names derive from it. */
  tag: string;
  /** Third octet of the 10.77.X.0/24 subnet. Default: derived from the tag. */
  subnetOctet?: number;
  /** MAC address for end A's interface (LLDP reads the chassis id from it). */
  macA?: string;
}

function hashOctet(tag: string): number {
  let h = 0;
  for (const ch of tag) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return 1 + (h % 250);
}

/** Creates the two namespaces, the veth pair, addresses, and a multicast route on each side. */
export async function createNetnsPair(opts: NetnsPairOptions): Promise<NetnsPair> {
  const tag = opts.tag.replace(/[^A-Za-z0-9]/g, '');
  const octet = opts.subnetOctet ?? hashOctet(tag);
  // Interface names are limited to 15 bytes; keep the unique tail of the tag.
  const short = tag.slice(-11);
  const a: NetnsEnd = { ns: `mh${tag}a`, iface: `va${short}`, ip: `10.77.${octet}.1` };
  const b: NetnsEnd = { ns: `mh${tag}b`, iface: `vb${short}`, ip: `10.77.${octet}.2` };
  const ip = (...args: string[]): Promise<unknown> => run('ip', args);

  const exec: NetnsPair['exec'] = async (ns, cmd, args, o) => {
    const { stdout } = await run('ip', ['netns', 'exec', ns, cmd, ...args], {
      timeout: o?.timeoutMs ?? 20_000,
      env: o?.env ?? process.env,
      ...(o?.cwd ? { cwd: o.cwd } : {}),
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  };
  const pair: NetnsPair = {
    a,
    b,
    prefix: 24,
    exec,
    spawn: (ns, cmd, args, o) => spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: 'pipe', ...o }),
    addAddress: async (end, addr) => {
      await ip('-n', end.ns, 'addr', 'add', `${addr}/24`, 'dev', end.iface);
    },
    destroy: async () => {
      for (const end of [a, b]) {
        try {
          const { stdout } = await run('ip', ['netns', 'pids', end.ns]);
          for (const pid of stdout.split(/\s+/).filter(Boolean)) {
            try {
              process.kill(Number(pid), 'SIGKILL');
            } catch {
              // already gone
            }
          }
        } catch {
          // namespace never created
        }
        await run('ip', ['netns', 'del', end.ns]).catch(() => undefined);
      }
    },
  };

  try {
    await ip('netns', 'add', a.ns);
    await ip('netns', 'add', b.ns);
    await ip('link', 'add', a.iface, 'type', 'veth', 'peer', 'name', b.iface);
    await ip('link', 'set', a.iface, 'netns', a.ns);
    await ip('link', 'set', b.iface, 'netns', b.ns);
    if (opts.macA) await ip('-n', a.ns, 'link', 'set', 'dev', a.iface, 'address', opts.macA);
    for (const end of [a, b]) {
      await ip('-n', end.ns, 'addr', 'add', `${end.ip}/24`, 'dev', end.iface);
      await ip('-n', end.ns, 'link', 'set', 'lo', 'up');
      await ip('-n', end.ns, 'link', 'set', end.iface, 'up');
      // Without a route for 224/4 multicast sends fail with ENETUNREACH: there is no default route in here.
      await ip('-n', end.ns, 'route', 'add', '224.0.0.0/4', 'dev', end.iface);
    }
  } catch (err) {
    await pair.destroy();
    throw err;
  }
  return pair;
}
