import type { FastifyRequest } from 'fastify';
import type { AccountsService } from '../auth/accounts-service.js';
import type { LoginLimiter } from '../auth/login-limiter.js';
import type { SessionsService } from '../auth/sessions-service.js';
import type { ShoalConfig } from '../config/config.js';
import type { Principal } from '../model/account.js';
import type { Page, Predicate, StoredDoc } from '../inventory/resource-store.js';
import type { DiscoveredDevice, DiscoverySourceName, SightingProtocol } from '../model/discovery.js';
import type { TaskRecord } from '../model/task.js';
import type { AuditEntry } from '../store/audit-repo.js';
import type { TaskRunner } from '../tasks/runner.js';
import type { Json } from './odata.js';

/** The services the Redfish layer calls. `app.ts` wires them; the Redfish layer never writes SQL itself. */
export interface RedfishServices {
  config: ShoalConfig;
  accounts: AccountsService;
  sessions: SessionsService;
  tasks: TaskRunner;
  limiter: LoginLimiter;
  audit: { append(e: AuditEntry): void };
  settings: { get<T>(key: string): T | undefined; set(key: string, value: unknown): void };
  info: { uuid: string; managerId: string; startedAt: number; version: string; storeSchemaVersion(): number };
  aggregation: AggregationPort;
  inventory: InventoryReadPort;
}

/**
 * The aggregated tree as the Redfish layer reads it: the inventory service's resource store, read-only. Every read of
 * a device's resources comes from here and never reaches the device.
 */
export interface InventoryReadPort {
  get(uri: string): StoredDoc | undefined;
  members(collection: string, page?: Page): { uris: string[]; total: number };
  /** Member bodies as stored JSON text, in URI order, for `$expand` without parsing and serialising each again. */
  memberTexts(collection: string, page?: Page): { texts: string[]; etags: string[]; total: number };
  query(collection: string, where: Predicate, page?: Page): { uris: string[]; total: number };
}

/** Device credentials as a client gives them in an AggregationSource. */
export interface SourceCredentials {
  username?: string;
  password?: string;
  community?: string;
}

/** A ConnectionMethod: one per installed driver. */
export interface ConnectionMethodInfo {
  id: string;
  name: string;
  protocol: SightingProtocol;
}

/** What the AggregationService resources need from discovery (wired in app.ts). */
export interface AggregationPort {
  /** Devices served as AggregationSources (not removed, not tombstoned). */
  list(): DiscoveredDevice[];
  get(id: string): DiscoveredDevice | undefined;
  userName(id: string): string | undefined;
  connectionMethods(): ConnectionMethodInfo[];
  add(input: { protocol: SightingProtocol; host: string; port?: number; serviceRootUrl?: string; driver?: string; credentials?: SourceCredentials }): Promise<{ ok: true; device: DiscoveredDevice } | { ok: false; conflict?: string; reason: string }>;
  update(id: string, change: { credentials?: SourceCredentials; approve?: boolean }): Promise<DiscoveredDevice | undefined>;
  /** Ids of the devices placed in `id` (a host's DPUs), sorted. */
  children(id: string): string[];
  remove(id: string): Promise<boolean>;
  /** Starts a sweep as a task; returns the task. */
  sweep(req: { sources?: DiscoverySourceName[]; cidr?: string[]; targets?: string[] }, createdBy: string | null, targetUri: string, body: unknown): TaskRecord;
}

export interface RequestContext {
  params: Record<string, string>;
  /** Undefined only on routes readable without authentication. */
  principal: Principal | undefined;
  services: RedfishServices;
  request: FastifyRequest;
}

/** What a `raw` resource's get returns: a full response, sent as-is (no ETag, no query processing). */
export interface RawReply {
  status?: number;
  headers?: Record<string, string>;
  contentType?: string;
  text?: string;
  body?: unknown;
}

/** A response from a write handler. Without `body`, the pipeline answers with the resource itself (PATCH) or 204. */
export interface HandlerReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type PropSpec =
  | { type: 'string'; minLength?: number; maxLength?: number; pattern?: RegExp }
  | { type: 'integer'; min?: number; max?: number }
  | { type: 'boolean'; only?: boolean }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'array'; items: PropSpec; maxItems?: number };

/** Writable properties of a resource and how to apply them. Paths use '/' for nested properties. */
export interface PatchDef {
  props: Record<string, PropSpec>;
  apply(ctx: RequestContext, values: Record<string, unknown>): Promise<void> | void;
}

/** POST to a collection: the properties accepted on create and the handler that creates. */
export interface CreateDef {
  props: Record<string, PropSpec & { required?: boolean }>;
  create(ctx: RequestContext, values: Record<string, unknown>): Promise<HandlerReply> | HandlerReply;
}

/** A Redfish action (POST to `.../Actions/<Name>`). */
export interface ActionDef {
  /** Qualified action name, e.g. `#ComputerSystem.Reset`, used in error messages. */
  name: string;
  parameters: Record<string, PropSpec & { required?: boolean }>;
  run(ctx: RequestContext, params: Record<string, unknown>): Promise<HandlerReply> | HandlerReply;
}

/**
 * One Redfish resource (or action target): its URI template, its PrivilegeRegistry entity, and its handlers.
 * Every method it does not define answers 405 with `Allow`.
 */
export interface ResourceDef {
  path: string;
  entity: string;
  /** A collection: `$filter`, `$top`, `$skip` and `only` apply to its Members. */
  collection?: boolean;
  /** Methods that need no authentication (service root, `$metadata`, session login). */
  noAuth?: readonly string[];
  /** `get` returns a {@link RawReply} (for `$metadata`, schema files and TaskMonitors): sent as-is. */
  raw?: boolean;
  get?(ctx: RequestContext): Promise<Json> | Json;
  patch?: PatchDef;
  create?: CreateDef;
  action?: ActionDef;
  /** Anything else a POST does (used when neither `create` nor `action` fits). */
  post?(ctx: RequestContext, body: unknown): Promise<HandlerReply> | HandlerReply;
  put?(ctx: RequestContext, body: unknown): Promise<HandlerReply> | HandlerReply;
  delete?(ctx: RequestContext): Promise<HandlerReply> | HandlerReply;
  /** The account that owns this resource, for `ConfigureSelf`. */
  owner?(ctx: RequestContext): string | undefined;
  /**
   * A fleet collection served from the store: `$filter`, `$skip`/`$top` and `$expand` run there rather than by
   * reading every member through the pipeline. Its `get` lists every member, for the ETag and plain reads.
   */
  fleet?: { collection: string; type: string; name: string };
  /** State the representation does not show (a write-only `Password`) that must still change the ETag. */
  revision?(ctx: RequestContext): string | number | undefined;
}
