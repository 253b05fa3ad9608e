/**
 * Shared helpers for the driver-runtime tests: a silent logger, endpoints for simulator devices, a session counter
 * that does not itself create sessions, and spies for process-level errors.
 */
import { Agent, request } from 'undici';
import type { Endpoint, TlsTrust } from '../../../src/drivers/api.js';
import type { FleetDevice } from '../../../mock-hardware/src/index.js';

export const silentLog = { debug() {}, info() {}, warn() {}, error() {} };

/** A Redfish endpoint for a simulator device, with its own credentials. */
export function endpointFor(d: FleetDevice, id = d.id, tls?: TlsTrust): Endpoint {
  return {
    id,
    protocol: 'redfish',
    host: d.address,
    port: d.port,
    credentials: { kind: 'basic', username: d.credentials.user, password: d.credentials.password },
    ...(tls ? { tls } : {}),
  };
}

export const baseUrlOf = (d: FleetDevice) => d.url.replace(/\/redfish\/v1$/, '');

const insecure = new Agent({ connect: { rejectUnauthorized: false } });

/** The device's session collection as Redfish shows it, read with Basic auth (which creates no session). */
export async function deviceSessions(d: FleetDevice): Promise<string[]> {
  const auth = Buffer.from(`${d.credentials.user}:${d.credentials.password}`).toString('base64');
  const r = await request(`${baseUrlOf(d)}/redfish/v1/SessionService/Sessions`, { headers: { authorization: `Basic ${auth}` }, dispatcher: insecure });
  const body = (await r.body.json()) as { Members?: { '@odata.id': string }[] };
  if (r.statusCode !== 200) throw new Error(`GET Sessions -> ${r.statusCode}`);
  return (body.Members ?? []).map((m) => m['@odata.id']);
}

/** Logs in directly (not through Shoal), taking one of the device's session slots. */
export async function foreignLogin(d: FleetDevice): Promise<{ status: number; token?: string; location?: string }> {
  const r = await request(`${baseUrlOf(d)}/redfish/v1/SessionService/Sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ UserName: d.credentials.user, Password: d.credentials.password }),
    dispatcher: insecure,
  });
  await r.body.dump();
  const token = r.headers['x-auth-token'];
  const location = r.headers.location;
  return { status: r.statusCode, token: typeof token === 'string' ? token : undefined, location: typeof location === 'string' ? location : undefined };
}

/** Records `unhandledRejection` and `uncaughtException` while installed. */
export function processErrorSpy(): { readonly errors: { kind: string; error: unknown }[]; dispose(): void } {
  const errors: { kind: string; error: unknown }[] = [];
  const onRejection = (error: unknown) => errors.push({ kind: 'unhandledRejection', error });
  const onException = (error: unknown) => errors.push({ kind: 'uncaughtException', error });
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    errors,
    dispose() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/** Resolves after `ms` real milliseconds (for letting sockets settle; never used to measure anything). */
export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` until it is true or `timeoutMs` passes; returns whether it became true. */
export async function eventually(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) return false;
    await pause(stepMs);
  }
}
