import { DeviceCoordinator, type CoordinatorOptions, type PolledDevice, type Polling } from './coordinator.js';
import { CadenceGovernor, type CadenceOptions, type CadenceReading } from './cadence.js';
import { PollGate, type GateLoad } from './poll-gate.js';
import { systemTimers } from './schedule.js';

/** Options of a {@link InventoryCoordinators} pool. */
export interface PoolOptions extends Omit<CoordinatorOptions, 'gate'> {
  /** Polls in flight across the whole fleet (default 64). Each device still polls one thing at a time. */
  maxConcurrentPolls?: number;
  /** The share of those slots inventory crawls may hold at once (default 0.75); state polls go first. */
  inventoryShare?: number;
  /** First polls are spread uniformly over this window (default 30 s) so a fleet added at once does not stampede. */
  startSpreadMs?: number;
  /** How polling slows when the gateway cannot keep the drivers' pace; `false` keeps it fixed whatever the load. */
  cadence?: CadenceOptions | false;
}

/**
 * One {@link DeviceCoordinator} per managed device, sharing a fleet-wide cap on polls in flight (a {@link PollGate}).
 * A device waiting for a slot holds none of its own budget; a stopped one leaves the queue at once.
 */
export class InventoryCoordinators {
  private readonly coordinators = new Map<string, DeviceCoordinator>();
  private readonly gate: PollGate;
  private readonly governor: CadenceGovernor | undefined;
  private readonly random: () => number;

  constructor(private readonly opts: PoolOptions) {
    const timers = opts.timers ?? systemTimers;
    this.gate = new PollGate(opts.maxConcurrentPolls ?? 64, opts.inventoryShare, () => timers.now());
    if (opts.cadence !== false) {
      this.governor = new CadenceGovernor(() => this.gate.takeWindow(), this.gate.capacity, { ...opts.cadence, timers, ...(opts.log ? { log: opts.log } : {}) });
    }
    this.random = opts.random ?? Math.random;
  }

  /**
   * Starts polling a device. Its first inventory read comes after `initialDelayMs`, by default a random point in the
   * start window. Adding an id again replaces (and stops) the old coordinator.
   */
  add(id: string, device: PolledDevice, polling: Polling, opts: { initialDelayMs?: number } = {}): DeviceCoordinator {
    const old = this.coordinators.get(id);
    if (old) void old.stop();
    const governor = this.governor;
    const c = new DeviceCoordinator(id, device, polling, {
      ...this.opts,
      random: this.random,
      gate: (kind, signal) => this.gate.acquire(kind, signal),
      ...(governor ? { stretch: () => governor.stretch } : {}),
    });
    this.coordinators.set(id, c);
    governor?.start();
    c.start(opts.initialDelayMs ?? this.random() * (this.opts.startSpreadMs ?? 30_000));
    return c;
  }

  /** Stops and forgets a device's coordinator; resolves once its in-flight poll has unwound. */
  async remove(id: string): Promise<void> {
    const c = this.coordinators.get(id);
    this.coordinators.delete(id);
    await c?.stop();
  }

  get(id: string): DeviceCoordinator | undefined {
    return this.coordinators.get(id);
  }

  ids(): string[] {
    return [...this.coordinators.keys()];
  }

  get size(): number {
    return this.coordinators.size;
  }

  /** Polls holding a fleet slot, and polls waiting for one, in all and by kind. */
  get load(): GateLoad {
    return this.gate.load;
  }

  /** The factor every poll interval is stretched by (1: the drivers' own pace), and why. */
  get cadence(): CadenceReading {
    return this.governor?.reading ?? { stretch: 1, reason: 'on-cadence' };
  }

  /** Stops every coordinator; resolves once all in-flight polls have unwound. */
  async stopAll(): Promise<void> {
    this.governor?.stop();
    const all = [...this.coordinators.values()];
    this.coordinators.clear();
    await Promise.all(all.map((c) => c.stop()));
  }
}
