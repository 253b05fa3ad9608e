import type { Credentials, Endpoint, Protocol, TlsTrust } from './api.js';
import type { DriverRegistry } from './registry.js';
import type { CredentialCipher, DriverRuntime, ManagedDevice } from './runtime/index.js';

/** What this service needs from the store (the store's EndpointsRepo fits it; tests may pass a map). */
export interface EndpointStorePort {
  upsert(e: { id: string; driver: string; protocol: string; host: string; port?: number; baseUrl?: string; credentials: string; tls: unknown }): void;
  list(): { id: string; driver: string; protocol: string; host: string; port?: number; baseUrl?: string; credentials: string; tls: unknown }[];
  get?(id: string): { id: string; driver: string; protocol: string; host: string; port?: number; baseUrl?: string; credentials: string; tls: unknown } | undefined;
  delete(id: string): boolean;
  setPin(id: string, fingerprint256: string | undefined): void;
}

/**
 * An endpoint's stored credentials, decrypted; undefined when it has none or they do not decrypt. Also what the API
 * plane reads (an AggregationSource's UserName) when the endpoints live in the device-plane worker.
 */
export function storedCredentials(
  store: Pick<EndpointStorePort, 'list' | 'get'>,
  cipher: Pick<CredentialCipher, 'decrypt'>,
  id: string,
): Credentials | undefined {
  const row = store.get ? store.get(id) : store.list().find((r) => r.id === id);
  if (!row) return undefined;
  try {
    return cipher.decrypt(row.id, row.credentials);
  } catch {
    return undefined;
  }
}

export interface EndpointInput {
  id: string;
  driver: string;
  host: string;
  port?: number;
  baseUrl?: string;
  credentials: Credentials;
  tls?: TlsTrust;
}

/**
 * The endpoints the gateway manages: each stored with sealed credentials and handed to the runtime. On start every
 * stored endpoint is loaded again, so a restart loses no device. Discovery (and hand registration) add through here.
 */
export class ManagedEndpoints {
  constructor(
    private readonly store: EndpointStorePort,
    private readonly cipher: CredentialCipher,
    private readonly registry: DriverRegistry,
    private readonly runtime: DriverRuntime,
    private readonly log: { warn(o: object, m?: string): void },
  ) {}

  /**
   * Adds or replaces an endpoint. Throws on an unknown driver before anything is stored. `opts.write` lets a caller
   * that groups its writes (discovery, see DeviceDirectory) put the stored row into its own next commit, with the
   * device record it belongs to; by default the row is written at once.
   */
  add(input: EndpointInput, opts: { write?: (op: () => void) => void } = {}): ManagedDevice {
    const driver = this.registry.get(input.driver);
    if (!driver) throw new Error(`unknown driver ${input.driver}; known: ${this.registry.list().map((d) => d.manifest.id).join(', ')}`);
    const protocol: Protocol = driver.manifest.protocol;
    const row = {
      id: input.id,
      driver: input.driver,
      protocol,
      host: input.host,
      port: input.port,
      baseUrl: input.baseUrl,
      credentials: this.cipher.encrypt(input.id, input.credentials),
      tls: input.tls ?? { mode: 'pin' },
    };
    if (opts.write) opts.write(() => this.store.upsert(row));
    else this.store.upsert(row);
    return this.runtime.add({ ...input, protocol, tls: input.tls ?? { mode: 'pin' } } as Endpoint, driver);
  }

  /**
   * Loads every stored endpoint into the runtime (no I/O: sessions open on first use). An endpoint whose driver is
   * gone or whose credentials no longer decrypt (a lost key file) is reported and skipped, not fatal.
   */
  loadAll(): { loaded: number; skipped: { id: string; reason: string }[] } {
    const skipped: { id: string; reason: string }[] = [];
    let loaded = 0;
    for (const row of this.store.list()) {
      const driver = this.registry.get(row.driver);
      if (!driver) {
        skipped.push({ id: row.id, reason: `driver ${row.driver} is not installed` });
        continue;
      }
      let credentials: Credentials;
      try {
        credentials = this.cipher.decrypt(row.id, row.credentials);
      } catch (e) {
        skipped.push({ id: row.id, reason: `credentials do not decrypt (${(e as Error).message}); was the key file replaced?` });
        continue;
      }
      const endpoint: Endpoint = { id: row.id, protocol: driver.manifest.protocol, host: row.host, port: row.port, baseUrl: row.baseUrl, credentials, tls: row.tls as TlsTrust };
      this.runtime.add(endpoint, driver);
      loaded++;
    }
    for (const s of skipped) this.log.warn(s, 'endpoint not loaded');
    return { loaded, skipped };
  }

  get(id: string): ManagedDevice | undefined {
    return this.runtime.get(id);
  }

  /** The stored credentials of an endpoint (decrypted), or undefined when it has none or they do not decrypt. */
  credentialsOf(id: string): Credentials | undefined {
    return storedCredentials(this.store, this.cipher, id);
  }

  /** Takes an endpoint out of the runtime (its session logged out) but keeps it stored, for a device gone quiet. */
  async unload(id: string): Promise<void> {
    await this.runtime.remove(id);
  }

  /** Puts a stored endpoint back into the runtime. False when it is not stored or cannot be loaded. */
  load(id: string): boolean {
    if (this.runtime.get(id)) return true;
    const row = (this.store.get ? this.store.get(id) : this.store.list().find((r) => r.id === id));
    const driver = row ? this.registry.get(row.driver) : undefined;
    const credentials = row ? this.credentialsOf(id) : undefined;
    if (!row || !driver || !credentials) return false;
    this.runtime.add({ id: row.id, protocol: driver.manifest.protocol, host: row.host, port: row.port, baseUrl: row.baseUrl, credentials, tls: row.tls as TlsTrust }, driver);
    return true;
  }

  list(): ManagedDevice[] {
    return this.runtime.list();
  }

  async remove(id: string): Promise<boolean> {
    await this.runtime.remove(id);
    return this.store.delete(id);
  }

  /** Forgets the pinned certificate, so the next one is trusted (after an operator replaced a BMC's certificate). */
  clearPin(id: string): void {
    this.store.setPin(id, undefined);
  }
}
