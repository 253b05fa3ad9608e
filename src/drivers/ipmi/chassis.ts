/**
 * Chassis control: `chassis power status`, `chassis status`, `chassis bootparam get 5` (boot flags), and the
 * argument lists for `chassis power <op>` and `chassis bootdev`. Pure: text in, model values out; model values in,
 * ipmitool arguments out.
 */
import type { BootOverride, HealthValue, PowerStateValue, ResetType, UnmappedNote } from '../../model/inventory.js';
import { field, keyValues, type Parsed } from './text.js';

/** `Chassis Power is on` / `off`. */
export function parsePowerStatus(text: string): PowerStateValue | undefined {
  const m = /Chassis Power is (on|off)\b/i.exec(text);
  if (!m) return undefined;
  return m[1]!.toLowerCase() === 'on' ? 'On' : 'Off';
}

/** What `chassis status` says beyond power. */
export interface ChassisStatus {
  powerState?: PowerStateValue;
  /** Worst of the fault flags: power faults are critical, cooling and drive faults a warning. */
  health: HealthValue;
  /** Redfish `LastResetCause`, from `Last Power Event` where it says why power last changed. */
  lastResetCause?: string;
  /** Fault flags that are set, by ipmitool's name, for messages. */
  faults: string[];
}

const CRITICAL_FAULTS = ['Power Overload', 'Main Power Fault', 'Power Control Fault'];
const WARNING_FAULTS = ['Drive Fault', 'Cooling/Fan Fault'];

/** IPMI "Last Power Event" bits, as ipmitool names them, onto Redfish `LastResetCause`. */
const LAST_EVENT: Record<string, string> = {
  command: 'ManagementCommand',
  'ac-failed': 'PowerEvent',
  overload: 'PowerEvent',
  interlock: 'PowerEvent',
  fault: 'PowerEvent',
};

/** Parses `chassis status`. */
export function parseChassisStatus(text: string): Parsed<ChassisStatus> {
  const { entries, other } = keyValues(text);
  const unmapped: UnmappedNote[] = other.map((line) => ({ source: 'chassis', reason: `unrecognised line: ${line}` }));
  const power = field(entries, 'System Power');
  const faults = [...CRITICAL_FAULTS, ...WARNING_FAULTS].filter((k) => /^true$/i.test(field(entries, k) ?? ''));
  const health: HealthValue = faults.some((f) => CRITICAL_FAULTS.includes(f)) ? 'Critical' : faults.length ? 'Warning' : 'OK';
  const value: ChassisStatus = { health, faults };
  if (power === 'on') value.powerState = 'On';
  else if (power === 'off') value.powerState = 'Off';
  else unmapped.push({ source: 'chassis', path: 'System Power', reason: `unknown power state "${power ?? ''}"` });
  const last = field(entries, 'Last Power Event');
  if (last) {
    const cause = last.split(/[\s,]+/).map((w) => LAST_EVENT[w.toLowerCase()]).find((c) => c !== undefined);
    if (cause) value.lastResetCause = cause;
    else unmapped.push({ source: 'chassis', path: 'Last Power Event', reason: `unknown power event "${last}"` });
  }
  return { value, unmapped };
}

/** Boot device selector (IPMI 2.0 table 28-14, parameter 5 data byte 2 bits 5:2) onto Redfish targets. */
const SELECTOR_TARGETS: Record<number, string> = {
  0x0: 'None',
  0x1: 'Pxe',
  0x2: 'Hdd',
  0x3: 'Hdd', // default hard drive, safe mode
  0x4: 'Diags',
  0x5: 'Cd',
  0x6: 'BiosSetup',
  0x7: 'RemoteDrive', // remote floppy / removable media
  0x8: 'RemoteDrive', // remote CD/DVD
  0x9: 'RemoteDrive', // primary remote media
  0xb: 'RemoteDrive', // remote hard disk
  0xf: 'Floppy', // primary removable media
};

/** The same, from ipmitool's text, for BMCs whose data line is missing or unusual. */
const SELECTOR_TEXT: [RegExp, string][] = [
  [/no override/i, 'None'],
  [/pxe/i, 'Pxe'],
  [/hard-?drive|hard disk/i, 'Hdd'],
  [/diagnostic/i, 'Diags'],
  [/cd\/dvd/i, 'Cd'],
  [/bios setup/i, 'BiosSetup'],
  [/remote/i, 'RemoteDrive'],
  [/floppy|removable/i, 'Floppy'],
];

/** Redfish targets the driver can set, each with its `ipmitool chassis bootdev` device. */
export const BOOTDEV: Readonly<Record<string, string>> = {
  None: 'none',
  Pxe: 'pxe',
  Hdd: 'disk',
  Cd: 'cdrom',
  BiosSetup: 'bios',
};

export const BOOT_TARGETS: readonly string[] = Object.keys(BOOTDEV);

/**
 * Parses `chassis bootparam get 5`. The hex data line is read first because it is exact; the text lines are the
 * fallback. An override whose valid bit is clear is `Disabled` even when the selector still names a device: BIOSes
 * clear the bit when they consume a one-time override and leave the selector as it was.
 */
export function parseBootFlags(text: string): Parsed<BootOverride> {
  const unmapped: UnmappedNote[] = [];
  let valid: boolean | undefined;
  let persistent: boolean | undefined;
  let efi: boolean | undefined;
  let target: string | undefined;
  const data = /Boot parameter data:\s*([0-9a-f]{4,})/i.exec(text)?.[1];
  if (data) {
    const b0 = Number.parseInt(data.slice(0, 2), 16);
    const b1 = Number.parseInt(data.slice(2, 4), 16);
    valid = (b0 & 0x80) !== 0;
    persistent = (b0 & 0x40) !== 0;
    efi = (b0 & 0x20) !== 0;
    target = SELECTOR_TARGETS[(b1 >> 2) & 0x0f];
  } else {
    if (/Boot Flag Valid/i.test(text)) valid = true;
    else if (/Boot Flag Invalid/i.test(text)) valid = false;
    if (/apply to all future boots/i.test(text)) persistent = true;
    else if (/apply to only next boot/i.test(text)) persistent = false;
    if (/BIOS EFI boot/i.test(text)) efi = true;
    else if (/legacy\) boot/i.test(text)) efi = false;
    const sel = /Boot Device Selector\s*:\s*(.+)/i.exec(text)?.[1];
    if (sel) target = SELECTOR_TEXT.find(([re]) => re.test(sel))?.[1];
  }
  if (target === undefined) unmapped.push({ source: 'bootparam', path: 'Boot Device Selector', reason: 'unknown boot device selector' });
  if (valid === undefined) {
    unmapped.push({ source: 'bootparam', reason: 'boot flags not found in bootparam output' });
    return { value: { allowableTargets: [...BOOT_TARGETS] }, unmapped };
  }
  const value: BootOverride = {
    enabled: !valid || target === 'None' ? 'Disabled' : persistent ? 'Continuous' : 'Once',
    allowableTargets: [...BOOT_TARGETS],
  };
  if (target !== undefined) value.target = target;
  if (efi !== undefined) value.mode = efi ? 'UEFI' : 'Legacy';
  return { value, unmapped };
}

/**
 * `chassis bootdev` arguments for a Redfish override, or a reason it cannot be expressed. `target` must already be
 * resolved (the session fills it from the current flags when the caller changes only `enabled` or `mode`).
 */
export function bootdevArgs(o: BootOverride): string[] | { unsupported: string } {
  if (o.enabled === 'Disabled' || o.target === 'None') return ['chassis', 'bootdev', 'none'];
  const dev = o.target === undefined ? undefined : BOOTDEV[o.target];
  if (dev === undefined) return { unsupported: `boot target ${o.target ?? '(none)'} is not one of ${BOOT_TARGETS.join(', ')}` };
  const options = [o.enabled === 'Continuous' ? 'persistent' : undefined, o.mode === 'UEFI' ? 'efiboot' : undefined].filter((x) => x);
  return ['chassis', 'bootdev', dev, ...(options.length ? [`options=${options.join(',')}`] : [])];
}

/** Redfish reset types onto `chassis power` operations. `diag` (Nmi) is left out: many BMCs, ipmi_sim too, refuse it. */
export const POWER_OPS: Readonly<Partial<Record<ResetType, string>>> = {
  On: 'on',
  ForceOff: 'off',
  GracefulShutdown: 'soft',
  PowerCycle: 'cycle',
  ForceRestart: 'reset',
};

export const RESET_TYPES: ResetType[] = Object.keys(POWER_OPS) as ResetType[];
