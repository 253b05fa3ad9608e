import { readFileSync } from 'node:fs';
import type { CredentialRule, DiscoveryConfig } from '../config/discovery-config.js';
import type { Credentials, DriverManifest, TlsTrust } from '../drivers/api.js';
import type { DiscoveredDevice } from '../model/discovery.js';

/** What registration needs from the managed endpoints (ManagedEndpoints fits). */
export interface EndpointsPort {
  /** `opts.write` receives the store write, to run it in the caller's own (grouped) commit. */
  add(input: { id: string; driver: string; host: string; port?: number; baseUrl?: string; credentials: Credentials; tls?: TlsTrust }, opts?: { write?: (op: () => void) => void }): unknown;
  get(id: string): { call(method: 'inventory' | 'state', args: [], opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown> } | undefined;
  /** Stored credentials of an endpoint, when it has been registered before. */
  credentialsOf(id: string): Credentials | undefined;
  unload(id: string): Promise<void>;
  load(id: string): boolean;
  remove(id: string): Promise<boolean>;
}

function ruleCredentials(r: CredentialRule): Credentials | undefined {
  if (r.community) return { kind: 'snmp-v2c', community: r.community };
  if (r.username && r.password) return { kind: 'basic', username: r.username, password: r.password };
  return undefined;
}

/**
 * The credentials policy gives a device: the first rule naming its driver, then the first naming its protocol, then
 * the first naming neither; then, only if allowed, the driver's factory defaults.
 */
export function policyCredentials(cfg: DiscoveryConfig, manifest: DriverManifest): Credentials | undefined {
  const wants = (c: Credentials) => (manifest.protocol === 'snmp' ? c.kind !== 'basic' : c.kind === 'basic');
  const ordered = [
    ...cfg.credentials.filter((r) => r.driver === manifest.id),
    ...cfg.credentials.filter((r) => !r.driver && r.protocol === manifest.protocol),
    ...cfg.credentials.filter((r) => !r.driver && !r.protocol),
  ];
  for (const r of ordered) {
    const c = ruleCredentials(r);
    if (c && wants(c)) return c;
  }
  const d = manifest.defaultCredentials;
  if (cfg.useDriverDefaults && d && manifest.protocol !== 'snmp') return { kind: 'basic', username: d.username, password: d.password };
  return undefined;
}

/** The trust policy for discovered devices' certificates. A CA file is read once. */
export function trustFrom(cfg: DiscoveryConfig): TlsTrust {
  if (cfg.tls.mode === 'ca') return { mode: 'ca', ca: readFileSync(cfg.tls.caFile, 'utf8') };
  return { mode: cfg.tls.mode };
}

/** The endpoint the driver runtime gets for a device. */
export function endpointFor(d: DiscoveredDevice, credentials: Credentials, tls: TlsTrust) {
  const input: Parameters<EndpointsPort['add']>[0] = { id: d.id, driver: d.driver!, host: d.host, credentials, tls };
  if (d.port !== undefined) input.port = d.port;
  if (d.protocol === 'redfish') input.baseUrl = d.serviceRootUrl ? new URL(d.serviceRootUrl).origin : `https://${d.host.includes(':') ? `[${d.host}]` : d.host}${d.port ? `:${d.port}` : ''}`;
  return input;
}
