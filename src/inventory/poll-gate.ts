import { cancelled } from '../drivers/runtime/abort.js';
import type { PollKind } from './coordinator.js';

interface Waiter {
  since: number;
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

/** How state polls fared at the gate since the last {@link PollGate.takeWindow}: what a cadence governor steers by. */
export interface GateWindow {
  /** State polls that got a slot. */
  stateAdmitted: number;
  /** Their mean wait for it (ms). */
  stateMeanWaitMs: number;
  /** How long the oldest state poll still queued has waited (0 if none). */
  stateOldestWaitMs: number;
  /** The most polls in flight at once. */
  peakInFlight: number;
}

/**
 * The fleet-wide cap on polls in flight, shared by every coordinator of a pool.
 *
 * A state poll is one short call; an inventory poll is a crawl of dozens of requests that holds its slot for tens of
 * seconds. In one first-come queue, a wave of crawls (a fleet registered at once, or every device's inventory falling
 * due together) left state polls waiting behind them: at 1,000 devices on 64 slots state ran at 79% of its cadence,
 * and 26 times late during the first wave. So state goes first, and crawls may hold at most `inventoryShare` of the
 * slots, which keeps the rest for state however many crawls are queued.
 *
 * State first must not mean crawls never: when state polls alone can fill every slot (more devices than the pace allows
 * for), a waiting crawl would wait for ever and a new device would never be inventoried. So while crawls wait, state
 * polls may hold only the slots crawls cannot (`capacity - inventoryCap`, at least one), and a crawl gets each slot
 * that frees above that. Within a kind, the order is first come.
 */
export class PollGate {
  private readonly active: Record<PollKind, number> = { state: 0, inventory: 0 };
  private readonly waiters: Record<PollKind, Waiter[]> = { state: [], inventory: [] };
  /** The most slots crawls may hold at once. */
  readonly inventoryCap: number;
  /** The most slots state polls may hold while crawls wait. */
  readonly stateCapWhileCrawlsWait: number;
  private win = { stateAdmitted: 0, stateWaitMs: 0, peakInFlight: 0 };

  constructor(
    readonly capacity: number,
    inventoryShare = 0.75,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    if (!(inventoryShare > 0 && inventoryShare <= 1)) throw new RangeError(`inventoryShare must be in (0, 1], got ${inventoryShare}`);
    this.inventoryCap = Math.max(1, Math.floor(capacity * inventoryShare));
    this.stateCapWhileCrawlsWait = Math.max(1, capacity - this.inventoryCap);
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
      this.take(kind, 0);
      return this.releaser(kind);
    }
    await new Promise<void>((resolve, reject) => {
      const w: Waiter = { since: this.now(), resolve, reject, signal };
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

  /** The state polls' figures since the last call, and a fresh window. */
  takeWindow(): GateWindow {
    const w = this.win;
    const oldest = this.waiters.state[0];
    this.win = { stateAdmitted: 0, stateWaitMs: 0, peakInFlight: this.active.state + this.active.inventory };
    return {
      stateAdmitted: w.stateAdmitted,
      stateMeanWaitMs: w.stateAdmitted > 0 ? w.stateWaitMs / w.stateAdmitted : 0,
      stateOldestWaitMs: oldest ? this.now() - oldest.since : 0,
      peakInFlight: w.peakInFlight,
    };
  }

  private take(kind: PollKind, waitedMs: number): void {
    this.active[kind]++;
    if (kind === 'state') {
      this.win.stateAdmitted++;
      this.win.stateWaitMs += waitedMs;
    }
    this.win.peakInFlight = Math.max(this.win.peakInFlight, this.active.state + this.active.inventory);
  }

  private fits(kind: PollKind): boolean {
    if (this.active.state + this.active.inventory >= this.capacity) return false;
    if (kind === 'inventory') return this.active.inventory < this.inventoryCap;
    return this.waiters.inventory.length === 0 || this.active.state < this.stateCapWhileCrawlsWait;
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
        this.take(kind, this.now() - w.since);
        w.resolve();
      }
    }
  }
}
