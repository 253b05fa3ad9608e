/**
 * Helpers the benchmarks share for reading the machine and the process: addresses, whole-machine CPU, a forced GC,
 * an in-process CPU profile of one phase, and closing the gateway under test.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const ipToInt = (ip: string) => ip.split('.').reduce((a, x) => a * 256 + Number(x), 0);
export const intToIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** The smallest CIDR block that holds addresses first..last. */
export function coveringCidr(first: string, last: string): string {
  const a = ipToInt(first);
  const b = ipToInt(last);
  for (let p = 32; p >= 0; p--) {
    const size = 2 ** (32 - p);
    const net = Math.floor(a / size) * size;
    if (b < net + size) return `${intToIp(net)}/${p}`;
  }
  return '0.0.0.0/0';
}

/** CPU seconds the whole machine has been busy (user, nice, system, irq, softirq, steal), from /proc/stat. */
export function machineBusySeconds(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / 100;
  } catch {
    return undefined;
  }
}

/** A full GC without `--expose-gc` on the command line; false where V8 refuses. */
export function fullGc(): boolean {
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    return true;
  } catch {
    return false;
  }
}

/** An in-process CPU profile (inspector), so one phase can be profiled on its own; `what` names it in the log line. */
export async function startProfile(what: string): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.log(`CPU profile of ${what} written to ${file}`);
    },
  };
}

/**
 * Closes a gateway built in the bench's process, printing how long it took, or that it did not finish within `limitMs`
 * (a hang there is a finding too, and must not keep the bench from printing the rest and exiting).
 */
export async function closeGateway(shoal: { close(): Promise<void> }, fmt: (ms: number) => string, limitMs = 60_000): Promise<void> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([shoal.close().then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), limitMs)))]);
  clearTimeout(timer);
  console.log(`shoal.close() ${closed ? `took ${fmt(performance.now() - t0)}` : `did not finish within ${fmt(limitMs)}`}`);
}
