/**
 * Capability accounting for one ComputerSystem, served as `Oem.Shoal.Capabilities` (schemas/ShoalComputerSystem):
 * what the system can offload, its performance limits, and its cores, memory and FPGA slots as consumed against
 * remaining. DMTF already has every input (Processor, ProcessorMetrics, Memory, MemoryMetrics, AccelerationFunction,
 * NetworkAdapter, Port); only the per-system roll-up is Shoal's. Each figure is computed from what the device reported
 * or left out: a total with a part of unknown size, or a consumption with a part of unknown usage, would be a guess.
 */
import type { ComponentInfo } from '../../model/inventory.js';
import { ancestry, type Placed } from './placement.js';
import { inEnum } from './schema-facts.js';
import { show } from './show.js';
import type { Topology } from './topology.js';
import type { MapNote } from './types.js';

/** The `@odata.type` of a ComputerSystem's `Oem.Shoal` object. */
export const SHOAL_SYSTEM_OEM_TYPE = '#ShoalComputerSystem.v1_0_0.ComputerSystem';

/** How much of a resource there is; `Consumed` and `Remaining` only when usage is known for all of it. */
export interface Consumable {
  Total: number;
  Consumed?: number;
  Remaining?: number;
}

/** `ShoalComputerSystem.v1_0_0.Capabilities`. */
export interface Capabilities {
  Cores?: Consumable;
  MemoryMiB?: Consumable;
  AcceleratorSlots?: Consumable;
  OffloadEngines?: string[];
  PerformanceLimits?: { NetworkBandwidthGbps?: number };
}

/** Processor types that are offload engines in their own right (a CPU is where work runs, not what it offloads to). */
const ENGINE_PROCESSOR_TYPES = new Set(['FPGA', 'GPU', 'DSP']);

/** States in which a part offers nothing; a powered-down (StandbyOffline) part still counts as capacity. */
const GONE = new Set(['Absent', 'Disabled']);

type Note = (n: MapNote) => void;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const hundredths = (x: number) => Math.round(x * 100) / 100;

const propsOf = (c: ComponentInfo): Record<string, unknown> => (isObject(c.properties) ? c.properties : {});
const srcOf = (c: ComponentInfo) => (typeof c.source === 'string' ? c.source : `${String(c.kind)} ${String(c.id)}`);

/** A part and everything it hangs from are present and enabled. */
function available(p: Placed): boolean {
  const gone = (c: ComponentInfo) => isObject(c.status) && GONE.has(c.status.state as string);
  if (gone(p.c)) return false;
  for (let a = p.anchor; 'placed' in a; a = a.placed.anchor) if (gone(a.placed.c)) return false;
  return true;
}

/**
 * The metrics bag of a part, or undefined. The mapper is the only reader of `metrics`, so a bag or value of the wrong
 * shape is reported here or nowhere.
 */
function metricsOf(c: ComponentInfo, note: Note): Record<string, unknown> | undefined {
  const bag = c.metrics as unknown;
  if (bag === undefined || bag === null) return undefined;
  if (isObject(bag)) return bag;
  note({ source: srcOf(c), path: 'metrics', reason: `metrics is not an object: ${show(bag)}` });
  return undefined;
}

/** A percentage from a metrics bag: a number from 0 to 100, else undefined (and reported when present). */
function percent(c: ComponentInfo, bag: Record<string, unknown> | undefined, name: string, note: Note): number | undefined {
  const v = bag?.[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100) return v;
  note({ source: srcOf(c), path: `metrics/${name}`, reason: `not a percentage from 0 to 100: ${show(v)}` });
  return undefined;
}

type Part = { total: number | undefined; usedPercent: number | undefined };

/** Sums `total` and `total × used%` over parts: no total if one part's size is unknown, no consumption if one's usage is. */
function account(parts: Part[], round: (x: number) => number): Consumable | undefined {
  if (parts.length === 0 || parts.some((p) => p.total === undefined)) return undefined;
  const Total = parts.reduce((s, p) => s + p.total!, 0);
  if (parts.some((p) => p.usedPercent === undefined)) return { Total };
  const Consumed = round(parts.reduce((s, p) => s + (p.total! * p.usedPercent!) / 100, 0));
  return { Total, Consumed, Remaining: round(Total - Consumed) };
}

/** Enabled cores of the system's own CPUs, and the core-equivalents their ProcessorMetrics say are busy. */
function cores(own: Placed[], note: Note): Consumable | undefined {
  const parts: Part[] = [];
  for (const p of own) {
    const props = propsOf(p.c);
    if (p.c.kind !== 'Processor' || props.ProcessorType !== 'CPU' || !available(p)) continue;
    const bag = metricsOf(p.c, note);
    let used = percent(p.c, bag, 'BandwidthPercent', note);
    if (used === undefined) {
      const k = percent(p.c, bag, 'KernelPercent', note);
      const u = percent(p.c, bag, 'UserPercent', note);
      if (k !== undefined && u !== undefined && k + u <= 100) used = k + u;
    }
    parts.push({ total: isCount(props.TotalEnabledCores) ? props.TotalEnabledCores : isCount(props.TotalCores) ? props.TotalCores : undefined, usedPercent: used });
  }
  return account(parts, hundredths);
}

/** Capacity of the system's own memory devices, and the MiB their MemoryMetrics say are in use. */
function memory(own: Placed[], note: Note): Consumable | undefined {
  const parts: Part[] = [];
  for (const p of own) {
    if (p.c.kind !== 'Memory' || !available(p)) continue;
    const mib = propsOf(p.c).CapacityMiB;
    parts.push({ total: isCount(mib) ? mib : undefined, usedPercent: percent(p.c, metricsOf(p.c, note), 'CapacityUtilizationPercent', note) });
  }
  return account(parts, Math.round);
}

/** FPGA reconfiguration slots; DMTF links a slot to the acceleration function programmed into it, so a link means "in use". */
function acceleratorSlots(tree: Placed[]): Consumable | undefined {
  let Total = 0;
  let Consumed = 0;
  let seen = false;
  for (const p of tree) {
    if (p.c.kind !== 'Processor' || !available(p)) continue;
    const fpga = propsOf(p.c).FPGA;
    const slots = isObject(fpga) ? fpga.ReconfigurationSlots : undefined;
    if (!Array.isArray(slots)) continue;
    seen = true;
    for (const s of slots) {
      if (!isObject(s)) continue;
      Total++;
      if (isObject(s.AccelerationFunction) && typeof s.AccelerationFunction['@odata.id'] === 'string') Consumed++;
    }
  }
  return seen ? { Total, Consumed, Remaining: Total - Consumed } : undefined;
}

/** Kinds of engine available: acceleration function types, and FPGA/GPU/DSP processors. */
function offloadEngines(tree: Placed[]): string[] | undefined {
  const out = new Set<string>();
  for (const p of tree) {
    if (!available(p)) continue;
    const props = propsOf(p.c);
    if (p.c.kind === 'AccelerationFunction' && inEnum('AccelerationFunction.AccelerationFunctionType', props.AccelerationFunctionType)) out.add(props.AccelerationFunctionType);
    if (p.c.kind === 'Processor' && typeof props.ProcessorType === 'string' && ENGINE_PROCESSOR_TYPES.has(props.ProcessorType)) out.add(props.ProcessorType);
  }
  return out.size ? [...out].sort() : undefined;
}

/** The sum of the port speeds of the system's network adapters, when every port states its speed. */
function networkBandwidth(tree: Placed[], note: Note): number | undefined {
  let sum = 0;
  let ports = 0;
  let known = true;
  for (const p of tree) {
    if (p.c.kind !== 'NetworkAdapter' || !available(p)) continue;
    const list = p.c.ports as unknown;
    if (!Array.isArray(list)) {
      if (list !== undefined) note({ source: srcOf(p.c), path: 'ports', reason: `ports is not a list: ${show(list)}` });
      known = false;
      continue;
    }
    for (const [i, port] of list.entries()) {
      const v = isObject(port) ? port.MaxSpeedGbps : undefined;
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
        sum += v;
        ports++;
        continue;
      }
      known = false;
      if (!isObject(port)) note({ source: srcOf(p.c), path: `ports/${i}`, reason: `not a port: ${show(port)}` });
      else if (v !== undefined && v !== null) note({ source: srcOf(p.c), path: `ports/${i}/MaxSpeedGbps`, reason: `not a speed in Gbit/s: ${show(v)}` });
    }
  }
  // A sum that leaves out a port of unknown speed would understate the limit.
  return known && ports > 0 ? hundredths(sum) : undefined;
}

/**
 * The `Oem.Shoal` object of system `systemId`, or undefined when there is nothing to say. `placed` are the device's
 * placed components; a component is the system's when the system is among its ancestors (for cores and memory, when
 * it sits directly in the system's own collection, as DMTF's ProcessorSummary and MemorySummary count). Pure; reports
 * unusable usage figures through `note` and never throws on bad input.
 */
export function systemCapabilities(systemId: string, topo: Topology, placed: readonly Placed[], note: Note): Record<string, unknown> | undefined {
  const tree = placed.filter((p) => ancestry(p.anchor, topo).some((a) => a.kind === 'System' && 'id' in a && a.id === systemId));
  const own = tree.filter((p) => p.anchor.kind === 'System');
  const bandwidth = networkBandwidth(tree, note);
  const caps: Capabilities = {
    Cores: cores(own, note),
    MemoryMiB: memory(own, note),
    AcceleratorSlots: acceleratorSlots(tree),
    OffloadEngines: offloadEngines(tree),
    PerformanceLimits: bandwidth === undefined ? undefined : { NetworkBandwidthGbps: bandwidth },
  };
  const present = Object.fromEntries(Object.entries(caps).filter(([, v]) => v !== undefined));
  return Object.keys(present).length ? { '@odata.type': SHOAL_SYSTEM_OEM_TYPE, Capabilities: present } : undefined;
}
