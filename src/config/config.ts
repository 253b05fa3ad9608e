import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DISCOVERY_DEFAULTS, resolveDiscovery, type DiscoveryConfig } from './discovery-config.js';
import { INVENTORY_DEFAULTS, resolveInventory, type InventoryConfig } from './inventory-config.js';

/** Everything `build()` needs. Runtime-tunable values (session timeout, lockout) are defaults that PATCH can change. */
export interface ShoalConfig {
  dataDir: string;
  listen: { host: string; port: number };
  tls: { enabled: boolean; certFile?: string; keyFile?: string };
  /** Largest accepted request body; larger bodies get 413. */
  bodyLimitBytes: number;
  sessions: { timeoutSeconds: number; maxSessions: number };
  accounts: {
    lockoutThreshold: number;
    lockoutDurationSeconds: number;
    lockoutCounterResetAfterSeconds: number;
    minPasswordLength: number;
    maxPasswordLength: number;
  };
  /** Login attempts (session POSTs and Basic auth failures) allowed per client address per minute. */
  loginRateLimitPerMinute: number;
  tasks: { autoDeleteTimeoutMinutes: number };
  /** First admin password; SHOAL_ADMIN_PASSWORD overrides it. Only used when the store has no accounts yet. */
  adminPassword?: string;
  /** Registers the internal test-only task action. Never on in production. */
  testActions: boolean;
  logLevel: string;
  /** SQLite `synchronous` mode. FULL makes an acknowledged write survive power loss as well as `kill -9`. */
  sqliteSynchronous: 'FULL' | 'NORMAL';
  drivers: DriversConfig;
  discovery: DiscoveryConfig;
  inventory: InventoryConfig;
  /**
   * Where discovery, the drivers and the inventory coordinators run: `inline`, on the thread that serves HTTP, or
   * `worker`, in a thread of their own with its own event loop, heap and store connection, so polling thousands of
   * devices never delays a GET. `shoal serve` and `shoal demo` use `worker` unless the config says otherwise.
   */
  devicePlane: 'inline' | 'worker';
}

/** Which drivers the gateway loads besides the built-in ones. */
export interface DriversConfig {
  /**
   * External driver packages: npm names (resolved from the working directory) or package directories (`./x`, `/x`).
   * Each must have the `shoal-driver` keyword in its package.json. Loaded in order, after the built-ins.
   */
  external: string[];
}

export type ShoalConfigInput = Partial<Omit<ShoalConfig, 'listen' | 'tls' | 'sessions' | 'accounts' | 'tasks' | 'drivers' | 'discovery' | 'inventory'>> & {
  listen?: Partial<ShoalConfig['listen']>;
  tls?: Partial<ShoalConfig['tls']>;
  sessions?: Partial<ShoalConfig['sessions']>;
  accounts?: Partial<ShoalConfig['accounts']>;
  tasks?: Partial<ShoalConfig['tasks']>;
  drivers?: Partial<DriversConfig>;
  /** Checked by `resolveDiscovery`; nested sections may be partial. */
  discovery?: Partial<DiscoveryConfig> | Record<string, unknown>;
  inventory?: Partial<InventoryConfig>;
};

export const DEFAULTS: ShoalConfig = {
  dataDir: './data',
  listen: { host: '127.0.0.1', port: 8443 },
  tls: { enabled: true },
  bodyLimitBytes: 1024 * 1024,
  sessions: { timeoutSeconds: 1800, maxSessions: 256 },
  accounts: {
    lockoutThreshold: 5,
    lockoutDurationSeconds: 300,
    lockoutCounterResetAfterSeconds: 60,
    minPasswordLength: 8,
    maxPasswordLength: 64,
  },
  loginRateLimitPerMinute: 60,
  tasks: { autoDeleteTimeoutMinutes: 24 * 60 },
  testActions: false,
  logLevel: 'info',
  sqliteSynchronous: 'FULL',
  drivers: { external: [] },
  discovery: DISCOVERY_DEFAULTS,
  inventory: INVENTORY_DEFAULTS,
  devicePlane: 'inline',
};

const KNOWN = new Set(Object.keys(DEFAULTS).concat('adminPassword'));

/** Merges user input over the defaults, rejecting unknown keys so a typo in a config file is an error, not a no-op. */
export function resolveConfig(input: ShoalConfigInput = {}, env: NodeJS.ProcessEnv = process.env): ShoalConfig {
  for (const k of Object.keys(input)) {
    if (!KNOWN.has(k)) throw new Error(`unknown config key "${k}"`);
  }
  const cfg: ShoalConfig = {
    ...DEFAULTS,
    ...input,
    listen: { ...DEFAULTS.listen, ...input.listen },
    tls: { ...DEFAULTS.tls, ...input.tls },
    sessions: { ...DEFAULTS.sessions, ...input.sessions },
    accounts: { ...DEFAULTS.accounts, ...input.accounts },
    tasks: { ...DEFAULTS.tasks, ...input.tasks },
    drivers: resolveDrivers(input.drivers),
    discovery: resolveDiscovery(input.discovery),
    inventory: resolveInventory(input.inventory),
  };
  if (env.SHOAL_ADMIN_PASSWORD) cfg.adminPassword = env.SHOAL_ADMIN_PASSWORD;
  if (cfg.sessions.timeoutSeconds < 30 || cfg.sessions.timeoutSeconds > 86400) {
    throw new Error('sessions.timeoutSeconds must be between 30 and 86400 (the SessionService schema range)');
  }
  if (cfg.accounts.minPasswordLength > cfg.accounts.maxPasswordLength) {
    throw new Error('accounts.minPasswordLength exceeds accounts.maxPasswordLength');
  }
  if (cfg.devicePlane !== 'inline' && cfg.devicePlane !== 'worker') throw new Error('devicePlane must be "inline" or "worker"');
  if (cfg.devicePlane === 'worker' && cfg.dataDir.endsWith(':memory:')) {
    throw new Error('devicePlane "worker" needs an on-disk dataDir: the worker opens the store on a connection of its own');
  }
  cfg.dataDir = resolve(cfg.dataDir);
  return cfg;
}

/** Validates the `drivers` section: only known keys, and `external` a list of distinct, non-empty package specs. */
export function resolveDrivers(input: unknown): DriversConfig {
  if (input === undefined || input === null) return { external: [...DEFAULTS.drivers.external] };
  if (typeof input !== 'object' || Array.isArray(input)) throw new Error('drivers must be an object');
  for (const k of Object.keys(input)) {
    if (k !== 'external') throw new Error(`unknown config key "drivers.${k}"`);
  }
  const external = (input as { external?: unknown }).external ?? [];
  if (!Array.isArray(external) || !external.every((x): x is string => typeof x === 'string' && x.trim() !== '')) {
    throw new Error('drivers.external must be a list of npm package names or package directories');
  }
  const seen = new Set<string>();
  for (const x of external) {
    if (seen.has(x)) throw new Error(`drivers.external names ${x} twice`);
    seen.add(x);
  }
  return { external: [...external] };
}

/** Reads a JSON or YAML config file (by extension). */
export function loadConfigFile(path: string): ShoalConfigInput {
  const text = readFileSync(path, 'utf8');
  const data: unknown = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(`${path}: the config must be an object`);
  }
  return data as ShoalConfigInput;
}
