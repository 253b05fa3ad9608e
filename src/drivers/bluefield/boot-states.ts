import type { BootProgress, DeviceSession, RedfishExtension, ResourceStatus, SystemState } from '../api.js';

/**
 * NVIDIA reports the Arm boot stage in `BootProgress.OemLastState` (BlueField BMC docs, "BlueField Arm State").
 * DMTF has no value for most of them, so the gateway maps each to the nearest `BootProgressTypes` value and keeps the
 * NVIDIA name in `OemLastState`. The pairs are the project's judgement; NVIDIA documents only the OEM names.
 */
export const OEM_TO_LAST_STATE: Readonly<Record<string, string>> = {
  BootRom: 'PrimaryProcessorInitializationStarted',
  BL2: 'MemoryInitializationStarted',
  BL31: 'SecondaryProcessorInitializationStarted',
  UEFI: 'SystemHardwareInitializationComplete',
  OsStarting: 'OSBootStarted',
  OsIsRunning: 'OSRunning',
  LowPowerStandby: 'None',
  FirmwareUpdateInProgress: 'OEM',
  OsCrashDumpInProgress: 'OEM',
  OsCrashDumpIsComplete: 'OEM',
  FWFaultCrashDumpInProgress: 'OEM',
  FWFaultCrashDumpIsComplete: 'OEM',
  Invalid: 'OEM',
};

/** Stages that mean the Arm side crashed: the system is not healthy whatever its Status says. */
export const CRASH_STATES: ReadonlySet<string> = new Set(['OsCrashDumpInProgress', 'OsCrashDumpIsComplete', 'FWFaultCrashDumpInProgress', 'FWFaultCrashDumpIsComplete']);

export function normaliseBootProgress(bp: BootProgress | undefined): BootProgress | undefined {
  const oem = bp?.oemLastState;
  if (!bp || !oem) return bp;
  const mapped = OEM_TO_LAST_STATE[oem];
  // Trust a specific DMTF value the BMC gave; fill in (or replace a bare OEM) from the table.
  if (!mapped || (bp.lastState && bp.lastState !== 'OEM' && bp.lastState !== 'None')) return bp;
  return { ...bp, lastState: mapped };
}

function refine<T extends SystemState>(s: T): T {
  const bootProgress = normaliseBootProgress(s.bootProgress);
  let status: ResourceStatus | undefined = s.status;
  if (bootProgress?.oemLastState && CRASH_STATES.has(bootProgress.oemLastState)) status = { ...status, health: 'Critical' };
  return { ...s, bootProgress, status };
}

/** OemLastState onto BootProgress, crash stages onto health, and the Arm system marked as a DPU. */
export const oemLastState: RedfishExtension = {
  name: 'oem-last-state',
  description: 'maps NVIDIA OemLastState boot stages onto DMTF BootProgress.LastState; crash-dump stages make the system Critical; marks the Arm system as a DPU',
  extend(base: DeviceSession): Partial<DeviceSession> {
    return {
      async inventory(ctx) {
        const snap = await base.inventory(ctx);
        // BlueField BMCs report SystemType "Physical"; the driver knows better and says so through isDpu.
        return { ...snap, systems: snap.systems.map((s) => ({ ...refine(s), isDpu: true })) };
      },
      async state(ctx) {
        return (await base.state(ctx)).map(refine);
      },
    };
  },
};
