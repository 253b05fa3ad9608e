/**
 * Shoal driver SDK.
 *
 * A driver teaches Shoal one family of DPUs or BMCs. It is a {@link DriverManifest} (JSON, validated against
 * `schemas/driver-manifest.schema.json`) plus a {@link Driver}: `probe` says whether a candidate endpoint is one of
 * the family's, `connect` opens a {@link DeviceSession}. Drivers never open sockets of their own for Redfish or spawn
 * processes directly: the runtime hands them a {@link RedfishClient}, a {@link CommandRunner} and {@link DriverIo.run}
 * through the {@link ConnectContext}, and those enforce the per-endpoint queue, timeouts, retries, the circuit breaker,
 * pooled sessions and TLS trust. That is what keeps one bad device from hurting the others.
 *
 * This module imports only `src/model`. External driver packages import it as `shoal/drivers/api`.
 * @packageDocumentation
 */
import type {
  BootOverride,
  FirmwareComponent,
  Identity,
  InventorySnapshot,
  LogRecord,
  ResetType,
  SystemState,
} from '../model/inventory.js';

export type * from '../model/inventory.js';
/** Every Redfish `ResetType`, for drivers that list or check them. */
export { RESET_TYPES } from '../model/inventory.js';

/** The SDK version. A manifest's `apiVersion` is a range that must include it. */
export const DRIVER_API_VERSION = '1.0.0';

// ---------------------------------------------------------------------------------------------------------------------
// Manifest

/** What a session can do beyond the core. A capability that is not declared is never advertised northbound. */
export type OptionalCapability =
  | 'boot.override'
  | 'firmware.inventory'
  | 'firmware.push'
  | 'firmware.pull'
  | 'firmware.staged'
  | 'logs'
  | 'diagnostics'
  | 'events';

/** Every driver implements these: read inventory and state, reset, follow its own jobs. */
export type CoreCapability = 'inventory' | 'power' | 'reset';
export type Capability = CoreCapability | OptionalCapability;

export const CORE_CAPABILITIES: readonly CoreCapability[] = ['inventory', 'power', 'reset'];

/** The session method(s) each optional capability requires. The runtime and the lint test check this table. */
export const CAPABILITY_METHODS: Readonly<Record<OptionalCapability, readonly (keyof DeviceSession)[]>> = {
  'boot.override': ['setBootOverride'],
  'firmware.inventory': ['firmwareInventory'],
  'firmware.push': ['pushUpdate'],
  'firmware.pull': ['pullUpdate'],
  'firmware.staged': ['activate'],
  logs: ['logs'],
  diagnostics: ['collectDiagnostics'],
  events: ['subscribe'],
};

export const OPTIONAL_CAPABILITIES = Object.keys(CAPABILITY_METHODS) as OptionalCapability[];

/** The management protocol a driver speaks. */
export type Protocol = 'redfish' | 'ipmi' | 'snmp';

/**
 * How discovery recognises the family. Every string is a case-insensitive regular expression matched against the
 * whole value. A candidate matches a driver when any rule of any present section matches; `probe` then confirms.
 */
export interface MatchRules {
  /** SSDP `ST` and `USN` headers (DSP0266 uses `urn:dmtf-org:service:redfish-rest:1`). */
  ssdp?: { st?: string[]; usn?: string[] };
  /** DNS-SD service types, e.g. `_redfish._tcp`, `_obmc_redfish._tcp`. */
  dnsSd?: string[];
  /** LLDP system description or chassis id. */
  lldp?: { systemDescription?: string[]; chassisId?: string[] };
  /** Redfish ServiceRoot `Vendor` and `Product`, read without authentication. */
  redfish?: { vendor?: string[]; product?: string[] };
  /** SNMP sysDescr / sysObjectID. */
  snmp?: { sysDescr?: string[]; sysObjectId?: string[] };
}

/** The manifest: everything the gateway needs to know about a driver before running any of its code. */
export interface DriverManifest {
  /** Short stable id, lowercase (`bluefield`). Used in config and stored with each endpoint. */
  id: string;
  name: string;
  description?: string;
  /** Semver range of {@link DRIVER_API_VERSION} the driver was written for, e.g. `^1.0.0`. */
  apiVersion: string;
  protocol: Protocol;
  match: MatchRules;
  /** When several drivers match, the highest priority wins (a vendor driver above the generic one). Default 0. */
  priority?: number;
  /** Everything the driver can do. Sessions may narrow it per device, never widen it. */
  capabilities: Capability[];
  /** Polling intervals in seconds for the inventory coordinator. */
  polling: { stateSeconds: number; inventorySeconds: number; firmwareSeconds: number };
  /** Requests in flight to one endpoint at a time (default 4). BMCs fall over when crowded. */
  concurrency?: { maxInFlight: number };
  /** Per-request timeouts in milliseconds: ordinary and long (FirmwareInventory, uploads). */
  timeouts?: { requestMs?: number; longRequestMs?: number };
  /** Default credentials for the family, used only when policy allows it (issue: discovery policy). */
  defaultCredentials?: { username: string; password: string };
}

// ---------------------------------------------------------------------------------------------------------------------
// Endpoints, credentials, errors

export type Credentials =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'snmp-v2c'; community: string }
  | {
      kind: 'snmp-v3';
      user: string;
      authProtocol: 'md5' | 'sha' | 'sha256' | 'sha512';
      authKey: string;
      privProtocol?: 'des' | 'aes' | 'aes256b' | 'aes256r';
      privKey?: string;
    };

/** How the runtime decides to trust a device's TLS certificate. */
export type TlsTrust =
  /** Pin the certificate's SHA-256 on first use; a different certificate later is refused. The default. */
  | { mode: 'pin'; fingerprint256?: string }
  /** Verify the chain against these PEM CA certificates (and the name, unless `checkName` is false). */
  | { mode: 'ca'; ca: string; checkName?: boolean }
  /** Accept anything. Only for labs; logged at warn on every connect. */
  | { mode: 'insecure' };

/** A management endpoint the gateway manages through one driver. */
export interface Endpoint {
  /** The gateway's stable id for the endpoint. */
  id: string;
  protocol: Protocol;
  host: string;
  port?: number;
  /** Redfish: the service root's origin, e.g. `https://10.0.0.5`. */
  baseUrl?: string;
  credentials: Credentials;
  tls?: TlsTrust;
}

export type DriverErrorCode =
  /** The device cannot do this; northbound: 501 NotSupported / ActionNotSupported. */
  | 'NotSupported'
  /** The device did not answer, or its breaker is open; northbound: UnavailableOffline. */
  | 'Unavailable'
  | 'Timeout'
  | 'AuthenticationFailed'
  /** The device is busy (503, session exhaustion, a reset window); try again after `retryAfterMs`. */
  | 'Busy'
  /** The device refused the request (4xx); `deviceMessages` carries its Redfish messages. */
  | 'Rejected'
  /** The device answered with something unusable (bad JSON, wrong shape). */
  | 'BadResponse'
  | 'TlsTrustFailed'
  | 'Cancelled';

/** The one error type drivers and the runtime throw. Anything else crossing the boundary is wrapped into one. */
export class DriverError extends Error {
  override readonly name = 'DriverError';
  constructor(
    readonly code: DriverErrorCode,
    message: string,
    readonly details: {
      status?: number;
      retryAfterMs?: number;
      deviceMessages?: { MessageId?: string; Message?: string }[];
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// What the runtime gives a driver

/** A pino-compatible subset. */
export interface DriverLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the manifest's request timeout. */
  timeoutMs?: number;
  /** Use the manifest's long timeout (FirmwareInventory, uploads). */
  long?: boolean;
  /** PATCH/PUT/DELETE: the ETag to send in If-Match, quoted or not (the client normalises it). */
  ifMatch?: string;
  headers?: Record<string, string>;
}

export interface RedfishResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
  /** The ETag, from the header or `@odata.etag`, always in quoted form. */
  etag?: string;
  /** The `Location` header, resolved against the service root. */
  location?: string;
}

/** A file to push to a device. `open` is called once per attempt and must stream, not buffer. */
export interface ImageSource {
  filename: string;
  size: number;
  sha256?: string;
  contentType?: string;
  open(): NodeJS.ReadableStream;
}

export interface MultipartPart {
  name: string;
  /** A JSON object (sent as application/json) or an image (streamed). */
  value: object | ImageSource;
}

/** Progress of a device-side job, as reported to {@link DeviceSession.track}'s callback. */
export interface JobProgress {
  percent?: number;
  state?: string;
  message?: string;
}

/** The end of a device-side job. */
export interface JobOutcome {
  ok: boolean;
  /** The device's final task state (`Completed`, `Exception`...), when there was a device task. */
  state?: string;
  messages: { MessageId?: string; Message?: string; Severity?: string }[];
  /** Where the result lives, if any (a diagnostic dump's download URI). */
  resultUri?: string;
}

/**
 * The Redfish transport for one endpoint. Paths are absolute (`/redfish/v1/...`) or full URLs on the same origin.
 * Reads retry with backoff; writes never retry. A 401 re-creates the pooled session once and repeats the request.
 * Non-2xx answers throw {@link DriverError} (`Rejected`, `Busy`, `AuthenticationFailed`, `Unavailable`...).
 */
export interface RedfishClient {
  readonly baseUrl: string;
  get<T = Record<string, unknown>>(path: string, opts?: RequestOptions): Promise<RedfishResponse<T>>;
  /** `GET /redfish/v1` without credentials, as discovery does. */
  serviceRoot(opts?: RequestOptions): Promise<Record<string, unknown>>;
  post<T = unknown>(path: string, body: unknown, opts?: RequestOptions): Promise<RedfishResponse<T>>;
  patch<T = unknown>(path: string, body: unknown, opts?: RequestOptions): Promise<RedfishResponse<T>>;
  delete(path: string, opts?: RequestOptions): Promise<RedfishResponse>;
  /** Streams a `multipart/form-data` body (DSP0266 `MultipartHttpPushUri`). */
  postMultipart<T = unknown>(path: string, parts: MultipartPart[], opts?: RequestOptions): Promise<RedfishResponse<T>>;
  /**
   * Follows a Task or TaskMonitor URI until the job ends: 202 while running, 200/201/204 or a 303 to the result at the
   * end, the Task resource's `TaskState` either way. A device that reboots mid-task (connection refused, 404 while its
   * services come back) is waited for until `timeoutMs`.
   */
  waitTask(uri: string, opts: { signal?: AbortSignal; timeoutMs: number; pollMs?: number; onProgress?: (p: JobProgress) => void }): Promise<JobOutcome>;
}

/** Runs an external program with an argument array (never a shell), inside the endpoint's queue and timeout. */
export interface CommandRunner {
  run(
    file: string,
    args: readonly string[],
    opts?: { env?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal; idempotent?: boolean },
  ): Promise<{ stdout: string; stderr: string }>;
}

/** Generic I/O under the endpoint's queue, timeout, retry and breaker, for drivers with their own protocol library. */
export interface DriverIo {
  run<T>(fn: (signal: AbortSignal) => Promise<T>, opts?: { idempotent?: boolean; timeoutMs?: number; signal?: AbortSignal }): Promise<T>;
  /** Waits, abortably. Wait windows (a BMC's minimum reset interval) use this, not timers of their own. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface ConnectContext {
  /** Aborted when the connect takes too long or the gateway shuts down. */
  signal: AbortSignal;
  log: DriverLogger;
  io: DriverIo;
  /** Present for `redfish` endpoints. */
  redfish?: RedfishClient;
  exec: CommandRunner;
}

/** Per-call context. Every session method gets one; honour `signal`. */
export interface CallContext {
  signal: AbortSignal;
}

// ---------------------------------------------------------------------------------------------------------------------
// Probe

/** What discovery knows about a candidate endpoint when it asks drivers. */
export interface ProbeCandidate {
  host: string;
  port?: number;
  protocol: Protocol;
  /** The unauthenticated Redfish service root, when the candidate has one. */
  serviceRoot?: Record<string, unknown>;
  ssdp?: { st?: string; usn?: string; al?: string };
  dnsSdType?: string;
  lldp?: { systemDescription?: string; chassisId?: string };
  snmp?: { sysDescr?: string; sysObjectId?: string };
}

export interface ProbeResult {
  matched: boolean;
  /** 0..1; discovery picks the highest, then manifest priority. */
  confidence?: number;
  identity?: Identity;
  reason?: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// Sessions

/** Which resource an action targets, by its id in the snapshot. */
export interface ResourceRef {
  kind: 'System' | 'Chassis' | 'Manager';
  id: string;
}

/**
 * A device-side job the gateway can follow, even after its own restart: plain JSON the gateway persists with its task.
 * `kind: 'done'` means the action finished synchronously.
 */
export type JobHandle = { kind: 'done'; outcome?: JobOutcome } | { kind: 'redfish-task'; uri: string } | { kind: string; [k: string]: unknown };

export interface UpdateOptions {
  /** Firmware ids to update; empty or absent lets the device decide from the image. */
  targets?: string[];
  /** `OnReset` stages the image; `firmware.staged` activates it later. */
  applyTime: 'Immediate' | 'OnReset';
}

export interface DiagnosticsRequest {
  target: ResourceRef;
  /** Redfish `DiagnosticDataType`: `Manager`, `OS`, `OEM`... */
  type: string;
  oemType?: string;
}

/** A device event, as a Redfish Event record would carry it. */
export interface DeviceEvent {
  messageId?: string;
  message?: string;
  severity?: string;
  originUri?: string;
  at?: string;
}

/**
 * An open connection to one endpoint. Core methods are required; each optional method exists exactly when its
 * capability is in `capabilities` (see {@link CAPABILITY_METHODS}). The runtime refuses a session that claims a
 * capability without its method, and answers `NotSupported` for one it does not claim.
 */
export interface DeviceSession {
  /** What this device can do: the manifest's list, narrowed to what the device showed at connect. */
  readonly capabilities: ReadonlySet<Capability>;
  /** A full read. Firmware may be left empty when it is slow to read; `firmwareInventory` then provides it. */
  inventory(ctx: CallContext): Promise<InventorySnapshot>;
  /** The fast poll: power, boot progress and health of each system. */
  state(ctx: CallContext): Promise<SystemState[]>;
  reset(ctx: CallContext, target: ResourceRef, type: ResetType): Promise<JobHandle>;
  /** Follows a job this session (or an earlier one, before a restart) started. */
  track(ctx: CallContext, job: JobHandle, onProgress?: (p: JobProgress) => void): Promise<JobOutcome>;
  /** Logs out and frees what the session holds. Called once. */
  close(): Promise<void>;

  setBootOverride?(ctx: CallContext, systemId: string, override: BootOverride): Promise<void>;
  firmwareInventory?(ctx: CallContext): Promise<FirmwareComponent[]>;
  pushUpdate?(ctx: CallContext, image: ImageSource, opts: UpdateOptions): Promise<JobHandle>;
  pullUpdate?(ctx: CallContext, imageUri: string, opts: UpdateOptions & { transferProtocol?: string }): Promise<JobHandle>;
  /** Activates staged images (BlueField: by resetting the right part). */
  activate?(ctx: CallContext, targets?: string[]): Promise<JobHandle>;
  logs?(ctx: CallContext, opts?: { since?: string; limit?: number }): Promise<LogRecord[]>;
  collectDiagnostics?(ctx: CallContext, req: DiagnosticsRequest): Promise<JobHandle>;
  /** Streams device events until the returned handle is closed or the device drops the stream. */
  subscribe?(ctx: CallContext, onEvent: (e: DeviceEvent) => void): Promise<{ close(): Promise<void>; closed: Promise<void> }>;
}

/** A driver: the manifest plus `probe` and `connect`. */
export interface Driver {
  readonly manifest: DriverManifest;
  /** Informational: the named extensions a composed driver applies, in order (shown by `shoal drivers`). */
  readonly extensions?: readonly { name: string; description: string }[];
  /** Confirms a candidate that matched the manifest's rules. Must not need credentials; must not throw on junk. */
  probe(candidate: ProbeCandidate): Promise<ProbeResult> | ProbeResult;
  connect(endpoint: Endpoint, ctx: ConnectContext): Promise<DeviceSession>;
}

/**
 * Vendor quirks are composed onto the generic Redfish driver, not inherited: an extension receives the session built
 * so far and returns the methods it replaces. It may call `base` for the generic behaviour.
 */
export interface RedfishExtension {
  readonly name: string;
  /** One line on what it changes and why, shown by `shoal drivers`. */
  readonly description: string;
  extend(base: DeviceSession, ctx: ConnectContext & { redfish: RedfishClient }): Partial<DeviceSession> | Promise<Partial<DeviceSession>>;
}

/** What an external driver package exports as `default` (or as `driver`). */
export type DriverModule = { default?: Driver; driver?: Driver };

/** Identity helper for driver authors: gives type checking without a class. */
export function defineDriver(d: Driver): Driver {
  return d;
}
