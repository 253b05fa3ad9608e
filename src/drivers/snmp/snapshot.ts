/**
 * One SNMP agent's walks → an {@link InventorySnapshot}. Pure, so the whole mapping is tested on captured walks.
 *
 * An SNMP-only device is one system (whatever the agent fronts: a SmartNIC, a switch, a PDU) with no power control,
 * one manager (the agent itself: sysUpTime is its uptime) and the chassis tree ENTITY-MIB describes. Identity comes
 * from the top-level ENTITY-MIB chassis where there is one, else from sysDescr and sysObjectID.
 */
import type { FirmwareComponent, InventorySnapshot, ManagerInfo, SystemInfo, SystemState } from '../../model/inventory.js';
import { ENTITY_SOURCE, mapEntities, parseEntityTable } from './entity-mib.js';
import { enterpriseNumber, parseSysDescr, systemGroup, vendorFromSysObjectId } from './sys-descr.js';
import type { RawVarbind } from './varbinds.js';

/** Ids of the fixed parts of every SNMP snapshot. */
export const SYSTEM_ID = 'system';
export const MANAGER_ID = 'agent';

/** What the driver read from one agent. */
export interface SnmpWalks {
  /** GET of the system group scalars. */
  system: readonly RawVarbind[];
  /** Walk of entPhysicalEntry; empty when the agent has no ENTITY-MIB. */
  entPhysicalTable: readonly RawVarbind[];
  /** Epoch ms when the reads finished. */
  takenAt: number;
}

/** SmartNICs, DPUs and IPUs are a DPU's own system, whatever else they report. */
const DPU = /\b(smart\s?nic|dpu|ipu|bluefield|data processing unit|infrastructure processing unit)\b/i;

/** The state of the one system: an agent that answers is a device that is on. */
export function answeringState(): SystemState {
  return { id: SYSTEM_ID, powerState: 'On', status: { state: 'Enabled' } };
}

/** Maps one agent's reads to a snapshot. Never throws on odd data: what it cannot place goes to `unmapped`. */
export function buildSnapshot(w: SnmpWalks): InventorySnapshot {
  const sys = systemGroup(w.system);
  const descr = parseSysDescr(sys.sysDescr);
  const rows = parseEntityTable(w.entPhysicalTable);
  const ent = mapEntities(rows, { systemId: SYSTEM_ID, managerId: MANAGER_ID });
  const top = ent.identity;

  const vendor = top.manufacturer ?? descr.vendor ?? vendorFromSysObjectId(sys.sysObjectId);
  const product = top.model ?? descr.product;
  const firmwareVersion = top.firmwareVersion ?? descr.firmwareVersion;
  const identity = {
    ...(vendor ? { manufacturer: vendor } : {}),
    ...(product ? { model: product } : {}),
    ...(top.serialNumber ? { serialNumber: top.serialNumber } : {}),
    ...(firmwareVersion ? { firmwareVersion } : {}),
  };

  const firmware: FirmwareComponent[] = [...ent.firmware];
  // Without ENTITY-MIB firmware rows, sysDescr's version is the only firmware fact there is.
  if (firmware.length === 0 && descr.firmwareVersion) {
    firmware.push({ id: 'sysDescr-firmware', name: descr.product ?? 'Firmware', version: descr.firmwareVersion, updateable: false, ...(vendor ? { manufacturer: vendor } : {}), source: 'system' });
  }

  const cpus = ent.processors;
  const cpuModel = cpus[0]?.modelName ?? cpus[0]?.descr;
  const isDpu = DPU.test(`${sys.sysDescr ?? ''} ${product ?? ''}`);
  const system: SystemInfo = {
    ...answeringState(),
    systemType: 'Physical',
    isDpu,
    ...(sys.sysName ? { name: sys.sysName, hostName: sys.sysName } : {}),
    identity,
    resetTypes: [],
    ...(cpus.length ? { processorSummary: { count: cpus.length, ...(cpuModel ? { model: cpuModel } : {}) } } : {}),
    chassisIds: ent.topChassisIds,
    managerIds: [MANAGER_ID],
    source: 'system',
  };

  const bmcFirmware = ent.firmware.find((f) => f.componentRole === 'BMC')?.version;
  const manager: ManagerInfo = {
    id: MANAGER_ID,
    name: 'SNMP agent',
    managerType: 'ManagementController',
    identity: bmcFirmware ? { firmwareVersion: bmcFirmware } : {},
    status: { state: 'Enabled' },
    resetTypes: [],
    // sysUpTime counts hundredths of a second since the agent last (re)initialised.
    ...(sys.sysUpTimeCs !== undefined ? { lastResetTime: new Date(w.takenAt - sys.sysUpTimeCs * 10).toISOString() } : {}),
    source: 'system',
  };

  const enterprise = enterpriseNumber(sys.sysObjectId);
  return {
    takenAt: w.takenAt,
    endpoint: {
      ...identity,
      ...(vendor ? { vendor } : {}),
      ...(product ? { product } : {}),
    },
    systems: [system],
    chassis: ent.chassis,
    managers: [manager],
    components: ent.components,
    firmware,
    unmapped: [
      ...ent.unmapped,
      ...(sys.sysDescr === undefined ? [{ source: 'system', path: 'sysDescr', reason: 'the agent did not return sysDescr.0' }] : []),
      ...(enterprise === undefined && sys.sysObjectId ? [{ source: 'system', path: 'sysObjectID', reason: `${sys.sysObjectId} is not under 1.3.6.1.4.1` }] : []),
    ],
    raw: { system: [...w.system], [ENTITY_SOURCE]: [...w.entPhysicalTable] },
  };
}
