import { DriverError, type DeviceSession, type JobHandle, type RedfishExtension } from '../api.js';

/**
 * What activates a staged BlueField image: the Arm-side components come up on a DPU reboot (ForceRestart resets the
 * Arm cores only), NIC firmware and the ERoT need a power cycle of the card (which the BMC runs only once the host
 * asserts standby), and BMC firmware a BMC reboot. From NVIDIA's "Reset Control" and "Deploying BlueField Software
 * Using BFB" pages.
 */
export const ACTIVATION: Readonly<Record<string, 'ForceRestart' | 'PowerCycle' | 'BmcReset'>> = {
  DPU_ATF: 'ForceRestart',
  DPU_UEFI: 'ForceRestart',
  DPU_BSP: 'ForceRestart',
  DPU_OS: 'ForceRestart',
  DPU_NIC: 'PowerCycle',
  Bluefield_FW_ERoT: 'PowerCycle',
  BMC_Firmware: 'BmcReset',
};

const PENDING = '_pending';

/** `firmware.staged`: activates what is pending (BlueField shows staged images as `<id>_pending` inventory entries). */
export const stagedActivation: RedfishExtension = {
  name: 'staged-activation',
  description: 'activates staged images with the reset each needs: ForceRestart for Arm images, PowerCycle for NIC/ERoT, a BMC reboot for BMC firmware',
  extend(base: DeviceSession): Partial<DeviceSession> {
    if (!base.firmwareInventory) return {};
    const capabilities = new Set(base.capabilities);
    capabilities.add('firmware.staged');
    return {
      capabilities,
      async activate(ctx, targets) {
        const inv = await base.firmwareInventory!(ctx);
        const pending = inv.filter((f) => f.id.endsWith(PENDING)).map((f) => f.id.slice(0, -PENDING.length));
        const wanted = targets?.length ? pending.filter((p) => targets.includes(p)) : pending;
        if (!wanted.length) return { kind: 'done', outcome: { ok: true, messages: [{ Message: 'nothing is staged' }] } };
        const needs = new Set(wanted.map((w) => ACTIVATION[w]).filter((x): x is NonNullable<typeof x> => !!x));
        const unknown = wanted.filter((w) => !ACTIVATION[w]);
        if (unknown.length) throw new DriverError('NotSupported', `no known activation for staged ${unknown.join(', ')}`);
        const snap = await base.inventory(ctx);
        const system = snap.systems[0]?.id;
        const manager = snap.managers[0]?.id;
        let last: JobHandle = { kind: 'done' };
        // A power cycle also restarts the Arm cores, so it covers ForceRestart images.
        if (needs.has('PowerCycle') && system) last = await base.reset(ctx, { kind: 'System', id: system }, 'PowerCycle');
        else if (needs.has('ForceRestart') && system) last = await base.reset(ctx, { kind: 'System', id: system }, 'ForceRestart');
        if (needs.has('BmcReset') && manager) last = await base.reset(ctx, { kind: 'Manager', id: manager }, 'GracefulRestart');
        return last;
      },
    };
  },
};
