import type { DiscoverySourceName, Sighting } from '../../model/discovery.js';

/** Where a source writes its diagnostics. pino's logger fits. */
export interface SourceLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** What the discovery service hands a source for one scan or watch. */
export interface SourceContext {
  /** Aborts when the scan is cancelled or the gateway stops. A source ends promptly and quietly when it fires. */
  signal: AbortSignal;
  /** Report one sighting. Cheap and synchronous; the service queues probing and correlation itself. */
  emit(sighting: Sighting): void;
  /** Sweeps report progress (`done` of `total` work items), so the CLI can draw a progress bar. */
  progress?(done: number, total: number): void;
  log: SourceLogger;
}

/**
 * A discovery source. `scan` is one pass (a sweep, one M-SEARCH window, one read of the LLDP table) and resolves when
 * the pass is over. `watch`, where a source has one, keeps listening (SSDP NOTIFY, mDNS announcements, LLDP changes)
 * until the signal aborts. Neither throws for a single bad packet or unreachable address: those are logged at debug
 * and skipped. They throw only when the source cannot run at all (lldpcli missing, a port already bound), with a
 * message that says what to fix.
 */
export interface DiscoverySource {
  readonly name: DiscoverySourceName;
  scan(ctx: SourceContext): Promise<void>;
  watch?(ctx: SourceContext): Promise<void>;
}
