/**
 * The device plane's parts wired together on one thread: the driver runtime and its endpoints, the event journal,
 * discovery and inventory. `build()` runs this on the main thread (inline mode); the plane worker runs it in a thread
 * of its own, on its own connection to the same store.
 */
import type { ShoalConfig } from '../config/config.js';
import { DiscoveryService } from '../discovery/index.js';
import { createProbeAgent, probeRedfish } from '../discovery/probe.js';
import { trustFrom } from '../discovery/registrar.js';
import { buildSources } from '../discovery/sources/index.js';
import type { DriverLogger } from '../drivers/api.js';
import { ManagedEndpoints } from '../drivers/endpoints.js';
import type { DriverRegistry } from '../drivers/registry.js';
import { DriverRuntime, type CredentialCipher } from '../drivers/runtime/index.js';
import { Journal } from '../events/journal.js';
import { InventoryService } from '../inventory/service.js';
import type { Store } from '../store/index.js';
import type { DevicePlane, PlaneStatus } from './device-plane.js';

/** The plane's parts, for tests and tools that run it inline. */
export interface LocalPlane {
  drivers: { registry: DriverRegistry; runtime: DriverRuntime; endpoints: ManagedEndpoints };
  /** Discovery: sources, one identity per device, registration, pairing. */
  discovery: DiscoveryService;
  /** Inventory: one coordinator per registered device, its documents in the store. */
  inventory: InventoryService;
  /** The event journal the plane writes (ResourceEvent messages about devices). */
  journal: Journal;
}

export interface LocalPlaneDeps {
  config: ShoalConfig;
  store: Store;
  registry: DriverRegistry;
  cipher: CredentialCipher;
  log: DriverLogger & { child?(bindings: object): DriverLogger };
}

/** Wires the plane and starts it: endpoints loaded, discovery and inventory running. */
export function startLocalPlane(deps: LocalPlaneDeps): { plane: DevicePlane; parts: LocalPlane } {
  const { config, store, registry, cipher, log } = deps;
  const runtime = new DriverRuntime({ log, trust: store.endpoints });
  const endpoints = new ManagedEndpoints(store.endpoints, cipher, registry, runtime, log);
  endpoints.loadAll();

  const journal = new Journal(store.events);
  const probeAgent = createProbeAgent({ connections: config.discovery.concurrency });
  const discovery = new DiscoveryService({
    config: config.discovery,
    store,
    journal,
    drivers: registry,
    endpoints,
    probe: (t, signal) => probeRedfish({ host: t.host, port: t.port, scheme: t.url?.startsWith('http:') ? 'http' : 'https' }, { timeoutMs: config.discovery.probeTimeoutMs, signal, agent: probeAgent }),
    tls: trustFrom(config.discovery),
    sources: (cfg, req) => buildSources(cfg, req, { agent: probeAgent }),
    log,
    // Registration's identify read is the device's first inventory: it is not crawled twice.
    onIdentified: (id, snapshot, at) => inventory.seed(id, snapshot, at),
  });
  const inventory = new InventoryService({
    resources: store.resources,
    snapshots: store.snapshots,
    journal,
    transaction: (fn) => store.transaction(fn),
    devices: discovery.directory,
    endpoints,
    pool: {
      maxConcurrentPolls: config.inventory.maxConcurrentPolls,
      startSpreadMs: config.inventory.startSpreadSeconds * 1000,
      cadence: config.inventory.maxPollStretch > 1 ? { maxStretch: config.inventory.maxPollStretch } : false,
    },
    logEntriesPerLog: config.inventory.logEntriesPerLog,
    log,
  });
  discovery.start();
  inventory.start();

  let closed: Promise<void> | undefined;
  const plane: DevicePlane = {
    mode: 'inline',
    add: (input) => discovery.add(input),
    update: async (id, change) => discovery.update(id, change),
    remove: (id) => discovery.remove(id),
    sweep: (req, hooks = {}) => discovery.sweep(req, hooks),
    firstSweep: async () => discovery.firstSweep,
    status: async () => statusOf(discovery, inventory),
    close() {
      closed ??= (async () => {
        await inventory.stop();
        await discovery.stop();
        await probeAgent.close();
        await runtime.close(); // BMCs hold few sessions: log ours out rather than leak them across restarts
      })();
      return closed;
    },
  };
  return { plane, parts: { drivers: { registry, runtime, endpoints }, discovery, inventory, journal } };
}

function statusOf(discovery: DiscoveryService, inventory: InventoryService): PlaneStatus {
  let registered = 0;
  const all = discovery.directory.list();
  for (const d of all) if (d.state === 'Registered') registered++;
  return { mode: 'inline', devices: all.length, registered, ...inventory.figures() };
}
