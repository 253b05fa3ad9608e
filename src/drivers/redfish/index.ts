import manifestJson from './manifest.json' with { type: 'json' };
import { DriverError, type DeviceSession, type Driver, type DriverManifest, type ProbeCandidate, type ProbeResult, type RedfishExtension } from '../api.js';
import { mapDevice, redfishSession } from './session.js';

export const redfishManifest = manifestJson as DriverManifest;

/** A service root is Redfish when it says so; anything else is not ours, whatever the port. */
export function looksLikeRedfish(c: ProbeCandidate): ProbeResult {
  const root = c.serviceRoot;
  if (!root || typeof root !== 'object') return { matched: false, reason: 'no service root' };
  const ok = typeof root.RedfishVersion === 'string' || String(root['@odata.type'] ?? '').startsWith('#ServiceRoot.');
  return ok ? { matched: true, confidence: 0.5, identity: typeof root.UUID === 'string' ? { uuid: root.UUID } : {} } : { matched: false, reason: 'not a Redfish service root' };
}

/**
 * Builds a Redfish driver: the generic DMTF session with named extensions composed on top, in order. Vendor drivers
 * (`bluefield`, `openbmc`) are this plus their extensions and their own manifest; none of them subclasses anything.
 */
export function createRedfishDriver(manifest: DriverManifest, extensions: readonly RedfishExtension[] = [], probe: (c: ProbeCandidate) => ProbeResult = looksLikeRedfish): Driver {
  return {
    manifest,
    extensions: extensions.map((e) => ({ name: e.name, description: e.description })),
    probe(c) {
      try {
        return probe(c);
      } catch (e) {
        return { matched: false, reason: (e as Error).message };
      }
    },
    async connect(endpoint, ctx) {
      const client = ctx.redfish;
      if (!client) throw new DriverError('NotSupported', `endpoint ${endpoint.id} has no Redfish transport`);
      const map = await mapDevice(client, ctx.signal);
      let session: DeviceSession = redfishSession(manifest, client, map);
      for (const ext of extensions) {
        const over = await ext.extend(session, { ...ctx, redfish: client });
        session = { ...session, ...over };
      }
      return session;
    },
  };
}

/** The generic driver, for any Redfish service no vendor driver claims. */
export const redfishDriver = createRedfishDriver(redfishManifest);
