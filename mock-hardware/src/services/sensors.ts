import type { Device } from '../core/device.js';
import { notFound, ok, type Route } from '../http/router.js';
import { collection, status, T } from './shapes.js';

/** One simulated sensor: what it measures and how its reading follows the device's state. */
export interface SensorDef {
  id: string;
  name: string;
  type: 'Temperature' | 'Power';
  context: string;
  read: (d: Device) => number;
  upperCritical: number;
}

function sensor(base: string, d: Device, s: SensorDef): Record<string, unknown> {
  return {
    '@odata.type': T.Sensor,
    '@odata.id': `${base}/${s.id}`,
    Id: s.id,
    Name: s.name,
    ReadingType: s.type,
    ReadingUnits: s.type === 'Temperature' ? 'Cel' : 'W',
    Reading: s.read(d),
    PhysicalContext: s.context,
    Thresholds: { UpperCritical: { Reading: s.upperCritical } },
    Status: status('Enabled', 'OK'),
  };
}

/** The `Sensors` collection at `base` (a chassis' `.../Sensors`) and one route per member, for any persona. */
export function sensorRoutes(base: string, defs: readonly SensorDef[]): Route[] {
  return [
    { path: base, get: () => ok(collection(base, 'SensorCollection', 'Sensor Collection', defs.map((s) => `${base}/${s.id}`))) },
    {
      path: `${base}/{id}`,
      get: ({ device, params, path }) => {
        const s = defs.find((x) => x.id === params.id);
        return s ? ok(sensor(base, device, s)) : notFound(path);
      },
    },
  ];
}
