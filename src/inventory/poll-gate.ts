import { cancelled } from '../drivers/runtime/abort.js';
import type { PollKind } from './coordinator.js';

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Polls holding a slot and polls waiting for one, by kind. */
export interface GateLoad {
  inFlight: number;
  queued: number;
  byKind: Record<PollKind, { inFlight: number; queued: number }>;
}

/**
 * The fleet-wide cap on polls in flight, shared by every coordinator of a pool.
 *
 * A state poll is one short call; an inventory poll is a crawl of dozens of requests that holds its slot for tens of
 * seconds. In one first-come queue, a wave of crawls (a fleet registered at once, or every device's inventory falling
 * due together) left state polls waiting behind them: at 1,000 devices on 64 slots state ran at 79% of its cadence,
 * and 26 times late during the first wave. So state goes first, and crawls may hold at most `inventoryShare` of the
 * slots, which keeps the rest for state however many crawls are queued. Within a kind, the order is first come.
 */
export class PollGate {
  private readonly active: Record<PollKind, number> = { state: 0, inventory: 0 };
  private readonly waiters: Record<PollKind, Waiter[]> = { state: [], inventory: [] };
  /** The most slots crawls may hold at once. */
  readonly inventoryCap: number;

  constructor(
    readonly capacity: number,
    inventoryShare = 0.75,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    if (!(inventoryShare > 0 && inventoryShare <= 1)) throw new RangeError(`inventoryShare must be in (0, 1], got ${inventoryShare}`);
    this.inventoryCap = Math.max(1, Math.floor(capacity * inventoryShare));
  }

  get load(): GateLoad {
    const byKind = {
      state: { inFlight: this.active.state, queued: this.waiters.state.length },
      inventory: { inFlight: this.active.inventory, queued: this.waiters.inventory.length },
    };
    return { inFlight: this.active.state + this.active.inventory, queued: byKind.state.queued + byKind.inventory.queued, byKind };
  }

  /** Waits for a slot for a poll of `kind`; resolves with its release (idempotent). An abort leaves the queue at once. */
  async acquire(kind: PollKind, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw cancelled(signal);
    if (this.waiters[kind].length === 0 && this.fits(kind)) {
      this.active[kind]++;
      return this.releaser(kind);
    }
    await new Promise<void>((resolve, reject) => {
      const w: Waiter = { resolve, reject, signal };
      if (signal) {
        w.onAbort = () => {
          const q = this.waiters[kind];
          const i = q.indexOf(w);
          if (i >= 0) q.splice(i, 1);
          reject(cancelled(signal));
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiters[kind].push(w);
    });
    return this.releaser(kind);
  }

  private fits(kind: PollKind): boolean {
    if (this.active.state + this.active.inventory >= this.capacity) return false;
    return kind === 'state' || this.active.inventory < this.inventoryCap;
  }

  private releaser(kind: PollKind): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active[kind]--;
      this.admit();
    };
  }

  /** Hands free slots to waiters: state first, then crawls while under their cap. */
  private admit(): void {
    for (const kind of ['state', 'inventory'] as const) {
      const q = this.waiters[kind];
      while (q.length > 0 && this.fits(kind)) {
        const w = q.shift()!;
        if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
        this.active[kind]++;
        w.resolve();
      }
    }
  }
}
