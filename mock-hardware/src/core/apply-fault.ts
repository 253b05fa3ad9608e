import type { Device } from './device.js';
import type { Fault } from './faults.js';

/**
 * Faults whose effect is the same on every persona: power loss, BMC crash/hang/reboot, a hang at a boot stage, and the
 * network-level faults. Returns false for faults a persona must handle itself.
 */
export function applyCommonFault(device: Device, fault: Fault): boolean {
  switch (fault.kind) {
    case 'power-loss':
      device.powerOff(false);
      device.log('EventLog').event(device.clock.now(), 'ResourceEvent.1.4.ResourceStateChanged', [device.init.systemPath, 'AC power lost'], 'Critical', device.init.systemPath);
      if (fault.restoreAfterMs !== undefined) {
        device.clock.setTimeout(() => {
          if (device.powerRestorePolicy !== 'AlwaysOff') device.powerOn();
        }, fault.restoreAfterMs);
      }
      return true;
    case 'bmc-crash':
      device.log('EventLog').event(device.clock.now(), 'ResourceEvent.1.4.ResourceStateChanged', [device.init.managerPath, 'BMC crashed'], 'Critical', device.init.managerPath);
      device.rebootBmc(fault.downMs ?? device.profile.bmcBootMs, 'crash');
      return true;
    case 'bmc-reboot':
      device.rebootBmc(fault.downMs ?? device.profile.bmcBootMs, 'reboot');
      return true;
    case 'bmc-hang':
      device.hangBmc(fault.durationMs);
      return true;
    case 'boot-hang': {
      const known = device.profile.bootStages.some((s) => s.name === fault.stage || s.lastState === fault.stage);
      if (!known) throw new Error(`boot-hang: no stage ${fault.stage}; stages: ${device.profile.bootStages.map((s) => s.name).join(', ')}`);
      device.addHold({ stage: fault.stage, reason: 'boot-hang' });
      // The hang shows on the next boot, which the fault starts: a running system cannot hang in an early stage.
      if (device.power === 'On') device.restart();
      else device.powerOn();
      return true;
    }
    case 'latency':
    case 'error-rate':
    case 'malformed-json':
    case 'connection-reset':
    case 'slow-firmware-inventory':
      device.addNetFault(fault);
      return true;
    default:
      return false;
  }
}

/**
 * Registers how to undo a persona-specific fault (e.g. a reprogrammed accelerator), run by {@link clearFaults}. Kept on
 * the device so personas need no hook of their own in the fleet.
 */
export function onFaultsCleared(device: Device, undo: () => void): void {
  ((device.extra.faultUndo ??= []) as (() => void)[]).push(undo);
}

/** Undoes persistent faults: holds, network faults, a hung BMC, health. Crash states stay until a reset, as on hardware. */
export function clearFaults(device: Device): void {
  const undo = (device.extra.faultUndo ?? []) as (() => void)[];
  device.extra.faultUndo = [];
  for (const u of undo.reverse()) u();
  for (const f of [...device.netFaults]) device.removeNetFault(f.id);
  for (const reason of new Set(device.holds.map((h) => h.reason))) device.releaseHold(reason);
  device.unhangBmc();
}
