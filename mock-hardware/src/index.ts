/**
 * mock-hardware: a fleet simulator of DPUs and BMCs. Library entry point.
 *
 * ```ts
 * const fleet = await startFleet({ seed: 1, timeScale: 0, devices: [{ persona: 'bluefield3', count: 2 }] });
 * fleet.inject('bf3-0001', { kind: 'dpu-kernel-panic' });
 * fleet.clock.advance(60_000);
 * await fleet.stop();
 * ```
 */
export { startFleet, planFleet, Fleet, type FleetSpec, type FleetDevice, type DevicePlan, type DeviceGroup, type ScheduledFault } from './fleet.js';
export { loadFleetFile } from './fleet-file.js';
export { startControlApi, deviceSummary } from './control-api.js';
export { VirtualClock, type ClockOptions, type VirtualTimer } from './core/clock.js';
export { Prng } from './core/prng.js';
export { Device, type DeviceProfile, type BootStage, type PowerState } from './core/device.js';
export { FAULT_KINDS, parseFault, type Fault, type FaultKind, type LatencySpec } from './core/faults.js';
export { createImage, signingKeyFromSeed, ImageVerifier, IMAGE_MAGIC, type ImageManifest, type ImageOptions } from './core/image.js';
export { getPersona, registerPersona, personaNames } from './personas/registry.js';
export type { Persona, SetupContext } from './personas/persona.js';
export type { AdvertisedDevice, DiscoveryAdvertiser, DiscoveryAdvertiserFactory } from './discovery-hooks.js';
