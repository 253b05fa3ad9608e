/**
 * A circuit breaker per endpoint. After `threshold` consecutive failures it opens: calls fail at once instead of
 * waiting on a dead device. After `openMs` one trial call is let through (half-open); success closes the breaker,
 * failure opens it again for twice as long, up to `maxOpenMs`.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  threshold: number;
  openMs: number;
  maxOpenMs: number;
  now?: () => number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private currentOpenMs: number;
  private trialInFlight = false;
  private mode: 'closed' | 'open' = 'closed';
  private readonly now: () => number;
  /** Called on every transition, for logs and for the device's availability. */
  onChange?: (state: BreakerState) => void;

  constructor(private readonly opts: BreakerOptions) {
    this.currentOpenMs = opts.openMs;
    this.now = opts.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.mode === 'closed') return 'closed';
    return this.now() - this.openedAt >= this.currentOpenMs ? 'half-open' : 'open';
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Milliseconds until a trial call is allowed; 0 when calls may go. */
  retryInMs(): number {
    if (this.mode === 'closed') return 0;
    return Math.max(0, this.openedAt + this.currentOpenMs - this.now());
  }

  /** Whether a call may go now. In half-open state only one trial call goes at a time. */
  tryPass(): { ok: true; trial: boolean } | { ok: false } {
    const s = this.state;
    if (s === 'closed') return { ok: true, trial: false };
    if (s === 'open' || this.trialInFlight) return { ok: false };
    this.trialInFlight = true;
    return { ok: true, trial: true };
  }

  success(trial: boolean): void {
    if (trial) this.trialInFlight = false;
    this.failures = 0;
    if (this.mode !== 'closed') {
      this.mode = 'closed';
      this.currentOpenMs = this.opts.openMs;
      this.onChange?.('closed');
    }
  }

  failure(trial: boolean): void {
    if (trial) {
      this.trialInFlight = false;
      this.currentOpenMs = Math.min(this.currentOpenMs * 2, this.opts.maxOpenMs);
      this.openedAt = this.now();
      this.onChange?.('open');
      return;
    }
    this.failures++;
    if (this.mode === 'closed' && this.failures >= this.opts.threshold) {
      this.mode = 'open';
      this.openedAt = this.now();
      this.onChange?.('open');
    }
  }

  /** Releases a trial slot without judging the device (the caller gave up). */
  abandon(trial: boolean): void {
    if (trial) this.trialInFlight = false;
  }
}
