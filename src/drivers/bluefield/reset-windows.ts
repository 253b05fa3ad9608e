import { DriverError, type ConnectContext, type DeviceSession, type RedfishExtension } from '../api.js';

/** How long the extension keeps retrying a reset the BMC refuses as too soon. */
const RESET_BUDGET_MS = 5 * 60 * 1000;

/**
 * BlueField BMCs refuse a DPU reset too soon after the last one, and for a while after the BMC itself rebooted
 * (NVIDIA: wait about 30 s). They answer 409 with Retry-After; the runtime turns that into `Busy`. Rather than fail the
 * operator's reset, wait the time the BMC names and try again, within a budget.
 */
export const resetWindows: RedfishExtension = {
  name: 'reset-windows',
  description: 'waits out the BMC\'s minimum interval between DPU resets (409 + Retry-After) instead of failing',
  extend(base: DeviceSession, ctx: ConnectContext): Partial<DeviceSession> {
    return {
      async reset(call, target, type) {
        const deadline = Date.now() + RESET_BUDGET_MS;
        for (;;) {
          try {
            return await base.reset(call, target, type);
          } catch (e) {
            const wait = e instanceof DriverError && e.code === 'Busy' ? (e.details.retryAfterMs ?? 5000) : undefined;
            if (wait === undefined || Date.now() + wait > deadline) throw e;
            ctx.log.info({ target, type, waitMs: wait }, 'BMC asked to wait before the next reset');
            await ctx.io.sleep(Math.max(wait, 100), call.signal);
          }
        }
      },
    };
  },
};
