/**
 * Capabilities on hand-built snapshots: what is left out when the device did not say (no metrics, a part of unknown
 * size, a port without a speed), what is refused and reported (usage that is not a percentage), FPGA slots, parts
 * that are absent or disabled, systems that share nothing, and garbage that must never throw.
 */
import { describe, expect, it } from 'vitest';
import type { ComponentInfo, InventorySnapshot } from '../../../src/drivers/api.js';
import { mapDevice, type MapResult } from '../../../src/inventory/map/index.js';
import { validateRedfish } from '../../support/redfish-schema.js';
import { docAt, part, schemaFailures } from './support.js';

const SRC = 'capsa2';
const S = `/redfish/v1/Systems/${SRC}_sys`;

const SYS = { kind: 'System', id: 'sys' } as const;
const CH = { kind: 'Chassis', id: 'ch' } as const;

function device(components: ComponentInfo[], more: Partial<InventorySnapshot> = {}): InventorySnapshot {
  return {
    takenAt: 0,
    endpoint: {},
    systems: [{ id: 'sys', identity: {}, resetTypes: [], chassisIds: ['ch'], managerIds: [], source: '/dev/sys' }],
    chassis: [{ id: 'ch', identity: {}, systemIds: ['sys'], managerIds: [], resetTypes: [], source: '/dev/ch' }],
    managers: [],
    components,
    firmware: [],
    unmapped: [],
    raw: {},
    ...more,
  };
}

/** Maps, insists the output is sound (the Oem object included), and returns the result. */
function map(snap: InventorySnapshot): MapResult {
  const r = mapDevice(snap, { source: SRC });
  expect(r.unmapped.filter((n) => n.reason.startsWith('mapping failed'))).toEqual([]);
  expect(schemaFailures(r.docs)).toEqual([]);
  return r;
}
const capsIn = (r: MapResult, uri = S) => docAt(r.docs, uri).Oem?.Shoal?.Capabilities as Record<string, any> | undefined;
const caps = (components: ComponentInfo[]) => capsIn(map(device(components)));

const cpu = (id: string, props: Record<string, unknown>, metrics?: unknown) => part('Processor', id, SYS, { ProcessorType: 'CPU', ...props }, metrics === undefined ? {} : { metrics: metrics as Record<string, unknown> });
const dimm = (id: string, mib: unknown, metrics?: unknown, extra: Partial<ComponentInfo> = {}) => part('Memory', id, SYS, mib === undefined ? {} : { CapacityMiB: mib }, { ...(metrics === undefined ? {} : { metrics: metrics as Record<string, unknown> }), ...extra });

describe('consumed against remaining', () => {
  it('gives totals without Consumed or Remaining when the device reports no usage', () => {
    expect(caps([cpu('c0', { TotalCores: 8, TotalEnabledCores: 6 }), dimm('m0', 4096), dimm('m1', 4096)])).toEqual({ Cores: { Total: 6 }, MemoryMiB: { Total: 8192 } });
  });

  it('accounts usage from metrics, falling back from BandwidthPercent to Kernel + User', () => {
    const c = caps([
      cpu('c0', { TotalCores: 8 }, { BandwidthPercent: 25 }),
      cpu('c1', { TotalCores: 4 }, { KernelPercent: 10, UserPercent: 40 }),
      dimm('m0', 1000, { CapacityUtilizationPercent: 33.3 }),
      dimm('m1', 3000, { CapacityUtilizationPercent: 50 }),
    ]);
    expect(c).toEqual({ Cores: { Total: 12, Consumed: 4, Remaining: 8 }, MemoryMiB: { Total: 4000, Consumed: 1833, Remaining: 2167 } });
  });

  it('claims no consumption when one part has none, and no total when one part has no size', () => {
    expect(caps([cpu('c0', { TotalCores: 8 }, { BandwidthPercent: 50 }), cpu('c1', { TotalCores: 8 })])!.Cores).toEqual({ Total: 16 });
    expect(caps([cpu('c0', { TotalCores: 8 }, { BandwidthPercent: 50 }), cpu('c1', {})])).toBeUndefined();
    expect(caps([dimm('m0', 1024, { CapacityUtilizationPercent: 10 }), dimm('m1', undefined)])).toBeUndefined();
  });

  it('counts only CPUs directly in the system, and leaves out absent and disabled parts', () => {
    const c = caps([
      cpu('c0', { TotalCores: 8 }, { BandwidthPercent: 50 }),
      cpu('c1', { TotalCores: 8 }, { BandwidthPercent: 90 }),
      part('Processor', 'core0', { kind: 'Processor', id: 'c0' }, { ProcessorType: 'Core', TotalCores: 1 }),
      part('Processor', 'gpu', SYS, { ProcessorType: 'GPU', TotalCores: 1000 }),
      part('Processor', 'arm', CH, { ProcessorType: 'CPU', TotalCores: 2 }),
      dimm('m0', 2048, { CapacityUtilizationPercent: 50 }),
      dimm('m1', 2048, undefined, { status: { state: 'Absent' } }),
    ]);
    expect(c!.Cores).toEqual({ Total: 16, Consumed: 11.2, Remaining: 4.8 });
    expect(c!.MemoryMiB).toEqual({ Total: 2048, Consumed: 1024, Remaining: 1024 });
    const off = caps([cpu('c0', { TotalCores: 8 }, { BandwidthPercent: 50 }), cpu('c1', { TotalCores: 8 }, undefined), dimm('m0', 512)].map((p) => (p.id === 'c1' ? { ...p, status: { state: 'Disabled' as const } } : p)));
    expect(off!.Cores).toEqual({ Total: 8, Consumed: 4, Remaining: 4 });
  });
});

describe('offload engines, FPGA slots and limits', () => {
  const fpga = (slots: unknown) => part('Processor', 'fpga0', SYS, { ProcessorType: 'FPGA', FPGA: { FpgaType: 'Discrete', ReconfigurationSlots: slots } });

  it('lists each engine kind once, sorted, from functions and FPGA/GPU/DSP processors, skipping disabled ones', () => {
    const c = caps([
      part('Processor', 'acc', SYS, { ProcessorType: 'Accelerator' }),
      part('AccelerationFunction', 'crypto0', { kind: 'Processor', id: 'acc' }, { AccelerationFunctionType: 'Encryption' }),
      part('AccelerationFunction', 'crypto1', { kind: 'Processor', id: 'acc' }, { AccelerationFunctionType: 'Encryption' }),
      part('AccelerationFunction', 'regex', { kind: 'Processor', id: 'acc' }, { AccelerationFunctionType: 'PacketInspection' }, { status: { state: 'Disabled' } }),
      part('AccelerationFunction', 'odd', { kind: 'Processor', id: 'acc' }, { AccelerationFunctionType: 'Regex' }),
      part('Processor', 'dsp', SYS, { ProcessorType: 'DSP' }),
      part('Processor', 'gpu', SYS, { ProcessorType: 'GPU' }, { status: { state: 'Absent' } }),
      part('Processor', 'dead', SYS, { ProcessorType: 'Accelerator' }, { status: { state: 'Disabled' } }),
      part('AccelerationFunction', 'zip', { kind: 'Processor', id: 'dead' }, { AccelerationFunctionType: 'Compression' }),
    ]);
    expect(c).toEqual({ OffloadEngines: ['DSP', 'Encryption'] });
  });

  it('counts FPGA reconfiguration slots, a slot linking a function being in use', () => {
    const af0 = '/redfish/v1/Systems/sys/Processors/fpga0/AccelerationFunctions/af0';
    const r = map(device([
      fpga([{ SlotId: '0', AccelerationFunction: { '@odata.id': af0 } }, { SlotId: '1' }, { SlotId: '2' }, 'junk']),
      part('AccelerationFunction', 'af0', { kind: 'Processor', id: 'fpga0' }, { AccelerationFunctionType: 'Compression' }, { source: af0 }),
    ]));
    expect(capsIn(r)).toEqual({ AcceleratorSlots: { Total: 3, Consumed: 1, Remaining: 2 }, OffloadEngines: ['Compression', 'FPGA'] });
    // The slot's link points into the aggregated tree like every other link.
    expect(docAt(r.docs, `${S}/Processors/fpga0`).FPGA.ReconfigurationSlots[0].AccelerationFunction).toEqual({ '@odata.id': `${S}/Processors/fpga0/AccelerationFunctions/af0` });
    expect(caps([fpga([])])).toEqual({ AcceleratorSlots: { Total: 0, Consumed: 0, Remaining: 0 }, OffloadEngines: ['FPGA'] });
  });

  it("sums the ports of the system's adapters, and says nothing when a port has no speed", () => {
    const nic = (id: string, ports: unknown) => part('NetworkAdapter', id, CH, {}, { ports: ports as Record<string, unknown>[] });
    expect(caps([nic('n0', [{ MaxSpeedGbps: 100 }, { MaxSpeedGbps: 100 }]), nic('n1', [{ MaxSpeedGbps: 25.5 }])])).toEqual({ PerformanceLimits: { NetworkBandwidthGbps: 225.5 } });
    expect(caps([nic('n0', [{ MaxSpeedGbps: 100 }]), nic('n1', [{ PortId: 'p0' }])])).toBeUndefined();
    expect(caps([nic('n0', [{ MaxSpeedGbps: 100 }]), part('NetworkAdapter', 'n1', CH)])).toBeUndefined();
  });
});

describe('whose parts are whose', () => {
  it('keeps two systems apart and does not guess the owner of a chassis they share', () => {
    const snap = device(
      [
        part('Processor', 'c0', { kind: 'System', id: 'a' }, { ProcessorType: 'CPU', TotalCores: 4 }),
        part('Processor', 'c0', { kind: 'System', id: 'b' }, { ProcessorType: 'CPU', TotalCores: 2 }, { source: '/dev/b/c0' }),
        part('NetworkAdapter', 'nic', CH, {}, { ports: [{ MaxSpeedGbps: 10 }] }),
      ],
      {
        systems: ['a', 'b'].map((id) => ({ id, identity: {}, resetTypes: [], chassisIds: ['ch'], managerIds: [], source: `/dev/${id}` })),
        chassis: [{ id: 'ch', identity: {}, systemIds: ['a', 'b'], managerIds: [], resetTypes: [], source: '/dev/ch' }],
      },
    );
    const r = map(snap);
    expect(capsIn(r, `/redfish/v1/Systems/${SRC}_a`)).toEqual({ Cores: { Total: 4 } });
    expect(capsIn(r, `/redfish/v1/Systems/${SRC}_b`)).toEqual({ Cores: { Total: 2 } });
  });

  it('adds no Oem at all when there is nothing to say', () => {
    const r = map(device([part('Storage', 'st', SYS)]));
    expect(docAt(r.docs, S).Oem).toBeUndefined();
  });
});

describe('garbage', () => {
  it('reports usage that is not a percentage, ignores it, and never throws', () => {
    const r = map(device([
      cpu('c0', { TotalCores: 8 }, { BandwidthPercent: 'busy' }),
      cpu('c1', { TotalCores: 8 }, { BandwidthPercent: 250, KernelPercent: 60, UserPercent: 60 }),
      dimm('m0', 1024, 'metrics?'),
      dimm('m1', 1024, [1, 2]),
      dimm('m2', 1024, { CapacityUtilizationPercent: -5 }),
      part('NetworkAdapter', 'n0', CH, {}, { ports: 'p0,p1' as never }),
      part('NetworkAdapter', 'n1', CH, {}, { ports: [null, { MaxSpeedGbps: 'fast' }] as never }),
    ]));
    expect(capsIn(r)).toEqual({ Cores: { Total: 16 }, MemoryMiB: { Total: 3072 } });
    const notes = r.unmapped.filter((n) => !n.path?.startsWith('properties/')).map((n) => `${n.source} ${n.path}`);
    expect(notes.sort()).toEqual([
      '/dev/Memory/m0 metrics',
      '/dev/Memory/m1 metrics',
      '/dev/Memory/m2 metrics/CapacityUtilizationPercent',
      '/dev/NetworkAdapter/n0 ports',
      '/dev/NetworkAdapter/n1 ports/0',
      '/dev/NetworkAdapter/n1 ports/1/MaxSpeedGbps',
      '/dev/Processor/c0 metrics/BandwidthPercent',
      '/dev/Processor/c1 metrics/BandwidthPercent',
    ]);
  });

  it('survives bags, statuses and slots of the wrong shape', () => {
    const weird = [
      { ...cpu('c0', {}), properties: null },
      { ...cpu('c1', { TotalCores: 4 }), status: 'on', metrics: null },
      part('Processor', 'f', SYS, { ProcessorType: 'FPGA', FPGA: 'yes' }),
      part('Processor', 'g', SYS, { ProcessorType: 'FPGA', FPGA: { ReconfigurationSlots: { SlotId: '0' } } }),
      part('AccelerationFunction', 'af', { kind: 'Processor', id: 'g' }, { AccelerationFunctionType: 42 }),
      { ...dimm('m0', 2048), metrics: { CapacityUtilizationPercent: Number.NaN } },
    ] as unknown as ComponentInfo[];
    const r = map(device(weird));
    expect(capsIn(r)).toEqual({ Cores: { Total: 4 }, MemoryMiB: { Total: 2048 }, OffloadEngines: ['FPGA'] });
    expect(validateRedfish(docAt(r.docs, S).Oem.Shoal).errors).toEqual([]);
  });
});
