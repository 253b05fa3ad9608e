/**
 * Text of the files ipmi_sim reads for one simulated legacy BMC: `lan.conf`, `bmc.emu` and the `chassis_control`
 * script. Kept apart from process handling so that the files can be generated, inspected and tested without root.
 */
import { createHash } from 'node:crypto';
import { encodeFru, type FruIdentity } from './fru.js';
import { fullSensorRecord, type ThresholdSensor } from './sdr.js';

/** One System Event Log record (IPMI 2.0 §32.1, record type 0x02: system event). */
export interface SelEntry {
  /** When the event happened. */
  timestamp: Date;
  /** Sensor type code, e.g. 0x09 power unit, 0x0c memory, 0x1d system boot initiated. */
  sensorType: number;
  sensorNumber: number;
  /** Event/reading type code: 0x01 threshold, 0x6f sensor-specific. */
  eventType: number;
  /** True for a deassertion event. */
  deassertion?: boolean;
  /** Event data bytes 1..3 (byte 1 carries the offset). */
  data: [number, number, number];
}

/** What the generated files need to know about the device. */
export interface IpmiSimFiles {
  /** Name ipmi_sim reports; also seeds the system GUID. */
  name: string;
  address: string;
  port: number;
  user: string;
  password: string;
  /** Absolute path of the chassis_control script. */
  chassisScript: string;
  fru: FruIdentity;
  sel: readonly SelEntry[];
  sensors: readonly ThresholdSensor[];
  /** Directory with one file per sensor (named by sensor number, decimal) holding the raw reading. */
  sensorDir: string;
}

/** IPMB address of the simulated BMC. 0x20 is the conventional BMC slave address. */
export const BMC_ADDR = 0x20;

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/**
 * Default SEL: what a freshly power-cycled server with one corrected memory error and one thermal excursion shows.
 * Times are fixed so that a fleet built from the same seed prints the same log.
 */
export function defaultSel(base: Date = new Date(Date.UTC(2024, 0, 1, 8))): SelEntry[] {
  const at = (minutes: number): Date => new Date(base.getTime() + minutes * 60_000);
  return [
    { timestamp: at(0), sensorType: 0x09, sensorNumber: 0x01, eventType: 0x6f, data: [0x00, 0xff, 0xff] }, // power off
    { timestamp: at(1), sensorType: 0x1d, sensorNumber: 0x02, eventType: 0x6f, data: [0x00, 0xff, 0xff] }, // boot by power-up
    { timestamp: at(42), sensorType: 0x0c, sensorNumber: 0x03, eventType: 0x6f, data: [0x00, 0xff, 0x00] }, // correctable ECC
    // Upper critical going high; byte 1 0x59 says bytes 2 and 3 carry the reading (95) and the threshold (90).
    { timestamp: at(97), sensorType: 0x01, sensorNumber: 0x31, eventType: 0x01, data: [0x59, 0x5f, 0x5a] },
  ];
}

/** Encodes a SEL entry as the 13 data bytes `sel_add` takes after the record type. */
export function selBytes(entry: SelEntry): number[] {
  const seconds = Math.floor(entry.timestamp.getTime() / 1000) >>> 0;
  return [
    seconds & 0xff,
    (seconds >>> 8) & 0xff,
    (seconds >>> 16) & 0xff,
    (seconds >>> 24) & 0xff,
    BMC_ADDR,
    0x00, // generator id: BMC, channel 0, LUN 0
    0x04, // event message format revision (IPMI 1.5+)
    entry.sensorType & 0xff,
    entry.sensorNumber & 0xff,
    ((entry.deassertion ? 0x80 : 0) | (entry.eventType & 0x7f)) & 0xff,
    ...entry.data.map((b) => b & 0xff),
  ];
}

/** ipmi_sim's config tokenizer has no escapes, so quotes or whitespace would silently change the meaning. */
export function assertConfToken(what: string, value: string): void {
  if (value.length === 0 || /["\s\\]/.test(value)) {
    throw new Error(`ipmi-legacy: ${what} must be non-empty and contain no quotes, backslashes or whitespace`);
  }
}

/** A stable 16-byte system GUID derived from the device name, as 32 hex digits. */
export function guidFor(name: string): string {
  return createHash('sha256').update(`ipmi-legacy:${name}`).digest('hex').slice(0, 32);
}

/** `lan.conf`: one LAN channel on the device's address, one admin user, and the chassis_control hook. */
export function lanConf(f: IpmiSimFiles): string {
  assertConfToken('user', f.user);
  assertConfToken('password', f.password);
  assertConfToken('chassis script path', f.chassisScript);
  assertConfToken('name', f.name);
  return [
    `name "${f.name}"`,
    `set_working_mc ${hex(BMC_ADDR)}`,
    '  startlan 1',
    `    addr ${f.address} ${f.port}`,
    '    priv_limit admin',
    '    allowed_auths_callback none md2 md5 straight',
    '    allowed_auths_user none md2 md5 straight',
    '    allowed_auths_operator none md2 md5 straight',
    '    allowed_auths_admin none md2 md5 straight',
    `    guid ${guidFor(f.name)}`,
    '  endlan',
    `  chassis_control "${f.chassisScript} ${hex(BMC_ADDR)}"`,
    `  user 2 true "${f.user}" "${f.password}" admin 10 none md2 md5 straight`,
    '',
  ].join('\n');
}

/** Path of the file a sensor's raw reading is polled from. */
export function sensorFile(sensorDir: string, sensor: ThresholdSensor): string {
  return `${sensorDir}/${sensor.number}`;
}

/** `bmc.emu`: the BMC itself, its FRU image, its sensors (SDRs polled from files), and the SEL with its entries. */
export function bmcEmu(f: IpmiSimFiles): string {
  assertConfToken('sensor directory', f.sensorDir);
  const fru = encodeFru(f.fru);
  const sensors = f.sensors.flatMap((sensor, i) => [
    `main_sdr_add ${hex(BMC_ADDR)} ${fullSensorRecord(sensor, i + 1).map(hex).join(' ')}`,
    // ipmi_sim re-reads the file every 500 ms and raises threshold events itself when the value crosses one.
    `sensor_add ${hex(BMC_ADDR)} 0 ${hex(sensor.number)} ${hex(sensor.sensorType)} 0x01 poll 500 file "${sensorFile(f.sensorDir, sensor)}"`,
  ]);
  const lines = [
    `mc_setbmc ${hex(BMC_ADDR)}`,
    // device id 0x23, revision 9, firmware 8.0x9f, manufacturer 0x1291, product 0x0f02; has a SEL, FRU and chassis.
    `mc_add ${hex(BMC_ADDR)} 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0x0f02 persist_sdr`,
    `mc_add_fru_data ${hex(BMC_ADDR)} 0 ${fru.length} data ${fru.map(hex).join(' ')}`,
    ...sensors,
    `sel_enable ${hex(BMC_ADDR)} 1000 0x0a`,
    ...f.sel.map((e) => `sel_add ${hex(BMC_ADDR)} 0x02 ${selBytes(e).map(hex).join(' ')}`),
    `mc_enable ${hex(BMC_ADDR)}`,
    '',
  ];
  return lines.join('\n');
}

/**
 * The `chassis_control` script. ipmi_sim runs it as `SCRIPT <mc> get NAME...` (print `NAME:VALUE` per line) and
 * `SCRIPT <mc> set NAME VALUE [NAME VALUE]...`. State lives in files next to the script so the simulator can read
 * it (and change it, e.g. for a power-loss fault) without talking IPMI. Every change is appended to `events.log`.
 */
export function chassisScript(): string {
  return `#!/bin/sh
# chassis_control hook for ipmi_sim, generated by mock-hardware (ipmi-legacy persona).
dir=$(dirname "$0")
state="$dir/state"
[ $# -ge 2 ] || exit 1
shift 1
op=$1
shift 1
valid() {
  case "$1" in
    ''|*[!a-z_]*) return 1 ;;
  esac
  return 0
}
case "$op" in
  get)
    for name in "$@"; do
      valid "$name" || exit 1
      if [ -f "$state/$name" ]; then
        value=$(cat "$state/$name")
      elif [ "$name" = boot ]; then
        value=none
      else
        value=0
      fi
      printf '%s:%s\\n' "$name" "$value"
    done
    ;;
  set)
    while [ $# -ge 2 ]; do
      valid "$1" || exit 1
      case "$2" in
        ''|*[!A-Za-z0-9_.-]*) exit 1 ;;
      esac
      # write-then-rename so a reader never sees a half-written value
      printf '%s\\n' "$2" > "$state/$1.tmp" && mv "$state/$1.tmp" "$state/$1" || exit 1
      printf '%s set %s %s\\n' "$(date +%s)" "$1" "$2" >> "$dir/events.log"
      # "power soft" arrives as shutdown=1: the simulated OS shuts down at once and the chassis powers off.
      if [ "$1" = shutdown ] && [ "$2" = 1 ]; then
        printf '0\\n' > "$state/power.tmp" && mv "$state/power.tmp" "$state/power" || exit 1
      fi
      shift 2
    done
    ;;
  *)
    exit 1
    ;;
esac
exit 0
`;
}
