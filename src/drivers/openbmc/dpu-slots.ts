import type { ComponentInfo, DeviceSession, RedfishExtension } from '../api.js';

/** What a DPU looks like from its host: NVIDIA BlueField, Intel IPU, AMD Pensando, or a card that calls itself a DPU. */
const DPU_PATTERN = /bluefield|\bdpu\b|\bipu\b|pensando|smartnic/i;

export function looksLikeDpu(c: ComponentInfo): boolean {
  if (c.kind !== 'PCIeDevice' && c.kind !== 'NetworkAdapter') return false;
  const text = [c.identity.manufacturer, c.identity.model, c.name, c.properties.DeviceType].filter((x) => typeof x === 'string').join(' ');
  return DPU_PATTERN.test(text);
}

/**
 * A host BMC lists its DPU cards under PCIeDevices and NetworkAdapters with the card's serial number, the same serial
 * the DPU's own BMC shows on its card chassis. Marking them lets discovery pair each DPU with its host and slot.
 */
export const dpuSlots: RedfishExtension = {
  name: 'dpu-slots',
  description: 'marks DPU cards in the host\'s PCIeDevices and NetworkAdapters (by vendor/model) so they pair with their own BMCs by serial',
  extend(base: DeviceSession): Partial<DeviceSession> {
    return {
      async inventory(ctx) {
        const snap = await base.inventory(ctx);
        return { ...snap, components: snap.components.map((c) => (looksLikeDpu(c) ? { ...c, isDpu: true } : c)) };
      },
    };
  },
};
