import type { DeviceSession, RedfishExtension } from '../api.js';

/** NVIDIA's documented target for a BFB bundle pushed to the Arm side through rshim. */
export const BFB_TARGET = '/redfish/v1/UpdateService/FirmwareInventory/DPU_OS';

const isBfb = (uri: string) => /\.bfb(\?|$)/i.test(uri);

/**
 * BFB deployment: a `.bfb` bundle goes through `SimpleUpdate` with the DPU_OS target, which the BMC streams into the
 * Arm cores over rshim; the cores reboot into the installer (Immediate) or take it on the next reset (OnReset, BlueField-3
 * only). Other images take the generic path.
 */
export const bfbUpdate: RedfishExtension = {
  name: 'bfb-update',
  description: 'sends .bfb bundles through SimpleUpdate to the DPU_OS target (installed over rshim); other images take the generic path',
  extend(base: DeviceSession): Partial<DeviceSession> {
    if (!base.pullUpdate) return {};
    const pull = base.pullUpdate.bind(base);
    return {
      async pullUpdate(ctx, imageUri, opts) {
        if (!isBfb(imageUri) || opts.targets?.length) return pull(ctx, imageUri, opts);
        return pull(ctx, imageUri, { ...opts, targets: [BFB_TARGET] });
      },
    };
  },
};
