/** Firmware components with active and staged (pending) versions. */

/** When a staged image takes effect. */
export type Activation = 'bmc-reboot' | 'system-reset' | 'power-cycle' | 'immediate';

export interface FirmwareComponent {
  /** SoftwareInventory id, e.g. `DPU_ATF`. */
  id: string;
  name: string;
  version: string;
  updateable: boolean;
  activation: Activation;
  manufacturer?: string;
  /** Staged image waiting for activation; shown as `<id>_pending` on personas that do so. */
  pending?: { version: string; sha256: string } | undefined;
  /** SHA-256 of the active image, when known. */
  sha256?: string;
  /** `@odata.id`s this component belongs to. */
  related?: string[];
  /** Simulated time to write the image to flash, in virtual ms. */
  flashMs?: number;
  /** Golden (recovery) copy of another component, e.g. the UEFI golden image. */
  goldenOf?: string[];
}

export class FirmwareInventory {
  readonly components = new Map<string, FirmwareComponent>();

  add(c: FirmwareComponent): void {
    this.components.set(c.id, c);
  }

  get(id: string): FirmwareComponent | undefined {
    return this.components.get(id);
  }

  list(): FirmwareComponent[] {
    return [...this.components.values()];
  }

  stage(id: string, version: string, sha256: string): void {
    const c = this.require(id);
    c.pending = { version, sha256 };
  }

  /** Applies an image now. */
  activateNow(id: string, version: string, sha256: string): void {
    const c = this.require(id);
    c.version = version;
    c.sha256 = sha256;
    c.pending = undefined;
  }

  /**
   * Activates every staged image whose activation is covered by `event`. A power cycle also counts as a system reset,
   * because it resets the Arm cores too. Returns the ids that changed.
   */
  activatePending(event: Activation): string[] {
    const covered: Activation[] = event === 'power-cycle' ? ['power-cycle', 'system-reset'] : [event];
    const changed: string[] = [];
    for (const c of this.components.values()) {
      if (c.pending && covered.includes(c.activation)) {
        c.version = c.pending.version;
        c.sha256 = c.pending.sha256;
        c.pending = undefined;
        changed.push(c.id);
      }
    }
    return changed;
  }

  private require(id: string): FirmwareComponent {
    const c = this.components.get(id);
    if (!c) throw new Error(`no firmware component ${id}`);
    return c;
  }
}
