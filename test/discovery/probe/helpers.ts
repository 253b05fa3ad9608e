/** Shared pieces of the discovery probe tests: a recording SourceContext and a hand-driven clock. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Sighting } from '../../../src/model/discovery.js';
import type { RateClock } from '../../../src/discovery/sources/rate.js';
import type { SourceContext } from '../../../src/discovery/sources/source.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn';
  obj: Record<string, unknown>;
  msg?: string;
}

/** Everything a source did, in the order it did it. */
export interface Recorder {
  ctx: SourceContext;
  controller: AbortController;
  sightings: Sighting[];
  progress: [number, number][];
  logs: LogLine[];
  /** emit, progress and log calls interleaved, for ordering assertions. */
  events: string[];
}

export function recorder(): Recorder {
  const controller = new AbortController();
  const r: Recorder = {
    controller,
    sightings: [],
    progress: [],
    logs: [],
    events: [],
    ctx: {
      signal: controller.signal,
      emit: (s) => {
        r.sightings.push(s);
        r.events.push(`emit ${s.protocol} ${s.host}`);
      },
      progress: (done, total) => r.progress.push([done, total]),
      log: {
        debug: (obj, msg) => {
          r.logs.push({ level: 'debug', obj: obj as Record<string, unknown>, msg });
          r.events.push(`debug ${String((obj as { host?: unknown }).host)} ${String((obj as { reason?: unknown }).reason)}`);
        },
        info: (obj, msg) => r.logs.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
        warn: (obj, msg) => r.logs.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
      },
    },
  };
  return r;
}

/** A clock that moves only when told: timers fire in due order inside `advance`. */
export class ManualClock implements RateClock {
  private t = 0;
  private seq = 0;
  private timers: { at: number; id: number; fn: () => void }[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, id, fn });
    return () => {
      this.timers = this.timers.filter((x) => x.id !== id);
    };
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward, firing due timers one by one and letting promise callbacks run after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/** Lets queued promise callbacks and I/O callbacks run (real setImmediate, a few rounds). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

const run = promisify(execFile);

/** True when a Debian tool is installed (sbin included, which is not on every PATH). */
export async function hasTool(cmd: string): Promise<boolean> {
  try {
    await run('sh', ['-c', 'command -v "$1" || test -x "/usr/sbin/$1"', 'sh', cmd]);
    return true;
  } catch {
    return false;
  }
}
