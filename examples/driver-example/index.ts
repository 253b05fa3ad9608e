/**
 * `shoal-driver-example`: a worked external Shoal driver for Contoso SmartNIC BMCs (DMTF's fictional vendor; the
 * `dmtf-mockup` simulator persona serves DMTF's public-smartnic mockup, which is one).
 *
 * It imports nothing from Shoal but the SDK, `shoal/drivers/api`, and talks to the device only through the runtime's
 * Redfish client (`ctx.redfish`). The walkthrough is docs/writing-a-driver.md in the Shoal repository.
 * @packageDocumentation
 */
import { defineDriver, DriverError, type DriverManifest } from 'shoal/drivers/api';
import manifestJson from './manifest.json' with { type: 'json' };
import { probeContoso } from './probe.js';
import { contosoSession, mapService } from './session.js';

/** The manifest, as JSON so the gateway can validate it before running any of this code. */
export const manifest = manifestJson as DriverManifest;

/** The driver: manifest, probe, connect. Shoal's registry loads it as this package's default export. */
export const driver = defineDriver({
  manifest,
  probe(candidate) {
    try {
      return probeContoso(candidate);
    } catch (e) {
      // probe must never throw on junk; a bug here costs a match, not discovery.
      return { matched: false, reason: (e as Error).message };
    }
  },
  async connect(endpoint, ctx) {
    if (!ctx.redfish) throw new DriverError('NotSupported', `endpoint ${endpoint.id} has no Redfish transport`);
    const map = await mapService(ctx.redfish, ctx.signal);
    if (map.systems.size === 0 && map.chassis.size === 0) throw new DriverError('BadResponse', `endpoint ${endpoint.id} shows no Systems and no Chassis`);
    return contosoSession(ctx.redfish, map, ctx.log);
  },
});

export default driver;
