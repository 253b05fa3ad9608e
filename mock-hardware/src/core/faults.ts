/**
 * Fault vocabulary. One discriminated union serves the library, the control API, the CLI and fleet-file schedules,
 * so a fault spelled in YAML is exactly the object a test passes to `fleet.inject`.
 */

/** Latency either fixed or drawn from a distribution (virtual milliseconds). */
export type LatencySpec =
  | { fixedMs: number }
  | { distribution: 'uniform'; minMs: number; maxMs: number }
  | { distribution: 'normal'; meanMs: number; stddevMs: number }
  | { distribution: 'exponential'; meanMs: number };

/** Restricts a network fault to request paths starting with this prefix (e.g. `/redfish/v1/UpdateService`). */
interface Scoped {
  resource?: string;
  /** Virtual milliseconds after which the fault clears itself. Omit to keep it until cleared. */
  durationMs?: number;
}

export type Fault =
  /** The DPU's Arm OS panics; kdump runs; OemLastState shows OsCrashDumpInProgress then OsCrashDumpIsComplete. */
  | { kind: 'dpu-kernel-panic'; dumpMs?: number; reboot?: boolean }
  /** DPU firmware (ATF/NIC) crashes: FWFaultCrashDumpInProgress then FWFaultCrashDumpIsComplete. */
  | { kind: 'dpu-firmware-crash'; dumpMs?: number }
  /** The system loses power. With `restoreAfterMs`, power returns and the system boots (PowerRestorePolicy AlwaysOn). */
  | { kind: 'power-loss'; restoreAfterMs?: number }
  /** Host OS crash. Soft: the OS panics and the watchdog reboots it. Hard: the host hangs and needs a reset. */
  | { kind: 'host-crash'; mode: 'soft' | 'hard' }
  /** BMC crash: the BMC stops answering (connections refused), reboots, and loses sessions and subscriptions. */
  | { kind: 'bmc-crash'; downMs?: number }
  /** BMC hang: TCP connects but no response arrives until the hang clears (`durationMs`) or it is cleared. */
  | { kind: 'bmc-hang'; durationMs?: number }
  /** An orderly BMC reboot, as after a BMC firmware update. */
  | { kind: 'bmc-reboot'; downMs?: number }
  /** PCIe uncorrectable error on a slot, logged by the host BMC. `slot` is a PCIeDevice id; default the first. */
  | { kind: 'pcie-uncorrectable'; slot?: string }
  /** Corrupted SPI/eMMC boot flash: the DPU sticks in BootRom or BL2 until it recovers from the golden image. */
  | { kind: 'corrupted-flash'; stage?: 'BootRom' | 'BL2'; recoverAfterMs?: number; recover?: boolean }
  /** A DIMM is missing or failed: memory initialisation fails and the host stops booting. */
  | { kind: 'dimm-failure'; dimm?: string; mode?: 'missing' | 'failed' }
  /**
   * A DPU accelerator engine changes under the gateway, as after an FPGA/DPA reprogram or an engine being fused off:
   * `disable` takes the function offline; `reprogram` changes its Version (and, with `type`, its function type).
   * `function` is an AccelerationFunction id (default `Regex`). Cleared by clearing the device's faults.
   */
  | { kind: 'accelerator-change'; function?: string; mode?: 'disable' | 'reprogram'; version?: string; type?: string }
  /** The boot stops at a named stage (persona stage name, e.g. `BL31`, or a BootProgress LastState). */
  | { kind: 'boot-hang'; stage: string }
  | ({ kind: 'latency' } & LatencySpec & Scoped)
  | ({ kind: 'error-rate'; rate: number; status?: 500 | 503 } & Scoped)
  | ({ kind: 'malformed-json'; rate?: number } & Scoped)
  | ({ kind: 'connection-reset'; rate?: number } & Scoped)
  /** FirmwareInventory answers slowly: latency scoped to `/redfish/v1/UpdateService/FirmwareInventory`. */
  | ({ kind: 'slow-firmware-inventory' } & Partial<LatencySpec> & Scoped);

export type FaultKind = Fault['kind'];

/** Every fault kind, for CLI help and input validation. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'dpu-kernel-panic',
  'dpu-firmware-crash',
  'power-loss',
  'host-crash',
  'bmc-crash',
  'bmc-hang',
  'bmc-reboot',
  'pcie-uncorrectable',
  'corrupted-flash',
  'dimm-failure',
  'accelerator-change',
  'boot-hang',
  'latency',
  'error-rate',
  'malformed-json',
  'connection-reset',
  'slow-firmware-inventory',
];

/** Checks untrusted input (control API, YAML, CLI) and returns it typed. Throws with a readable message. */
export function parseFault(input: unknown): Fault {
  if (!input || typeof input !== 'object') throw new Error('fault must be an object with a "kind"');
  const f = input as Record<string, unknown>;
  if (!FAULT_KINDS.includes(f.kind as FaultKind)) {
    throw new Error(`unknown fault kind ${JSON.stringify(f.kind)}; known: ${FAULT_KINDS.join(', ')}`);
  }
  const num = (k: string) => {
    if (f[k] !== undefined && (typeof f[k] !== 'number' || !Number.isFinite(f[k]) || (f[k] as number) < 0)) {
      throw new Error(`fault ${String(f.kind)}: ${k} must be a non-negative number`);
    }
  };
  for (const k of ['dumpMs', 'restoreAfterMs', 'downMs', 'durationMs', 'recoverAfterMs', 'fixedMs', 'minMs', 'maxMs', 'meanMs', 'stddevMs', 'rate']) num(k);
  if (f.rate !== undefined && (f.rate as number) > 1) throw new Error('rate is a probability in [0, 1]');
  if (f.kind === 'host-crash' && f.mode !== 'soft' && f.mode !== 'hard') throw new Error('host-crash needs mode soft or hard');
  if (f.kind === 'accelerator-change' && f.mode !== undefined && f.mode !== 'disable' && f.mode !== 'reprogram') throw new Error('accelerator-change mode is disable or reprogram');
  if (f.kind === 'boot-hang' && typeof f.stage !== 'string') throw new Error('boot-hang needs a stage name');
  if (f.kind === 'error-rate' && typeof f.rate !== 'number') throw new Error('error-rate needs a rate');
  if (f.kind === 'latency' && f.fixedMs === undefined && f.distribution === undefined) throw new Error('latency needs fixedMs or a distribution');
  return f as unknown as Fault;
}

/** Draws one latency sample in virtual milliseconds. */
export function drawLatency(spec: Partial<LatencySpec>, next: () => number, normal: () => number): number {
  const s = spec as Record<string, number | string | undefined>;
  const n = (k: string) => Number(s[k] ?? 0);
  if (s.fixedMs !== undefined) return n('fixedMs');
  switch (s.distribution) {
    case 'uniform':
      return n('minMs') + next() * (n('maxMs') - n('minMs'));
    case 'normal':
      return Math.max(0, n('meanMs') + normal() * n('stddevMs'));
    case 'exponential':
      return -Math.log(1 - next()) * n('meanMs');
  }
  return 0;
}
