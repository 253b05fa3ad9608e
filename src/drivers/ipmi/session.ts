/**
 * One IPMI endpoint as a {@link DeviceSession}. IPMI has no long-lived session worth keeping (ipmitool opens and
 * closes an RMCP+ session per command), so the session object holds only the target and the capability set. The
 * device is a single server: one system, one chassis, one BMC.
 */
import {
  DriverError,
  type BootOverride,
  type CallContext,
  type Capability,
  type ComponentInfo,
  type DeviceSession,
  type InventorySnapshot,
  type JobHandle,
  type JobOutcome,
  type LogRecord,
  type ResetType,
  type ResourceRef,
  type SystemState,
  type UnmappedNote,
} from '../api.js';
import { bootdevArgs, parseBootFlags, parseChassisStatus, parsePowerStatus, POWER_OPS, RESET_TYPES, type ChassisStatus } from './chassis.js';
import { parseFru, type FruInfo } from './fru.js';
import type { Ipmitool } from './ipmitool.js';
import { parseGuid, parseMcInfo, type McInfo } from './mc.js';
import { parseSensors } from './sdr.js';
import { parseSel, parseSelInfo } from './sel.js';

/** Resource ids in the snapshot. IPMI addresses one box, so fixed ids are stable across restarts. */
export const SYSTEM_ID = 'system';
export const CHASSIS_ID = 'chassis';
export const MANAGER_ID = 'bmc';

/** `chassis bootdev` refuses a device on stderr and exits 0; these words mark such a refusal. */
const BOOTDEV_FAILED = /failed|error|invalid/i;

/** The IPMI session: everything a driver call needs is in `tool`. */
export class IpmiSession implements DeviceSession {
  constructor(
    private readonly tool: Ipmitool,
    readonly capabilities: ReadonlySet<Capability>,
  ) {}

  /**
   * Runs an optional read. A BMC that refuses one command (no FRU, no `Get System GUID`) still has the rest of its
   * inventory read; the refusal becomes a note. A dead or locked-out BMC still fails the whole call.
   */
  private async optional(key: string, args: string[], ctx: CallContext, notes: UnmappedNote[], long = false): Promise<string | undefined> {
    try {
      return await this.tool.read(args, ctx.signal, { long });
    } catch (e) {
      if (e instanceof DriverError && (e.code === 'Rejected' || e.code === 'BadResponse')) {
        notes.push({ source: key, reason: `ipmitool ${args.join(' ')} failed: ${e.message}` });
        return undefined;
      }
      throw e;
    }
  }

  /** Power and health from `chassis status`, falling back to `chassis power status` on BMCs that refuse it. */
  private async chassisStatus(ctx: CallContext, notes: UnmappedNote[]): Promise<{ status: Partial<ChassisStatus>; raw: string }> {
    const text = await this.optional('chassis', ['chassis', 'status'], ctx, notes);
    if (text !== undefined) {
      const parsed = parseChassisStatus(text);
      if (parsed.value.powerState !== undefined) {
        notes.push(...parsed.unmapped);
        return { status: parsed.value, raw: text };
      }
    }
    const power = await this.tool.read(['chassis', 'power', 'status'], ctx.signal);
    const powerState = parsePowerStatus(power);
    if (powerState === undefined) notes.push({ source: 'chassis', reason: `unrecognised power status: ${power.trim()}` });
    return { status: powerState ? { powerState } : {}, raw: `${text ?? ''}${power}` };
  }

  async state(ctx: CallContext): Promise<SystemState[]> {
    const { status } = await this.chassisStatus(ctx, []);
    return [systemState(status)];
  }

  async inventory(ctx: CallContext): Promise<InventorySnapshot> {
    const unmapped: UnmappedNote[] = [];
    const raw: Record<string, unknown> = {};
    // Sequential on purpose: each ipmitool call is a BMC session, and BMCs have few.
    const chassis = await this.chassisStatus(ctx, unmapped);
    raw.chassis = chassis.raw;
    const boot = await this.optional('bootparam', ['chassis', 'bootparam', 'get', '5'], ctx, unmapped);
    const fruText = await this.optional('fru', ['fru', 'print', '0'], ctx, unmapped);
    const mcText = await this.optional('mc', ['mc', 'info'], ctx, unmapped);
    const guidText = await this.optional('guid', ['mc', 'guid'], ctx, unmapped);
    const sensorText = await this.optional('sdr', ['sensor', 'list'], ctx, unmapped, true);
    const selText = await this.optional('sel', ['sel', 'info'], ctx, unmapped);
    Object.assign(raw, { bootparam: boot, fru: fruText, mc: mcText, guid: guidText, sdr: sensorText, sel: selText });
    for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];

    const take = <T>(p: { value: T; unmapped: UnmappedNote[] }): T => {
      unmapped.push(...p.unmapped);
      return p.value;
    };
    const fru: FruInfo | undefined = fruText === undefined ? undefined : take(parseFru(fruText));
    const mc: McInfo | undefined = mcText === undefined ? undefined : take(parseMcInfo(mcText));
    const uuid = guidText === undefined ? undefined : take(parseGuid(guidText));
    const bootOverride: BootOverride | undefined = boot === undefined ? undefined : take(parseBootFlags(boot));
    const sensors: ComponentInfo[] = sensorText === undefined ? [] : take(parseSensors(sensorText, { kind: 'Chassis', id: CHASSIS_ID }));
    const selFull = selText === undefined ? undefined : take(parseSelInfo(selText)).overflow;

    const systemIdentity = { ...fru?.system, ...(uuid ? { uuid } : {}) };
    const chassisHealth = chassis.status.health ?? 'OK';
    const takenAt = Date.now();
    return {
      takenAt,
      endpoint: {
        ...fru?.chassis,
        ...(uuid ? { uuid } : {}),
        ...(fru?.productName ? { product: fru.productName } : {}),
        ...(fru?.chassis.manufacturer ? { vendor: fru.chassis.manufacturer } : {}),
      },
      systems: [
        {
          ...systemState(chassis.status),
          systemType: 'Physical',
          isDpu: false,
          name: fru?.productName ?? 'System',
          identity: systemIdentity,
          ...(bootOverride ? { boot: bootOverride } : {}),
          resetTypes: [...RESET_TYPES],
          chassisIds: [CHASSIS_ID],
          managerIds: [MANAGER_ID],
          source: 'chassis',
        },
      ],
      chassis: [
        {
          id: CHASSIS_ID,
          name: 'Chassis',
          ...(fru?.chassisType ? { chassisType: fru.chassisType } : {}),
          identity: fru?.chassis ?? {},
          status: { state: 'Enabled', health: chassisHealth },
          ...(chassis.status.powerState ? { powerState: chassis.status.powerState } : {}),
          systemIds: [SYSTEM_ID],
          managerIds: [MANAGER_ID],
          // IPMI power control is chassis control, so the chassis resets the same way the system does.
          resetTypes: [...RESET_TYPES],
          ...(fruText !== undefined ? { source: 'fru' } : {}),
        },
      ],
      managers: [
        {
          id: MANAGER_ID,
          name: 'BMC',
          managerType: 'BMC',
          identity: {
            ...(mc?.manufacturer ? { manufacturer: mc.manufacturer } : {}),
            ...(mc?.product ? { model: mc.product } : {}),
            ...(mc?.firmwareVersion ? { firmwareVersion: mc.firmwareVersion } : {}),
            ...(uuid ? { uuid } : {}),
          },
          // A full SEL drops new events: worth a warning on the BMC that owns it.
          status: { state: 'Enabled', health: selFull ? 'Warning' : 'OK' },
          resetTypes: [],
          ...(mcText !== undefined ? { source: 'mc' } : {}),
        },
      ],
      components: sensors,
      firmware: mc?.firmwareVersion
        ? [{ id: 'BMC', name: 'BMC firmware', version: mc.firmwareVersion, updateable: false, componentRole: 'BMC', source: 'mc', ...(mc.manufacturer ? { manufacturer: mc.manufacturer } : {}) }]
        : [],
      unmapped,
      raw,
    };
  }

  async reset(ctx: CallContext, target: ResourceRef, type: ResetType): Promise<JobHandle> {
    checkTarget(target.kind === 'Manager' ? undefined : target);
    const op = POWER_OPS[type];
    if (op === undefined) throw new DriverError('NotSupported', `ipmi: reset type ${type} is not supported (supported: ${RESET_TYPES.join(', ')})`);
    await this.tool.write(['chassis', 'power', op], ctx.signal);
    // ipmitool returns once the BMC accepted the command; there is no device-side job to follow.
    return { kind: 'done' };
  }

  async track(_ctx: CallContext, job: JobHandle): Promise<JobOutcome> {
    if (job.kind === 'done') return (job as { outcome?: JobOutcome }).outcome ?? { ok: true, messages: [] };
    throw new DriverError('NotSupported', `ipmi: cannot follow a job of kind ${job.kind}`);
  }

  async setBootOverride(ctx: CallContext, systemId: string, override: BootOverride): Promise<void> {
    checkTarget({ kind: 'System', id: systemId });
    let wanted = override;
    if (wanted.target === undefined && wanted.enabled !== 'Disabled') {
      // Changing only Enabled or Mode re-sends the current device with the new options.
      const current = parseBootFlags(await this.tool.read(['chassis', 'bootparam', 'get', '5'], ctx.signal)).value;
      wanted = { ...current, ...override, target: current.target ?? 'None' };
    }
    const args = bootdevArgs(wanted);
    if (!Array.isArray(args)) throw new DriverError('NotSupported', `ipmi: ${args.unsupported}`);
    await this.tool.write(args, ctx.signal, BOOTDEV_FAILED);
  }

  /**
   * Reads the SEL. `since` keeps only records stamped at or after it, so records without a wall-clock time (`Pre-Init`)
   * are left out of incremental reads: they cannot be placed after anything. `limit` keeps the newest.
   */
  async logs(ctx: CallContext, opts: { since?: string; limit?: number } = {}): Promise<LogRecord[]> {
    const text = await this.tool.read(['sel', 'elist'], ctx.signal, { long: true });
    let records = parseSel(text).value;
    if (opts.since !== undefined) {
      const since = Date.parse(opts.since);
      records = records.filter((r) => r.created !== undefined && Date.parse(r.created) >= since);
    }
    if (opts.limit !== undefined && opts.limit >= 0) records = records.slice(Math.max(0, records.length - opts.limit));
    return records;
  }

  async close(): Promise<void> {
    // Nothing held: every ipmitool call closed its own RMCP+ session.
  }
}

/** The fast-poll state of the one system. */
function systemState(s: Partial<ChassisStatus>): SystemState {
  return {
    id: SYSTEM_ID,
    ...(s.powerState ? { powerState: s.powerState } : {}),
    ...(s.lastResetCause ? { lastResetCause: s.lastResetCause } : {}),
    status: { state: s.powerState === 'Off' ? 'StandbyOffline' : 'Enabled', health: s.health ?? 'OK' },
  };
}

/** Only the one system and chassis exist; the BMC itself cannot be reset through this driver. */
function checkTarget(ref: ResourceRef | undefined): void {
  if (ref === undefined) throw new DriverError('NotSupported', 'ipmi: resetting the BMC is not supported');
  const ok = (ref.kind === 'System' && ref.id === SYSTEM_ID) || (ref.kind === 'Chassis' && ref.id === CHASSIS_ID);
  if (!ok) throw new DriverError('Rejected', `ipmi: no ${ref.kind} with id ${ref.id}`);
}
