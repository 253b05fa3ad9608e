import { mkdirSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { LoggerOptions } from 'pino';
import { AccountsService } from './auth/accounts-service.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { SessionsService } from './auth/sessions-service.js';
import { resolveConfig, type ShoalConfig, type ShoalConfigInput } from './config/config.js';
import { aggregationAdapter, sweepTaskHandler } from './discovery/adapter.js';
import { storedCredentials } from './drivers/endpoints.js';
import { createDriverRegistry } from './drivers/index.js';
import { CredentialCipher } from './drivers/runtime/index.js';
import type { DevicePlane } from './plane/device-plane.js';
import { startLocalPlane, type LocalPlane } from './plane/local-plane.js';
import { WorkerPlane } from './plane/worker-plane.js';
import { redfishPlugin } from './redfish/plugin.js';
import { allResources } from './redfish/resources/index.js';
import type { RedfishServices } from './redfish/types.js';
import { ensureCertificate } from './server/tls.js';
import { openStore, type Store } from './store/index.js';
import { TaskRunner } from './tasks/runner.js';
import { testTaskHandlers } from './tasks/test-handlers.js';
import { VERSION } from './version.js';

export interface BuildOptions {
  /** pino options, or false for silence (tests). */
  logger?: LoggerOptions | boolean;
}

export interface Shoal {
  app: FastifyInstance;
  services: RedfishServices;
  store: Store;
  config: ShoalConfig;
  /** Set when this start created the first admin with a random password: print it once. */
  generatedAdminPassword?: string;
  /** The device plane (discovery, drivers, inventory), inline or in a worker thread (`config.devicePlane`). */
  plane: DevicePlane;
  /** The device plane's parts when it runs inline, for tests and tools; undefined in worker mode. */
  local?: LocalPlane;
  /** Path of the TLS certificate in use, when TLS is on. */
  certFile?: string;
  /** Drains requests, stops tasks cleanly and closes the store. */
  close(): Promise<void>;
}

/**
 * Composition root: opens the store, wires the services and returns the fastify app, not yet listening.
 * Importing this module has no side effects.
 */
export async function build(input: ShoalConfigInput | ShoalConfig = {}, opts: BuildOptions = {}): Promise<Shoal> {
  const config = resolveConfig(input as ShoalConfigInput);
  const memory = config.dataDir.endsWith(':memory:');
  if (!memory) mkdirSync(config.dataDir, { recursive: true });
  const store = openStore(memory ? ':memory:' : config.dataDir, config.sqliteSynchronous);

  const tls = config.tls.enabled ? await ensureCertificate(config.dataDir, config.tls.certFile, config.tls.keyFile) : undefined;
  const app = Fastify({
    logger: opts.logger === undefined ? { level: config.logLevel } : opts.logger,
    bodyLimit: config.bodyLimitBytes,
    exposeHeadRoutes: false,
    // Per-request lines at info cost a third of the throughput; the pipeline logs each request at debug instead.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true },
    ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  const accounts = new AccountsService(store, config);
  const boot = await accounts.bootstrap();
  const sessions = new SessionsService(store, config.sessions);
  const settings = store.settings;
  const uuid = settings.getOrInit('service-uuid', () => randomUUID());
  const tasks = new TaskRunner(store, app.log, config.tasks.autoDeleteTimeoutMinutes);
  const registry = await createDriverRegistry(config.drivers.external, process.cwd());
  // Device credentials are sealed with a key kept beside the database, not in it (ARCHITECTURE §8). It is made here,
  // before a worker plane starts, so both threads read the same key.
  const cipher = memory ? CredentialCipher.fromKey(randomBytes(32)) : CredentialCipher.fromKeyFile(join(config.dataDir, 'device-credentials.key'));
  let local: LocalPlane | undefined;
  let plane: DevicePlane;
  if (config.devicePlane === 'worker') {
    const level = opts.logger === false ? false : typeof opts.logger === 'object' && opts.logger.level ? opts.logger.level : config.logLevel;
    plane = await WorkerPlane.start({ config, log: app.log, logLevel: level });
  } else {
    const started = startLocalPlane({ config, store, registry, cipher, log: app.log });
    plane = started.plane;
    local = started.parts;
  }
  tasks.register(sweepTaskHandler(plane));
  const services: RedfishServices = {
    config,
    accounts,
    sessions,
    tasks,
    limiter: new LoginLimiter(config.loginRateLimitPerMinute),
    audit: store.audit,
    settings,
    aggregation: aggregationAdapter(plane, {
      devices: store.devices,
      credentialsOf: (id) => storedCredentials(store.endpoints, cipher, id),
      drivers: () => registry.list().map((d) => ({ id: d.manifest.id, name: d.manifest.name, protocol: d.manifest.protocol })),
      submit: (kind, payload, o) => tasks.submit(kind, payload, o),
    }),
    inventory: store.resources,
    info: { uuid, managerId: 'Shoal', startedAt: Date.now(), version: VERSION, storeSchemaVersion: () => store.schemaVersion() },
  };
  if (config.testActions) for (const h of testTaskHandlers) tasks.register(h);
  tasks.start();

  const flushTimer = setInterval(() => sessions.flush(), 15_000);
  flushTimer.unref();

  await app.register(swagger, {
    openapi: {
      info: { title: 'Shoal Redfish API', version: VERSION, description: 'Redfish (DSP0266) service of the Shoal gateway' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' }, basic: { type: 'http', scheme: 'basic' } } },
      security: [{ session: [] }, { basic: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(redfishPlugin, { services, resources: allResources({ testActions: config.testActions }) });

  let closed = false;
  const shoal: Shoal = {
    app,
    services,
    store,
    config,
    plane,
    ...(local ? { local } : {}),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(flushTimer);
      await app.close();
      await tasks.stop();
      await plane.close();
      sessions.flush();
      store.close();
    },
  };
  if (boot?.generatedPassword) shoal.generatedAdminPassword = boot.generatedPassword;
  if (tls) shoal.certFile = tls.certFile;
  return shoal;
}
