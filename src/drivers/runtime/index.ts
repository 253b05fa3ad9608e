import {
  CAPABILITY_METHODS,
  DriverError,
  OPTIONAL_CAPABILITIES,
  type Capability,
  type CallContext,
  type ConnectContext,
  type DeviceSession,
  type Driver,
  type DriverLogger,
  type Endpoint,
} from '../api.js';
import { commandRunner } from './exec.js';
import { deadline, raceAbort, sleep } from './abort.js';
import { DEFAULT_GUARD, EndpointGuard, toDriverError, type GuardOptions } from './guard.js';
import { RedfishHttpClient } from './redfish-client.js';
import { MemoryTrustStore, trustingConnector, type TrustStore } from './tls-trust.js';

export { CredentialCipher } from './credentials.js';
export { MemoryTrustStore, type TrustStore } from './tls-trust.js';
export { DEFAULT_GUARD, type GuardOptions } from './guard.js';

export interface RuntimeOptions {
  log: DriverLogger & { child?(bindings: object): DriverLogger };
  trust?: TrustStore;
  /** Defaults for every endpoint; a manifest's concurrency and timeouts override them. */
  guard?: Partial<GuardOptions>;
  /** Ceiling on one whole session call (an inventory read is many requests). */
  callTimeoutMs?: number;
}

/** Following a device job (a firmware flash) legitimately takes far longer than any other call. */
const TRACK_CALL_MS = 3 * 60 * 60 * 1000;

/** Redfish availability as the inventory layer shows it. */
export type Availability = 'Enabled' | 'UnavailableOffline';

/** The session methods a caller may invoke through {@link ManagedDevice.call}. */
type SessionMethod = Exclude<keyof DeviceSession, 'capabilities' | 'close'>;
type Args<K extends SessionMethod> = NonNullable<DeviceSession[K]> extends (ctx: CallContext, ...a: infer A) => unknown ? A : never;
type Result<K extends SessionMethod> = NonNullable<DeviceSession[K]> extends (...a: never[]) => Promise<infer R> ? R : never;

/** Which capability each session method belongs to (core methods map to a core capability). */
const METHOD_CAPABILITY: Record<SessionMethod, Capability> = {
  inventory: 'inventory',
  state: 'power',
  reset: 'reset',
  track: 'reset',
  ...(Object.fromEntries(OPTIONAL_CAPABILITIES.flatMap((c) => CAPABILITY_METHODS[c].map((m) => [m, c]))) as Record<string, Capability>),
} as Record<SessionMethod, Capability>;

/** Checks a session against its driver's manifest: no capability beyond the manifest, and a method for each claimed. */
export function sessionContractErrors(driver: Driver, session: DeviceSession): string[] {
  const errors: string[] = [];
  const declared = new Set(driver.manifest.capabilities);
  for (const cap of session.capabilities) {
    if (!declared.has(cap)) errors.push(`session claims ${cap}, which the manifest does not declare`);
  }
  for (const cap of OPTIONAL_CAPABILITIES) {
    for (const m of CAPABILITY_METHODS[cap]) {
      const has = typeof session[m] === 'function';
      if (session.capabilities.has(cap) && !has) errors.push(`session claims ${cap} but has no ${m}()`);
    }
  }
  for (const m of ['inventory', 'state', 'reset', 'track', 'close'] as const) {
    if (typeof session[m] !== 'function') errors.push(`session has no ${m}()`);
  }
  return errors;
}

/**
 * One managed endpoint: its guard, its lazily opened session, and the wrapper every session call goes through. A
 * failed connect is remembered as unavailability and retried on the next call, so a device that was down at start
 * comes back without anyone re-registering it.
 */
export class ManagedDevice {
  private session: DeviceSession | undefined;
  private opening: Promise<DeviceSession> | undefined;
  private redfish: RedfishHttpClient | undefined;
  private lastError: DriverError | undefined;
  private closed = false;

  constructor(
    readonly endpoint: Endpoint,
    readonly driver: Driver,
    readonly guard: EndpointGuard,
    private readonly log: DriverLogger,
    private readonly trust: TrustStore,
    private readonly callTimeoutMs: number,
  ) {}

  /** `UnavailableOffline` while the breaker is open or the last connect failed for a transport reason. */
  get availability(): Availability {
    // Half-open means "not yet proven back": a dead device stays offline until a trial call succeeds.
    if (this.guard.breaker.state !== 'closed') return 'UnavailableOffline';
    if (!this.session && this.lastError && (this.lastError.code === 'Unavailable' || this.lastError.code === 'Timeout')) return 'UnavailableOffline';
    return 'Enabled';
  }

  /** The last error a call ended with, cleared by the next success. */
  get error(): DriverError | undefined {
    return this.lastError;
  }

  /** What the device can do: the session's set once connected, the manifest's before. */
  get capabilities(): ReadonlySet<Capability> {
    return this.session?.capabilities ?? new Set(this.driver.manifest.capabilities);
  }

  supports(cap: Capability): boolean {
    return this.capabilities.has(cap);
  }

  /** Opens the session if needed. Concurrent callers share one attempt. */
  async connect(signal?: AbortSignal): Promise<DeviceSession> {
    if (this.closed) throw new DriverError('Cancelled', 'the device was closed');
    if (this.session) return this.session;
    // One shared attempt, bounded by the runtime's call timeout; each caller waits for it only as long as it may.
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return signal ? raceAbort(this.opening, signal) : this.opening;
  }

  private async open(): Promise<DeviceSession> {
    const ep = this.endpoint;
    let ctx: Omit<ConnectContext, 'signal'> = {
      log: this.log,
      exec: commandRunner(this.guard),
      io: {
        run: (fn, o = {}) => this.guard.run(fn, o),
        sleep: (ms, s) => sleep(ms, s),
      },
    };
    if (ep.protocol === 'redfish') {
      const baseUrl = ep.baseUrl ?? `https://${ep.host.includes(':') ? `[${ep.host}]` : ep.host}${ep.port ? `:${ep.port}` : ''}`;
      this.redfish ??= new RedfishHttpClient({
        baseUrl,
        credentials: ep.credentials,
        guard: this.guard,
        connect: trustingConnector(ep.id, ep.tls ?? { mode: 'pin' }, this.trust, this.log, this.guard.opts.timeoutMs),
        log: this.log,
        longTimeoutMs: this.driver.manifest.timeouts?.longRequestMs ?? this.guard.opts.timeoutMs * 8,
      });
      ctx = { ...ctx, redfish: this.redfish };
    }
    try {
      const session = await withTimeout((s) => this.driver.connect(ep, { ...ctx, signal: s }), this.callTimeoutMs);
      const problems = sessionContractErrors(this.driver, session);
      if (problems.length) {
        await session.close().catch(() => {});
        throw new DriverError('BadResponse', `driver ${this.driver.manifest.id} broke the SDK contract: ${problems.join('; ')}`);
      }
      this.session = session;
      this.lastError = undefined;
      return session;
    } catch (e) {
      this.lastError = toDriverError(e);
      throw this.lastError;
    }
  }

  /**
   * Calls a session method with a per-call deadline. A capability the session does not have is `NotSupported`
   * without touching the device. Every failure comes out as a {@link DriverError}.
   */
  async call<K extends SessionMethod>(method: K, args: Args<K>, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Result<K>> {
    const cap = METHOD_CAPABILITY[method];
    // The caller's deadline covers a lazy connect too; an open session returns at once.
    const connecting = opts.timeoutMs === undefined ? undefined : deadline(opts.timeoutMs, opts.signal, () => new DriverError('Timeout', `call did not finish within ${opts.timeoutMs} ms (connecting)`));
    let session: DeviceSession;
    try {
      session = await this.connect(connecting?.signal ?? opts.signal);
    } finally {
      connecting?.clear();
    }
    const fn = session[method] as ((ctx: CallContext, ...a: unknown[]) => Promise<unknown>) | undefined;
    if (!session.capabilities.has(cap) || typeof fn !== 'function') {
      throw new DriverError('NotSupported', `${this.driver.manifest.id}: ${method} is not supported by this device`);
    }
    try {
      const timeoutMs = opts.timeoutMs ?? (method === 'track' ? TRACK_CALL_MS : this.callTimeoutMs);
      const out = await withTimeout((signal) => fn.call(session, { signal }, ...(args as unknown[])), timeoutMs, opts.signal);
      this.lastError = undefined;
      return out as Result<K>;
    } catch (e) {
      this.lastError = toDriverError(e);
      throw this.lastError;
    }
  }

  /**
   * The caller (the device's poll coordinator) will not call for about `ms`: connections that would only time out unused
   * meanwhile are closed now. At 10,000 devices polled less often than the keep-alive, those idle sockets were most of
   * the gateway's native memory (about 60 KiB each).
   */
  idleFor(ms: number): void {
    this.redfish?.idleFor(ms);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const s = this.session ?? (await this.opening?.catch(() => undefined));
    this.session = undefined;
    await s?.close().catch((e: unknown) => this.log.debug({ err: (e as Error).message }, 'session close failed'));
    await this.redfish?.close();
  }
}

/** After a call's deadline, how long the work may take to end with its own, better classified error. */
const ABORT_GRACE_MS = 50;

async function withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, ms: number, outer?: AbortSignal): Promise<T> {
  const { signal, clear } = deadline(ms, outer, () => new DriverError('Timeout', `call did not finish within ${ms} ms`));
  try {
    // The grace lets the guard answer "Busy" when the deadline cuts a Retry-After wait short; a driver that ignores
    // the signal is cut off all the same.
    return await raceAbort(fn(signal), signal, ABORT_GRACE_MS);
  } finally {
    clear();
  }
}

/**
 * The driver runtime: one {@link ManagedDevice} per endpoint, each with its own guard. `close()` logs every pooled
 * session out, because BMCs hold a handful of sessions and a gateway restart must not leak them.
 */
export class DriverRuntime {
  private readonly devices = new Map<string, ManagedDevice>();
  private readonly trust: TrustStore;

  constructor(private readonly opts: RuntimeOptions) {
    this.trust = opts.trust ?? new MemoryTrustStore();
  }

  /** Registers an endpoint (no I/O yet). Re-adding an id replaces and closes the old device. */
  add(endpoint: Endpoint, driver: Driver): ManagedDevice {
    const old = this.devices.get(endpoint.id);
    if (old) void old.close();
    const m = driver.manifest;
    // The manifest knows its family's pace; what the operator (or a test) sets explicitly wins over both.
    const guard = new EndpointGuard(endpoint.id, {
      ...DEFAULT_GUARD,
      ...(m.concurrency ? { maxInFlight: m.concurrency.maxInFlight } : {}),
      ...(m.timeouts?.requestMs ? { timeoutMs: m.timeouts.requestMs } : {}),
      ...this.opts.guard,
    });
    const log = this.opts.log.child?.({ endpoint: endpoint.id, driver: m.id }) ?? this.opts.log;
    guard.breaker.onChange = (s) => log.warn({ breaker: s }, s === 'open' ? 'device stopped answering; circuit open' : `circuit ${s}`);
    const dev = new ManagedDevice(endpoint, driver, guard, log, this.trust, this.opts.callTimeoutMs ?? 300_000);
    this.devices.set(endpoint.id, dev);
    return dev;
  }

  get(id: string): ManagedDevice | undefined {
    return this.devices.get(id);
  }

  list(): ManagedDevice[] {
    return [...this.devices.values()];
  }

  async remove(id: string): Promise<void> {
    const d = this.devices.get(id);
    this.devices.delete(id);
    await d?.close();
  }

  async close(): Promise<void> {
    const all = [...this.devices.values()];
    this.devices.clear();
    await Promise.allSettled(all.map((d) => d.close()));
  }
}
