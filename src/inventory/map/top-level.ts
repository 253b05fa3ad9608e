/**
 * Documents for a device's ComputerSystems, Chassis and Managers. Links between them come from the topology (both
 * sides of each relation), links to their parts from the placed components, and the DPU links from the context.
 */
import type { ChassisInfo, ManagerInfo, SystemInfo } from '../../model/inventory.js';
import { apply, compact, identityRows, isCount, isDateTimeValue, isNumber, isString, links, resetActions, resetTypes, type Note } from './common.js';
import { MAP_TYPES } from './odata-types.js';
import { inEnum } from './schema-facts.js';
import { show } from './show.js';
import { buildStatus } from './status.js';
import type { Topology } from './topology.js';
import type { DeviceFreshness } from './types.js';
import { aggregatedId, link } from './uris.js';

/** What the caller worked out about the rest of the tree for one top-level resource. */
export interface TopExtras {
  /** Sub-collection URIs by property name (`Processors`, `Memory`, `NetworkAdapters`, ...). */
  collections: Record<string, string>;
  /** Property → member URIs for parts linked as arrays rather than collections (ComputerSystem.PCIeDevices). */
  arrays: Record<string, string[]>;
  freshness: DeviceFreshness | undefined;
  conditions: Record<string, unknown>[];
}

/** The object, or undefined when it has no keys (an empty `Links` or summary says nothing). */
const nonEmpty = (o: Record<string, unknown>) => (Object.keys(o).length ? o : undefined);

const navigation = (x: TopExtras) => ({
  ...Object.fromEntries(Object.entries(x.collections).map(([k, uri]) => [k, link(uri)])),
  ...Object.fromEntries(Object.entries(x.arrays).flatMap(([k, uris]) => (uris.length ? [[k, links(uris)], [`${k}@odata.count`, uris.length]] : []))),
});

/** `#ComputerSystem` for one system. `dpu` and `offloaded` come from the DPU rules in map-device. */
export function buildSystem(s: SystemInfo, topo: Topology, x: TopExtras, dpu: boolean, offloaded: string[], note: Note): Record<string, unknown> {
  const uri = topo.systemUri(s.id);
  const body: Record<string, unknown> = { '@odata.id': uri, '@odata.type': MAP_TYPES.ComputerSystem, Id: aggregatedId(topo.source, s.id), Name: typeof s.name === 'string' && s.name ? s.name : s.id };
  if (s.systemType !== undefined && !inEnum('ComputerSystem.SystemType', s.systemType)) note({ path: 'systemType', reason: `not a SystemType: ${show(s.systemType)}` });
  body.SystemType = dpu ? 'DPU' : inEnum('ComputerSystem.SystemType', s.systemType) ? s.systemType : 'Physical';
  apply(body, [...identityRows(s.identity), ['BiosVersion', s.biosVersion, isString], ['HostName', s.hostName, isString]], note);
  if (s.powerState !== undefined) {
    if (inEnum('Resource.PowerState', s.powerState)) body.PowerState = s.powerState;
    else note({ path: 'powerState', reason: `not a PowerState: ${show(s.powerState)}` });
  }
  body.Boot = boot(s.boot, note);
  body.BootProgress = bootProgress(s.bootProgress, note);
  if (s.lastResetCause !== undefined) {
    if (inEnum('ComputerSystem.LastResetCauses', s.lastResetCause)) body.LastResetCause = s.lastResetCause;
    else note({ path: 'lastResetCause', reason: `not a LastResetCauses value of ComputerSystem v1_27: ${show(s.lastResetCause)}` });
  }
  body.Status = buildStatus({ status: s.status, freshness: x.freshness, conditions: x.conditions, note });
  const ps = s.processorSummary && typeof s.processorSummary === 'object' ? s.processorSummary : undefined;
  if (ps) body.ProcessorSummary = nonEmpty(apply({}, [['Count', ps.count, isCount], ['CoreCount', ps.coreCount, isCount], ['Model', ps.model, isString]], note, 'ProcessorSummary/'));
  const ms = s.memorySummary && typeof s.memorySummary === 'object' ? s.memorySummary : undefined;
  if (ms) body.MemorySummary = nonEmpty(apply({}, [['TotalSystemMemoryGiB', ms.totalSystemMemoryGiB, isNumber]], note, 'MemorySummary/'));
  Object.assign(body, navigation(x));
  body.Links = nonEmpty(compact({
    Chassis: links(topo.chassisOf(s.id).map(topo.chassisUri)),
    ManagedBy: links(topo.managersOfSystem(s.id).map(topo.managerUri)),
    OffloadedNetworkDeviceFunctions: dpu ? links(offloaded) : undefined,
  }));
  body.Actions = resetActions(uri, 'ComputerSystem.Reset', resetTypes(s.resetTypes, note));
  return compact(body);
}

/**
 * `Boot`: the device's override settings as it reports them. Always present, if empty, because clients treat it as
 * required (sushy refuses a ComputerSystem without it, and Ironic could not enrol the node).
 */
function boot(b: SystemInfo['boot'], note: Note): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!b || typeof b !== 'object') return out;
  const one = (key: string, value: unknown, en: string) => {
    if (value === undefined) return;
    if (inEnum(en, value)) out[key] = value;
    else note({ path: `Boot/${key}`, reason: `not a ${en.split('.')[1]} value: ${show(value)}` });
  };
  one('BootSourceOverrideEnabled', b.enabled, 'ComputerSystem.BootSourceOverrideEnabled');
  one('BootSourceOverrideTarget', b.target, 'ComputerSystem.BootSource');
  one('BootSourceOverrideMode', b.mode, 'ComputerSystem.BootSourceOverrideMode');
  if (Array.isArray(b.allowableTargets)) {
    const ok = b.allowableTargets.filter((t) => inEnum('ComputerSystem.BootSource', t));
    if (ok.length !== b.allowableTargets.length) note({ path: 'Boot/BootSourceOverrideTarget@Redfish.AllowableValues', reason: 'values that are not BootSource values were left out' });
    if (ok.length) out['BootSourceOverrideTarget@Redfish.AllowableValues'] = ok;
  }
  return out;
}

function bootProgress(b: SystemInfo['bootProgress'], note: Note): Record<string, unknown> | undefined {
  if (!b || typeof b !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  apply(out, [['LastStateTime', b.lastStateTime, isDateTimeValue], ['OemLastState', b.oemLastState, isString]], note, 'BootProgress/');
  if (b.lastState !== undefined) {
    if (inEnum('ComputerSystem.BootProgressTypes', b.lastState)) out.LastState = b.lastState;
    else if (typeof b.lastState === 'string' && out.OemLastState === undefined) {
      // DMTF's own escape hatch: LastState OEM says "see OemLastState".
      out.LastState = 'OEM';
      out.OemLastState = b.lastState;
    } else note({ path: 'BootProgress/LastState', reason: `not a BootProgressTypes value: ${show(b.lastState)}` });
  }
  return nonEmpty(out);
}


/** `#Chassis` for one chassis. `containedBy` and `contains` come from the snapshot and the DPU rules. */
export function buildChassis(c: ChassisInfo, topo: Topology, x: TopExtras, defaultType: string, containedBy: string | undefined, contains: string[], note: Note): Record<string, unknown> {
  const uri = topo.chassisUri(c.id);
  const body: Record<string, unknown> = { '@odata.id': uri, '@odata.type': MAP_TYPES.Chassis, Id: aggregatedId(topo.source, c.id), Name: typeof c.name === 'string' && c.name ? c.name : c.id };
  if (inEnum('Chassis.ChassisType', c.chassisType)) body.ChassisType = c.chassisType;
  else {
    if (c.chassisType !== undefined) note({ path: 'chassisType', reason: `not a ChassisType: ${show(c.chassisType)}` });
    body.ChassisType = defaultType;
  }
  apply(body, identityRows(c.identity), note);
  if (c.powerState !== undefined) {
    if (inEnum('Resource.PowerState', c.powerState)) body.PowerState = c.powerState;
    else note({ path: 'powerState', reason: `not a PowerState: ${show(c.powerState)}` });
  }
  body.Status = buildStatus({ status: c.status, freshness: x.freshness, conditions: x.conditions, note });
  Object.assign(body, navigation(x));
  body.Links = nonEmpty(compact({
    ComputerSystems: links(topo.systemsOf(c.id).map(topo.systemUri)),
    ManagedBy: links(topo.managersOfChassis(c.id).map(topo.managerUri)),
    ContainedBy: containedBy ? link(containedBy) : undefined,
    Contains: links(contains),
  }));
  body.Actions = resetActions(uri, 'Chassis.Reset', resetTypes(c.resetTypes, note));
  return compact(body);
}

/** `#Manager` for one manager; what it manages is read back from the systems and chassis that name it. */
export function buildManager(m: ManagerInfo, topo: Topology, x: TopExtras, note: Note): Record<string, unknown> {
  const uri = topo.managerUri(m.id);
  const body: Record<string, unknown> = { '@odata.id': uri, '@odata.type': MAP_TYPES.Manager, Id: aggregatedId(topo.source, m.id), Name: typeof m.name === 'string' && m.name ? m.name : m.id };
  if (inEnum('Manager.ManagerType', m.managerType)) body.ManagerType = m.managerType;
  else {
    if (m.managerType !== undefined) note({ path: 'managerType', reason: `not a ManagerType: ${show(m.managerType)}` });
    body.ManagerType = 'BMC';
  }
  apply(body, [...identityRows(m.identity, (n) => n !== 'SKU'), ['FirmwareVersion', m.identity?.firmwareVersion, isString], ['LastResetTime', m.lastResetTime, isDateTimeValue]], note);
  if (m.identity?.sku !== undefined) note({ path: 'identity/sku', reason: 'Manager has no SKU property' });
  body.Status = buildStatus({ status: m.status, freshness: x.freshness, conditions: x.conditions, note });
  const servers = [...topo.systems.keys()].filter((s) => topo.managersOfSystem(s).includes(m.id));
  const chassis = [...topo.chassis.keys()].filter((c) => topo.managersOfChassis(c).includes(m.id));
  body.Links = nonEmpty(compact({ ManagerForServers: links(servers.map(topo.systemUri)), ManagerForChassis: links(chassis.map(topo.chassisUri)) }));
  body.Actions = resetActions(uri, 'Manager.Reset', resetTypes(m.resetTypes, note));
  return compact(body);
}
