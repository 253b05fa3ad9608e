/**
 * A chassis' EnvironmentMetrics: the temperature, power and energy of the chassis as a whole, each an excerpt of one of
 * its own sensors (`DataSourceUri` points at it), in the shape DMTF's public-smartnic mockup uses. Sensors are never
 * summed: per-supply and per-rail readings do not add up to the chassis figure, so without a chassis-wide sensor the
 * value is left out.
 */
import { MAP_TYPES } from './odata-types.js';
import type { Placed } from './placement.js';

/** Which physical context best stands for the whole chassis, most preferred first. */
const TEMPERATURE_CONTEXTS = ['Intake', 'Room', 'Chassis', 'SystemBoard'];
const TOTAL_CONTEXTS = ['Chassis'];

interface Reading {
  p: Placed;
  reading: number;
  context?: string;
}

function readings(sensors: readonly Placed[], match: (props: Record<string, unknown>) => boolean): Reading[] {
  const out: Reading[] = [];
  for (const p of sensors) {
    const props = (p.c.properties ?? {}) as Record<string, unknown>;
    if (typeof props.Reading !== 'number' || !Number.isFinite(props.Reading) || !match(props)) continue;
    if (p.c.status?.state !== undefined && p.c.status.state !== 'Enabled') continue;
    out.push({ p, reading: props.Reading, ...(typeof props.PhysicalContext === 'string' ? { context: props.PhysicalContext } : {}) });
  }
  return out;
}

/**
 * The preferred reading: by context order, then (IPMI gives no contexts) by a name that says where it is measured,
 * or the only candidate when the device says nothing more.
 */
function pick(rs: Reading[], contexts: string[], names: RegExp): Reading | undefined {
  for (const ctx of contexts) {
    const r = rs.find((x) => x.context === ctx);
    if (r) return r;
  }
  const named = rs.find((x) => x.context === undefined && names.test(`${x.p.c.id} ${x.p.c.name ?? ''}`));
  return named ?? (rs.length === 1 ? rs[0] : undefined);
}

const excerpt = (r: Reading | undefined) => (r ? { Reading: r.reading, DataSourceUri: r.p.uri } : undefined);

/** The EnvironmentMetrics document for a chassis, or undefined when its sensors give nothing chassis-wide. */
export function environmentMetrics(chassisUri: string, sensors: readonly Placed[]): Record<string, unknown> | undefined {
  const isTemp = (p: Record<string, unknown>) => p.ReadingType === 'Temperature' || p.ReadingUnits === 'Cel';
  const temp = pick(readings(sensors, isTemp), TEMPERATURE_CONTEXTS, /inlet|intake|ambient/i);
  const power = pick(readings(sensors, (p) => p.ReadingType === 'Power'), TOTAL_CONTEXTS, /total|chassis/i);
  const energy = pick(readings(sensors, (p) => p.ReadingType === 'EnergykWh'), TOTAL_CONTEXTS, /total|chassis/i);
  if (!temp && !power && !energy) return undefined;
  const uri = `${chassisUri}/EnvironmentMetrics`;
  const body: Record<string, unknown> = { '@odata.id': uri, '@odata.type': MAP_TYPES.EnvironmentMetrics, Id: 'EnvironmentMetrics', Name: 'Chassis Environment Metrics' };
  if (temp) body.TemperatureCelsius = excerpt(temp);
  if (power) body.PowerWatts = excerpt(power);
  if (energy) body.EnergykWh = excerpt(energy);
  return body;
}
