/**
 * What the gateway knows and the device cannot say: a failed poll, stale data, an unreachable device. These become
 * `Status.Conditions` on the device's systems, chassis and managers, and `UnavailableOffline` everywhere when the
 * runtime marks the device unavailable.
 */
import { describe, expect, it } from 'vitest';
import type { InventorySnapshot } from '../../../src/drivers/api.js';
import { mapDevice, type DeviceFreshness } from '../../../src/inventory/map/index.js';
import { danglingLinks, docAt, schemaFailures } from './support.js';

const SRC = 'frsha2';
const ORIGIN = `/redfish/v1/AggregationService/AggregationSources/${SRC}`;
const S = `/redfish/v1/Systems/${SRC}_sys`;
const T0 = Date.UTC(2026, 2, 3, 4, 5, 6);

const snap: InventorySnapshot = {
  takenAt: T0,
  endpoint: {},
  systems: [{ id: 'sys', identity: {}, resetTypes: [], chassisIds: ['ch'], managerIds: ['bmc'], status: { state: 'Enabled', health: 'OK' } }],
  chassis: [{ id: 'ch', identity: {}, systemIds: [], managerIds: [], resetTypes: [] }],
  managers: [{ id: 'bmc', identity: {}, resetTypes: [] }],
  components: [{ kind: 'Memory', id: 'm0', parent: { kind: 'System', id: 'sys' }, identity: {}, status: { state: 'Enabled' }, properties: {} }],
  firmware: [{ id: 'fw', version: '1' }],
  unmapped: [],
  raw: {},
};

const run = (freshness?: DeviceFreshness) => {
  const r = mapDevice(snap, { source: SRC, ...(freshness ? { freshness } : {}) });
  expect(schemaFailures(r.docs)).toEqual([]);
  expect(danglingLinks(r.docs, [ORIGIN])).toEqual([]);
  return r.docs;
};
const status = (freshness: DeviceFreshness | undefined, uri = S) => docAt(run(freshness), uri).Status as Record<string, any>;

describe('freshness in Status', () => {
  it('adds nothing for a fresh, available device', () => {
    expect(status(undefined)).toEqual({ State: 'Enabled', Health: 'OK' });
    expect(status({ availability: 'available', inventoryAt: T0, stateAt: T0 })).toEqual({ State: 'Enabled', Health: 'OK' });
  });

  it('reports a failed poll as OperationFailed, and a timed-out one as OperationTimeout, at the time of the failure', () => {
    expect(status({ error: { code: 'BadResponse', message: 'bad JSON', at: T0 } }).Conditions).toEqual([
      { MessageId: 'Base.1.22.OperationFailed', Message: expect.stringContaining('Partial results'), Severity: 'Warning', Timestamp: '2026-03-03T04:05:06+00:00', OriginOfCondition: { '@odata.id': ORIGIN } },
    ]);
    expect(status({ error: { code: 'Timeout', message: 'slow', at: T0 } }).Conditions.map((c: { MessageId: string }) => c.MessageId)).toEqual(['Base.1.22.OperationTimeout']);
  });

  it('reports stale data as OperationTimeout since the last good read, and keeps the device state', () => {
    const s = status({ stale: true, inventoryAt: T0 - 5000, stateAt: T0 });
    expect(s.State).toBe('Enabled');
    expect(s.Conditions).toEqual([expect.objectContaining({ MessageId: 'Base.1.22.OperationTimeout', Timestamp: '2026-03-03T04:05:06+00:00' })]);
  });

  it('turns every document UnavailableOffline when the device is unavailable, conditions on top-level ones only', () => {
    const docs = run({ availability: 'unavailable' });
    for (const uri of [S, `/redfish/v1/Chassis/${SRC}_ch`, `/redfish/v1/Managers/${SRC}_bmc`]) {
      expect(docAt(docs, uri).Status).toMatchObject({ State: 'UnavailableOffline', Conditions: [expect.objectContaining({ MessageId: 'Base.1.22.OperationFailed' })] });
    }
    expect(docAt(docs, `${S}/Memory/m0`).Status).toEqual({ State: 'UnavailableOffline' });
    expect(docAt(docs, `/redfish/v1/UpdateService/FirmwareInventory/${SRC}_fw`).Status).toEqual({ State: 'UnavailableOffline' });
    // Health stays what the device last said: unreachable is not the same as broken.
    expect(docAt(docs, S).Status.Health).toBe('OK');
  });

  it('leaves State alone when the device is only degraded', () => {
    expect(status({ availability: 'degraded' })).toEqual({ State: 'Enabled', Health: 'OK' });
  });

  it('gives one condition per message when several causes agree', () => {
    const c = status({ error: { code: 'Timeout', message: 'slow', at: T0 }, stale: true, availability: 'unavailable' }).Conditions;
    expect(c.map((x: { MessageId: string }) => x.MessageId)).toEqual(['Base.1.22.OperationTimeout']);
  });
});
