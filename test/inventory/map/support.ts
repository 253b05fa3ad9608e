/**
 * Shared helpers for the mapper tests: real snapshots from simulator personas through the real drivers, and the
 * checks every mapped tree must pass (DMTF JSON Schema, DMTF URI templates, links that resolve).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type DeviceGroup, type Fleet, type FleetDevice } from '../../../mock-hardware/src/index.js';
import { freePort } from '../../../mock-hardware/src/discovery/ports.js';
import type { ComponentInfo, Driver, Endpoint, InventorySnapshot, LogRecord } from '../../../src/drivers/api.js';
import { bluefieldDriver, openbmcDriver, redfishDriver } from '../../../src/drivers/index.js';
import { DriverRuntime } from '../../../src/drivers/runtime/index.js';
import type { InventoryDoc } from '../../../src/inventory/map/index.js';
import { sharedDir } from '../../support/shared-dir.js';
import { validateRedfish } from '../../support/redfish-schema.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A loopback /24 of our own in 127.171.0.0/16: `slot` (0-4) keeps this suite's files apart in one run, the pid keeps
 * parallel runs apart, and other suites use other /16s.
 */
export const baseAddress = (slot: number) => `127.171.${(process.pid % 50) * 5 + slot + 1}.1`;

/** DMTF's public-smartnic mockup in the shared bundle. */
export const mockupDir = () => join(sharedDir(), 'mockups', 'public-smartnic');

/** A running fleet and one snapshot per device, read the way the gateway reads them. */
export interface Captured {
  fleet: Fleet;
  /** With `{ logs: true }`, `logs` holds what the driver's `logs` call read, for drivers that read logs. */
  snaps: Map<string, { device: FleetDevice; snap: InventorySnapshot; logs?: LogRecord[] }>;
  /** Reads a device's logs again, now (after a fault, say); undefined when its driver reads no logs. */
  readLogs(id: string): Promise<LogRecord[] | undefined>;
  stop(): Promise<void>;
}

async function driverFor(persona: string): Promise<Driver> {
  if (persona === 'bluefield3') return bluefieldDriver;
  if (persona === 'openbmc-host') return openbmcDriver;
  if (persona === 'ipmi-legacy') return (await import('../../../src/drivers/ipmi/index.js')).ipmiDriver;
  return redfishDriver;
}

function endpointOf(d: FleetDevice): Endpoint {
  const credentials = { kind: 'basic' as const, username: d.credentials.user, password: d.credentials.password };
  if (d.persona === 'ipmi-legacy') return { id: d.id, protocol: 'ipmi', host: d.address, port: d.port, credentials };
  return { id: d.id, protocol: 'redfish', host: d.address, port: d.port, credentials, tls: { mode: 'insecure' } };
}

/**
 * Starts the fleet, connects each device's built-in driver through the DriverRuntime and reads its inventory, plus
 * firmware where the driver reads it separately (as a coordinator merges the two), and with `logs` its log records.
 */
export async function capture(slot: number, devices: DeviceGroup[], opts: { logs?: boolean } = {}): Promise<Captured> {
  const base = baseAddress(slot);
  const stateDir = mkdtempSync(join(tmpdir(), 'shoal-map-ipmi-'));
  const hasIpmi = devices.some((g) => g.persona === 'ipmi-legacy');
  // ipmi_sim needs a concrete UDP port. Give an IPMI device a fleet of its own, so it is the one at `base`.
  if (hasIpmi && devices.length > 1) throw new Error('capture an ipmi-legacy device in a fleet of its own');
  const ipmiPort = hasIpmi ? await freePort(base) : undefined;
  const fleet = await startFleet({ seed: `map-${slot}`, timeScale: 0, baseAddress: base, devices, ipmiStateDir: stateDir, ...(ipmiPort ? { ipmiPort } : {}) });
  const runtime = new DriverRuntime({ log: silent, guard: { timeoutMs: 15_000 } });
  const snaps: Captured['snaps'] = new Map();
  const devs = new Map<string, ReturnType<DriverRuntime['add']>>();
  const readLogs = async (id: string) => {
    const dev = devs.get(id);
    return dev?.supports('logs') ? dev.call('logs', []) : undefined;
  };
  try {
    for (const d of fleet.devices) {
      const dev = runtime.add(endpointOf(d), await driverFor(d.persona));
      devs.set(d.id, dev);
      const snap = await dev.call('inventory', []);
      if (snap.firmware.length === 0 && dev.supports('firmware.inventory')) snap.firmware = await dev.call('firmwareInventory', []);
      const logs = opts.logs ? await readLogs(d.id) : undefined;
      snaps.set(d.id, { device: d, snap, ...(logs ? { logs } : {}) });
    }
  } catch (e) {
    await runtime.close();
    await fleet.stop();
    throw e;
  }
  return {
    fleet,
    snaps,
    readLogs,
    async stop() {
      await runtime.close();
      await fleet.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Schema errors per document, as `uri: error; error`. */
export function schemaFailures(docs: readonly InventoryDoc[]): string[] {
  const out: string[] = [];
  for (const d of docs) {
    const r = validateRedfish(d.body);
    if (!r.valid) out.push(`${d.uri}: ${r.errors.slice(0, 4).join('; ')}`);
  }
  return out;
}

/** Every `@odata.id` value anywhere in a body (links, members, embedded objects), with where it was found. */
export function linksIn(body: unknown, path = ''): { path: string; uri: string }[] {
  if (Array.isArray(body)) return body.flatMap((v, i) => linksIn(v, `${path}/${i}`));
  if (body === null || typeof body !== 'object') return [];
  return Object.entries(body as Record<string, unknown>).flatMap(([k, v]) => (k === '@odata.id' && typeof v === 'string' ? [{ path, uri: v }] : linksIn(v, `${path}/${k}`)));
}

/**
 * Links that point at nothing: every `@odata.id` except a document's own must name a document in `docs` (a `#/...`
 * fragment names its base document) or one of `external` (resources of other devices, or of the gateway itself).
 */
export function danglingLinks(docs: readonly InventoryDoc[], external: Iterable<string> = []): string[] {
  const known = new Set([...docs.map((d) => d.uri), ...external]);
  const out: string[] = [];
  for (const d of docs) {
    if (d.body['@odata.id'] !== d.uri) out.push(`${d.uri}: @odata.id is ${JSON.stringify(d.body['@odata.id'])}`);
    for (const l of linksIn(d.body)) {
      if (l.path === '') continue;
      const base = l.uri.split('#')[0]!;
      if (!known.has(base)) out.push(`${d.uri}${l.path}: ${l.uri}`);
    }
  }
  return out;
}

const templates = new Map<string, RegExp[]>();

/** DMTF's URI templates for a type (the `uris` of its unversioned JSON Schema), as anchored patterns. */
export function uriPatterns(odataType: string): RegExp[] {
  const ns = /^#([A-Za-z0-9]+)\./.exec(odataType)![1]!;
  let re = templates.get(ns);
  if (!re) {
    const schema = JSON.parse(readFileSync(join(sharedDir(), 'redfish-schemas', 'json-schema', `${ns}.json`), 'utf8')) as { definitions: Record<string, { uris?: string[] }> };
    re = (schema.definitions[ns]?.uris ?? []).map((u) => new RegExp(`^${u.replace(/\{[^}]+\}/g, '[^/]+')}$`));
    templates.set(ns, re);
  }
  return re;
}

/** Documents whose URI is not one DMTF defines for their type. */
export function misplaced(docs: readonly InventoryDoc[]): string[] {
  return docs.filter((d) => !uriPatterns(d.body['@odata.type'] as string).some((r) => r.test(d.uri))).map((d) => `${d.uri} (${d.body['@odata.type'] as string})`);
}

/** The document at `uri`, or a failed expectation's worth of explanation. */
export function docAt(docs: readonly InventoryDoc[], uri: string): Record<string, any> {
  const d = docs.find((x) => x.uri === uri);
  if (!d) throw new Error(`no document at ${uri}; have ${docs.map((x) => x.uri).join(', ')}`);
  return d.body as Record<string, any>;
}

/** Documents of a given namespace (`ComputerSystem`, `Chassis`, ...). */
export const ofType = (docs: readonly InventoryDoc[], ns: string) => docs.filter((d) => (d.body['@odata.type'] as string).startsWith(`#${ns}.`));

/** `@odata.id`s of a list of links. */
export const ids = (l: unknown) => ((l ?? []) as { '@odata.id': string }[]).map((x) => x['@odata.id']);

/** A hand-built component for mapper tests on snapshots made in the test. */
export const part = (kind: ComponentInfo['kind'], id: string, parent: ComponentInfo['parent'], properties: Record<string, unknown> = {}, extra: Partial<ComponentInfo> = {}): ComponentInfo => ({
  kind,
  id,
  parent,
  identity: {},
  properties,
  source: `/dev/${kind}/${id}`,
  ...extra,
});
