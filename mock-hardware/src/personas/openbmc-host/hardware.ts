import type { Device } from '../../core/device.js';

/** Host resource paths and per-host hardware state, in their own module so resources and components share them without an import cycle. */
export const SYS = '/redfish/v1/Systems/system';
export const BMC = '/redfish/v1/Managers/bmc';
export const CHASSIS = '/redfish/v1/Chassis/chassis';
/** The host's two x86 sockets. */
export const CPUS = ['cpu0', 'cpu1'];

/** Per-host hardware the faults act on. */
export interface HostHardware {
  dimms: { id: string; state: 'Enabled' | 'Absent'; health: 'OK' | 'Critical' }[];
  slots: { id: string; dpu: () => Device | undefined; health: 'OK' | 'Critical' }[];
}

export const hw = (d: Device): HostHardware => d.extra.hw as HostHardware;
