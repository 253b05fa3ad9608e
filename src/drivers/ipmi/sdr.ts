/**
 * Threshold sensors from `ipmitool sensor list` (reading, unit, status and six thresholds) or, as a fallback,
 * `ipmitool sdr list` (reading and status only), as Redfish `Sensor` components. Pure: text in, components out.
 */
import type { ComponentInfo, HealthValue, ResourceStatus, UnmappedNote } from '../../model/inventory.js';
import { cells, num, type Parsed } from './text.js';

/** ipmitool unit names onto Redfish `ReadingUnits` (UCUM) and `ReadingType`. */
const UNITS: Record<string, { units: string; type: string }> = {
  'degrees c': { units: 'Cel', type: 'Temperature' },
  rpm: { units: 'RPM', type: 'Rotational' },
  volts: { units: 'V', type: 'Voltage' },
  amps: { units: 'A', type: 'Current' },
  watts: { units: 'W', type: 'Power' },
  percent: { units: '%', type: 'Percent' },
  cfm: { units: '[ft_i]3/min', type: 'AirFlow' },
  hz: { units: 'Hz', type: 'Frequency' },
  joules: { units: 'J', type: 'EnergyJoules' },
};

/** `sensor list` threshold columns, in ipmitool's order, and the Redfish `Thresholds` property each becomes. */
const THRESHOLD_COLUMNS = ['LowerFatal', 'LowerCritical', 'LowerCaution', 'UpperCaution', 'UpperCritical', 'UpperFatal'] as const;

/**
 * ipmitool's status column: `ok`, `nc` (non-critical), `cr` (critical), `nr` (non-recoverable), `ns` (no reading);
 * `sdr elist` spells out which threshold (`unc`, `lcr`, `unr`...).
 */
function statusOf(s: string): ResourceStatus | undefined {
  const t = s.toLowerCase();
  const health: HealthValue | undefined =
    t === 'ok' ? 'OK' : /^[ul]?nc$/.test(t) ? 'Warning' : /^[ul]?(cr|nr)$/.test(t) ? 'Critical' : undefined;
  if (health) return { state: 'Enabled', health };
  if (t === 'ns' || t === 'na') return { state: 'Absent' };
  return undefined;
}

/** A Redfish-safe, stable sensor id from the SDR name: `Inlet Temp` becomes `InletTemp`. */
function sensorId(name: string, taken: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9]+/g, '') || 'Sensor';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  taken.add(id);
  return id;
}

/**
 * Converts a reading and its thresholds to Redfish units. Fahrenheit is converted because Redfish has only `Cel`
 * for temperature; everything else passes through.
 */
function convert(unit: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (unit === 'degrees f') return Math.round(((v - 32) * 5 * 1000) / 9) / 1000;
  return v;
}

/** Parses `sensor list` or `sdr list` output. `parent` is the chassis the sensors belong to. */
export function parseSensors(text: string, parent: { kind: 'Chassis'; id: string }, source = 'sdr'): Parsed<ComponentInfo[]> {
  const out: ComponentInfo[] = [];
  const unmapped: UnmappedNote[] = [];
  const taken = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const c = cells(line);
    let name: string;
    let reading: number | undefined;
    let unit: string;
    let status: string;
    let thresholds: (string | undefined)[] = [];
    if (c.length >= 10) {
      // sensor list: name | reading | unit | status | lnr | lcr | lnc | unc | ucr | unr
      [name = '', , unit = '', status = ''] = c;
      reading = num(c[1]);
      thresholds = c.slice(4, 10);
    } else if (c.length === 3 || c.length === 5) {
      // sdr list: name | "24 degrees C" | status;  sdr elist: name | 30h | status | entity | "24 degrees C"
      name = c[0] ?? '';
      status = c[2] ?? '';
      const m = /^(-?\d+(?:\.\d+)?)\s+(.+)$/.exec(c[c.length === 3 ? 1 : 4] ?? '');
      reading = m ? Number(m[1]) : undefined;
      unit = m?.[2] ?? (c[c.length === 3 ? 1 : 4] ?? '');
    } else {
      unmapped.push({ source, reason: `unrecognised sensor line: ${line.trim()}` });
      continue;
    }
    const u = unit.toLowerCase();
    const kind = UNITS[u === 'degrees f' ? 'degrees c' : u];
    if (!kind) {
      // Discrete sensors (`discrete`, `0x0080`) carry state bits, not a reading Redfish's Sensor can hold.
      unmapped.push({ source, path: name, reason: `sensor with unit "${unit}" is not a numeric threshold sensor` });
      continue;
    }
    const props: Record<string, unknown> = { ReadingType: kind.type, ReadingUnits: kind.units };
    const value = convert(u, reading);
    if (value !== undefined) props.Reading = value;
    const limits: Record<string, { Reading: number }> = {};
    thresholds.forEach((t, i) => {
      const v = convert(u, num(t));
      const key = THRESHOLD_COLUMNS[i];
      if (v !== undefined && key) limits[key] = { Reading: v };
    });
    if (Object.keys(limits).length > 0) props.Thresholds = limits;
    const st = statusOf(status);
    if (!st) unmapped.push({ source, path: name, reason: `unknown sensor status "${status}"` });
    out.push({
      kind: 'Sensor',
      id: sensorId(name, taken),
      parent,
      name,
      identity: {},
      ...(st ? { status: value === undefined && st.state === 'Enabled' ? { state: 'Absent' } : st } : {}),
      properties: props,
      source,
    });
  }
  return { value: out, unmapped };
}
