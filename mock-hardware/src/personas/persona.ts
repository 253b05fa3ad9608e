import type { Device, DeviceProfile } from '../core/device.js';
import type { Fault } from '../core/faults.js';
import type { Prng } from '../core/prng.js';
import type { Router } from '../http/router.js';

/** Identity the fleet draws for a device before the persona sets it up. */
export interface IdentityDraft {
  serial: string;
  uuid: string;
  mac: string;
  hostname: string;
}

/** What a persona knows at setup time besides the device itself. */
export interface SetupContext {
  rng: Prng;
  /** Persona options from the fleet file (e.g. `mockup` directory, firmware versions, boot durations). */
  options: Record<string, unknown>;
  /** Devices placed in this host's slots, for host personas (filled by the fleet after all devices exist). */
  children?: () => Device[];
  /** The host this device sits in, for DPU personas. */
  parent?: () => Device | undefined;
}

/**
 * A kind of simulated device. A persona is stateless and shared: per-device state lives on the {@link Device}; the
 * router and its handlers read and change that state.
 */
export interface Persona {
  readonly name: string;
  readonly router: Router;
  /** Default credentials; real NVIDIA BMCs ship `root`, OpenBMC `root`/`0penBmc`. */
  readonly defaultUser: string;
  readonly defaultPassword: string;
  /** `@odata.id` of the system and manager whose state the device model drives. */
  paths(options: Record<string, unknown>): { system: string; manager: string };
  profile(options: Record<string, unknown>): DeviceProfile;
  /** Fills firmware, logs and persona-owned state. Called once per device before its listener starts. */
  setup(device: Device, ctx: SetupContext): void;
  /** Applies a fault this persona understands; returns false when the fault does not apply to it. */
  applyFault(device: Device, fault: Fault): boolean;
  /** `$metadata` CSDL document. */
  metadata(device: Device): string;
}
