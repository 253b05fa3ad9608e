import type { Device } from '../core/device.js';
import { noContent, RedfishError, type Ctx, type Reply, type Route } from '../http/router.js';

/** BootProgress object for the device's current boot state. */
export function bootProgress(d: Device): Record<string, unknown> {
  const s = d.stage;
  if (d.oemOverride) return { LastState: 'OEM', OemLastState: d.oemOverride, LastStateTime: d.clock.iso() };
  if (!s) return { LastState: 'None' };
  const b: Record<string, unknown> = { LastState: s.lastState };
  if (s.oemLastState) b.OemLastState = s.oemLastState;
  return b;
}

/**
 * The power and boot properties every persona's ComputerSystem shares; `bootTargets` is the persona's list of
 * `BootSourceOverrideTarget` values.
 */
export function powerAndBoot(d: Device, bootTargets: readonly string[]): Record<string, unknown> {
  return {
    PowerState: d.power,
    PowerRestorePolicy: d.powerRestorePolicy,
    BootProgress: bootProgress(d),
    Boot: {
      BootSourceOverrideEnabled: d.bootOverride.enabled,
      BootSourceOverrideMode: 'UEFI',
      BootSourceOverrideTarget: d.bootOverride.target,
      'BootSourceOverrideTarget@Redfish.AllowableValues': bootTargets,
    },
  };
}

/** `Status.State` of a ComputerSystem for its power and boot state. */
export function systemState(d: Device): string {
  if (d.power === 'Off') return 'StandbyOffline';
  if (d.power !== 'On') return 'Starting';
  return d.booted ? 'Enabled' : 'Starting';
}

/** Boot override PATCH shared by system resources. */
export async function patchSystem(ctx: Ctx, targets: string[]): Promise<Reply> {
  const b = await ctx.json();
  const d = ctx.device;
  for (const [k, v] of Object.entries(b)) {
    if (k === 'Boot' && v && typeof v === 'object') {
      const boot = v as Record<string, unknown>;
      for (const [bk, bv] of Object.entries(boot)) {
        if (bk === 'BootSourceOverrideTarget') {
          if (typeof bv !== 'string' || !targets.includes(bv)) throw new RedfishError(400, 'Base.1.22.PropertyValueNotInList', [String(bv), 'BootSourceOverrideTarget']);
          d.bootOverride.target = bv;
          if (d.bootOverride.enabled === 'Disabled' && bv !== 'None') d.bootOverride.enabled = 'Once';
        } else if (bk === 'BootSourceOverrideEnabled') {
          if (bv !== 'Once' && bv !== 'Continuous' && bv !== 'Disabled') throw new RedfishError(400, 'Base.1.22.PropertyValueNotInList', [String(bv), 'BootSourceOverrideEnabled']);
          d.bootOverride.enabled = bv;
        } else throw new RedfishError(400, 'Base.1.22.PropertyUnknown', [`Boot/${bk}`]);
      }
    } else if (k === 'AssetTag' && typeof v === 'string') d.assetTag = v;
    else if (k === 'PowerRestorePolicy' && (v === 'AlwaysOn' || v === 'AlwaysOff' || v === 'LastState')) d.powerRestorePolicy = v;
    else throw new RedfishError(400, 'Base.1.22.PropertyUnknown', [k]);
  }
  return { status: 204 };
}

/**
 * Generic `ComputerSystem.Reset` semantics on the device model. Persona-specific rules (host permission, minimum
 * interval) run before this.
 */
export function genericReset(d: Device, type: string): void {
  switch (type) {
    case 'On':
    case 'ForceOn':
      d.powerOn();
      break;
    case 'ForceOff':
      d.powerOff(false);
      break;
    case 'GracefulShutdown':
      d.powerOff(true);
      break;
    case 'PushPowerButton':
      if (d.power === 'Off') d.powerOn();
      else d.powerOff(true);
      break;
    case 'ForceRestart':
      d.restart();
      break;
    case 'GracefulRestart':
      d.clock.setTimeout(() => d.restart(), d.profile.gracefulShutdownMs);
      d.lastSystemReset = d.clock.now();
      break;
    case 'PowerCycle':
      d.powerCycle();
      break;
    case 'Nmi':
      d.crashWithDump('OsCrashDumpInProgress', 'OsCrashDumpIsComplete', d.profile.crashDumpMs, 'NMI', true);
      break;
    default:
      throw new RedfishError(400, 'Base.1.22.ActionParameterValueNotInList', [type, 'ResetType', 'ComputerSystem.Reset']);
  }
  if (type === 'ForceRestart' || type === 'PowerCycle' || type === 'GracefulRestart') d.health = 'OK';
}

/** Reads and checks `ResetType` against the allowable values. */
export async function resetType(ctx: Ctx, allowed: string[], action: string): Promise<string> {
  const b = await ctx.json();
  const t = b.ResetType;
  if (t === undefined) {
    if (allowed.includes('GracefulRestart')) return 'GracefulRestart';
    throw new RedfishError(400, 'Base.1.22.ActionParameterMissing', [action, 'ResetType']);
  }
  if (typeof t !== 'string' || !allowed.includes(t)) throw new RedfishError(400, 'Base.1.22.ActionParameterValueNotInList', [String(t), 'ResetType', action]);
  return t;
}

/** Rejects a reset that comes too soon after the previous one (409, with Retry-After). */
export function enforceResetInterval(d: Device): void {
  const wait = d.lastSystemReset + d.profile.minResetIntervalMs - d.clock.now();
  if (d.profile.minResetIntervalMs > 0 && wait > 0) {
    throw new RedfishError(409, 'Base.1.22.ResourceInUse', [], { 'Retry-After': String(Math.ceil(wait / 1000)) });
  }
}

/** `Manager.Reset` at `path`: reboots the BMC, answering 204 first so the client sees it before the connection drops, as with bmcweb. */
export function managerResetRoute(path: string): Route {
  return {
    path,
    post: async (ctx) => {
      await resetType(ctx, ['GracefulRestart', 'ForceRestart'], 'Manager.Reset');
      ctx.device.clock.setTimeout(() => ctx.device.rebootBmc(ctx.device.profile.bmcBootMs, 'Manager.Reset'), 500);
      return noContent();
    },
  };
}
