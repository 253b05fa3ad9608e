import type { Device } from '../../core/device.js';
import { notFound, ok, type Route } from '../../http/router.js';
import { T } from '../../services/shapes.js';
import { CPUS, hw, SYS } from './hardware.js';

/**
 * Host usage as DMTF metrics: ProcessorMetrics per socket and MemoryMetrics per populated DIMM. A gateway accounts
 * "consumed against remaining" from these, so the figures are deterministic (device, socket or DIMM, virtual minute)
 * and drift slowly with virtual time; a powered-off host uses nothing.
 */

const PROCS = `${SYS}/Processors`;

export const processorMetricsUri = (cpu: string) => `${PROCS}/${cpu}/ProcessorMetrics`;
export const memoryMetricsUri = (dimm: string) => `${SYS}/Memory/${dimm}/MemoryMetrics`;

/** 0..1 load for one part, stable within a virtual minute: a busy server sits between 30 % and 70 %. */
function load(d: Device, salt: number): number {
  if (d.power !== 'On') return 0;
  const minute = Math.floor(d.clock.now() / 60_000);
  return 0.3 + 0.4 * ((1 + Math.sin(minute / 9 + salt + d.init.index)) / 2);
}

const tenth = (x: number) => Math.round(x * 10) / 10;

function processorMetrics(d: Device, cpu: string): Record<string, unknown> {
  const l = load(d, CPUS.indexOf(cpu) * 1.3);
  return {
    '@odata.type': T.ProcessorMetrics,
    '@odata.id': processorMetricsUri(cpu),
    Id: 'ProcessorMetrics',
    Name: `${cpu} metrics`,
    BandwidthPercent: tenth(l * 100),
    // Servers spend most busy time in user space; the split keeps Kernel + User equal to the bandwidth.
    KernelPercent: tenth(l * 100 * 0.2),
    UserPercent: tenth(tenth(l * 100) - tenth(l * 100 * 0.2)),
    OperatingSpeedMHz: d.power === 'On' ? 2100 : 0,
  };
}

function memoryMetrics(d: Device, dimm: string): Record<string, unknown> {
  const i = Number(dimm.replace(/\D/g, '')) || 0;
  const l = load(d, 0.7 * i + 0.5);
  return {
    '@odata.type': T.MemoryMetrics,
    '@odata.id': memoryMetricsUri(dimm),
    Id: 'MemoryMetrics',
    Name: `${dimm} metrics`,
    CapacityUtilizationPercent: d.power === 'On' ? tenth(40 + l * 50) : 0,
    BandwidthPercent: tenth(l * 60),
    OperatingSpeedMHz: d.power === 'On' ? 4800 : 0,
  };
}

export function hostMetricsRoutes(): Route[] {
  return [
    { path: `${PROCS}/{id}/ProcessorMetrics`, get: ({ device, params, path }) => (CPUS.includes(params.id!) ? ok(processorMetrics(device, params.id!)) : notFound(path)) },
    {
      path: `${SYS}/Memory/{id}/MemoryMetrics`,
      get: ({ device, params, path }) => {
        // An absent DIMM has no usage to report, as bmcweb serves nothing under a module it cannot see.
        const m = hw(device).dimms.find((x) => x.id === params.id);
        return m && m.state === 'Enabled' ? ok(memoryMetrics(device, m.id)) : notFound(path);
      },
    },
  ];
}
