/**
 * The built-in drivers, listed explicitly (no directory scanning: what ships is what this file names). Vendor drivers
 * are the generic Redfish driver with their extensions composed on, in the order each vendor module gives.
 */
import type { Driver } from './api.js';
import { bluefieldExtensions, bluefieldManifest, probeBluefield } from './bluefield/index.js';
import { openbmcExtensions, openbmcManifest, probeOpenbmc } from './openbmc/index.js';
import { createRedfishDriver, redfishDriver } from './redfish/index.js';
import { DriverRegistry } from './registry.js';

export const bluefieldDriver: Driver = createRedfishDriver(bluefieldManifest, bluefieldExtensions, probeBluefield);
export const openbmcDriver: Driver = createRedfishDriver(openbmcManifest, openbmcExtensions, probeOpenbmc);

/** Loaded lazily: the ipmi and snmp drivers pull in their own libraries, which a Redfish-only gateway never needs. */
export async function builtinDrivers(): Promise<Driver[]> {
  const [{ ipmiDriver }, { snmpDriver }] = await Promise.all([import('./ipmi/index.js'), import('./snmp/index.js')]);
  return [redfishDriver, bluefieldDriver, openbmcDriver, ipmiDriver, snmpDriver];
}

/** A registry with every built-in driver plus the external packages named in the config. */
export async function createDriverRegistry(external: readonly string[] = [], fromDir?: string): Promise<DriverRegistry> {
  const reg = new DriverRegistry();
  for (const d of await builtinDrivers()) reg.register(d);
  for (const name of external) await reg.load(name, fromDir);
  return reg;
}

export { redfishDriver };
