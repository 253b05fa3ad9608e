import { DriverError } from '../api.js';
import { CircuitBreaker, type BreakerState } from './breaker.js';
import { cancelled, deadline, raceAbort, sleep } from './abort.js';
import { Limiter } from './limiter.js';

export interface GuardOptions {
  maxInFlight: number;
  /** Default per-attempt timeout. */
  timeoutMs: number;
  /** Extra attempts for idempotent calls that failed for a transient reason. */
  retries: number;
  backoffMs: number;
  breakerThreshold: number;
  breakerOpenMs: number;
  breakerMaxOpenMs: number;
  now?: () => number;
  /** Jitter source, replaceable in tests. */
  random?: () => number;
}

export const DEFAULT_GUARD: Omit<GuardOptions, 'now' | 'random'> = {
  maxInFlight: 4,
  timeoutMs: 15_000,
  retries: 2,
  backoffMs: 250,
  breakerThreshold: 3,
  breakerOpenMs: 5_000,
  breakerMaxOpenMs: 120_000,
};

export interface RunOptions {
  idempotent?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Failures that say nothing about whether the device is alive do not move the breaker. */
const DEVICE_DOWN: ReadonlySet<string> = new Set(['Timeout', 'Unavailable']);
const TRANSIENT: ReadonlySet<string> = new Set(['Timeout', 'Unavailable', 'Busy']);

/**
 * Everything the runtime wraps around one endpoint's I/O: the in-flight cap, the per-attempt timeout, retries with
 * jittered backoff for idempotent calls, and the circuit breaker. Each endpoint has its own guard, so a hung device
 * costs its own callers their timeout and nobody else anything.
 */
export class EndpointGuard {
  readonly limiter: Limiter;
  readonly breaker: CircuitBreaker;
  private readonly random: () => number;

  constructor(
    readonly endpointId: string,
    readonly opts: GuardOptions,
  ) {
    this.limiter = new Limiter(opts.maxInFlight);
    this.breaker = new CircuitBreaker({
      threshold: opts.breakerThreshold,
      openMs: opts.breakerOpenMs,
      maxOpenMs: opts.breakerMaxOpenMs,
      now: opts.now,
    });
    this.random = opts.random ?? Math.random;
  }

  get availability(): BreakerState {
    return this.breaker.state;
  }

  async run<T>(fn: (signal: AbortSignal) => Promise<T>, o: RunOptions = {}): Promise<T> {
    const attempts = o.idempotent ? this.opts.retries + 1 : 1;
    let last: DriverError | undefined;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) {
        try {
          await sleep(this.backoff(i, last), o.signal);
        } catch (e) {
          // The caller's deadline ran out while we waited as the device asked (Retry-After 30 on a full session
          // table): what the caller should hear is the device's answer, Busy, not that the device timed out.
          if (isDeadline(o.signal) && last) throw last;
          throw e;
        }
      }
      try {
        return await this.attempt(fn, o);
      } catch (e) {
        last = toDriverError(e);
        if (!TRANSIENT.has(last.code) || o.signal?.aborted) throw last;
        // An open breaker means retrying is pointless until it half-opens.
        if (this.breaker.state === 'open') throw last;
      }
    }
    throw last!;
  }

  private backoff(attempt: number, last: DriverError | undefined): number {
    const base = this.opts.backoffMs * 2 ** (attempt - 1);
    const jittered = base / 2 + this.random() * base;
    const asked = last?.details.retryAfterMs ?? 0;
    return Math.min(Math.max(jittered, asked), 30_000);
  }

  private async attempt<T>(fn: (signal: AbortSignal) => Promise<T>, o: RunOptions): Promise<T> {
    if (this.breaker.state === 'open') {
      // Yield before failing fast: a caller that retries at once on this error must not starve the event loop.
      await new Promise((r) => setImmediate(r));
      throw this.unavailable();
    }
    const release = await this.limiter.acquire(o.signal);
    let pass: { ok: true; trial: boolean } | { ok: false };
    try {
      // Queued callers re-check: the breaker may have opened while they waited.
      pass = this.breaker.tryPass();
      if (!pass.ok) throw this.unavailable();
    } catch (e) {
      release();
      throw e;
    }
    const timeoutMs = o.timeoutMs ?? this.opts.timeoutMs;
    const { signal, clear } = deadline(timeoutMs, o.signal, () => new DriverError('Timeout', `no answer within ${timeoutMs} ms`));
    try {
      const result = await raceAbort(fn(signal), signal);
      this.breaker.success(pass.trial);
      return result;
    } catch (e) {
      const err = signal.aborted ? cancelled(signal) : toDriverError(e);
      if (DEVICE_DOWN.has(err.code)) this.breaker.failure(pass.trial);
      else if (err.code === 'Cancelled') this.breaker.abandon(pass.trial);
      else this.breaker.success(pass.trial); // it answered, even if with an error: it is alive
      throw err;
    } finally {
      clear();
      release();
    }
  }

  private unavailable(): DriverError {
    return new DriverError('Unavailable', `endpoint ${this.endpointId} is not answering (circuit open)`, {
      retryAfterMs: this.breaker.retryInMs(),
    });
  }
}

/** Whether a signal ended because a deadline (not a person) stopped the call. */
function isDeadline(signal: AbortSignal | undefined): boolean {
  const r: unknown = signal?.reason;
  return r instanceof DriverError && r.code === 'Timeout';
}

/** Certificate verification failures from Node's TLS (CA mode): a trust problem, not a broken device. */
const TLS_CODES = new Set(['CERT_SIGNATURE_FAILURE', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED']);

const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'EAI_AGAIN', 'ENOTFOUND']);

/** Maps whatever a driver or library threw onto a DriverError, so nothing unclassified crosses the boundary. */
export function toDriverError(e: unknown): DriverError {
  if (e instanceof DriverError) return e;
  const err = e as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code;
  if (code && TLS_CODES.has(code)) return new DriverError('TlsTrustFailed', `certificate not trusted: ${code}`, { cause: e });
  if (code && NET_CODES.has(code)) return new DriverError('Unavailable', `${code}: ${err.message ?? ''}`.trim(), { cause: e });
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new DriverError('Timeout', err.message ?? code, { cause: e });
  }
  if (err?.name === 'AbortError') return new DriverError('Cancelled', err.message ?? 'aborted', { cause: e });
  return new DriverError('BadResponse', err?.message ?? String(e), { cause: e });
}
