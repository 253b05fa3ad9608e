/**
 * ENTITY-MIB (RFC 6933) `entPhysicalTable` → the normalised inventory. Pure: rows in, chassis, components, firmware
 * and notes out, so it is tested on walks captured from real agents.
 *
 * Mapping, by entPhysicalClass:
 * - chassis (3), module (9), backplane (4) → Chassis (`Card`/`Enclosure`, `Module`, `Component`), `containedBy` the
 *   nearest chassis-like ancestor. Modules are chassis because DMTF models cards and boards as nested Chassis.
 * - cpu (12) → Processor of the system; sensor (8) → Sensor; storageDrive (15) → Drive, both under the nearest chassis.
 * - container (5, slots), port (10), powerSupply (6), fan (7), stack (11), battery (14), energyObject (13), other and
 *   unknown → `unmapped`: the normalised model has no kind for them. Their firmware is still reported.
 * - every non-empty firmware or software revision → a FirmwareComponent (read-only: SNMP cannot update it).
 */
import type { ChassisInfo, ComponentInfo, FirmwareComponent, Identity, UnmappedNote } from '../../model/inventory.js';
import { inSubtree, int, isException, normOid, text, type RawVarbind } from './varbinds.js';

/** entPhysicalEntry. */
export const ENT_PHYSICAL_ENTRY = '1.3.6.1.2.1.47.1.1.1.1';

/** RFC 6933 PhysicalClass values this module distinguishes. */
export const PhysicalClass = {
  other: 1,
  unknown: 2,
  chassis: 3,
  backplane: 4,
  container: 5,
  powerSupply: 6,
  fan: 7,
  sensor: 8,
  module: 9,
  port: 10,
  stack: 11,
  cpu: 12,
  energyObject: 13,
  battery: 14,
  storageDrive: 15,
} as const;

const CLASS_NAMES: Record<number, string> = Object.fromEntries(Object.entries(PhysicalClass).map(([k, v]) => [v, k]));

/** One entPhysicalEntry, by column. Absent columns stay undefined. */
export interface EntityRow {
  index: number;
  descr?: string;
  vendorType?: string;
  containedIn?: number;
  class?: number;
  parentRelPos?: number;
  name?: string;
  hardwareRev?: string;
  firmwareRev?: string;
  softwareRev?: string;
  serial?: string;
  mfgName?: string;
  modelName?: string;
  isFru?: boolean;
}

const TEXT_COLUMNS: Record<number, keyof EntityRow> = {
  2: 'descr',
  3: 'vendorType',
  7: 'name',
  8: 'hardwareRev',
  9: 'firmwareRev',
  10: 'softwareRev',
  11: 'serial',
  12: 'mfgName',
  13: 'modelName',
};
const INT_COLUMNS: Record<number, keyof EntityRow> = { 4: 'containedIn', 5: 'class', 6: 'parentRelPos' };

/** Turns a walk of entPhysicalEntry into rows, in index order. Columns this module does not read are skipped. */
export function parseEntityTable(vbs: readonly RawVarbind[]): EntityRow[] {
  const rows = new Map<number, EntityRow>();
  for (const vb of vbs) {
    if (isException(vb) || !inSubtree(vb.oid, ENT_PHYSICAL_ENTRY)) continue;
    const [col, index, ...extra] = normOid(vb.oid).slice(ENT_PHYSICAL_ENTRY.length + 1).split('.').map(Number);
    if (col === undefined || index === undefined || extra.length || !Number.isInteger(index) || index < 1) continue;
    const row = rows.get(index) ?? { index };
    rows.set(index, row);
    const fields = row as unknown as Record<string, unknown>; // columns are set by name from the tables above
    const t = TEXT_COLUMNS[col];
    const n = INT_COLUMNS[col];
    if (t) {
      const v = text(vb);
      // zeroDotZero is RFC 6933's "no vendor type", not a value.
      if (v !== undefined && !(t === 'vendorType' && /^0\.0$/.test(normOid(v)))) fields[t] = t === 'vendorType' ? normOid(v) : v;
    } else if (n) {
      const v = int(vb);
      if (v !== undefined) fields[n] = v;
    } else if (col === 16) {
      const v = int(vb);
      if (v === 1 || v === 2) row.isFru = v === 1;
    }
  }
  return [...rows.values()].sort((a, b) => a.index - b.index);
}

/** What the table becomes. */
export interface EntityMapping {
  chassis: ChassisInfo[];
  components: ComponentInfo[];
  firmware: FirmwareComponent[];
  /** Ids of the top-level chassis (contained in nothing): the device itself. */
  topChassisIds: string[];
  /** Identity of the first top-level chassis: the device's serial, vendor and model. */
  identity: Identity;
  /** Rows of class cpu, for the system's processor summary. */
  processors: EntityRow[];
  unmapped: UnmappedNote[];
}

/** The id a row gets in the snapshot. entPhysicalIndex is the table's key and RFC 6933 asks agents to keep it stable. */
export const entityId = (index: number): string => `entity-${index}`;
/** Key of the walk in `InventorySnapshot.raw`: every source names a raw payload, the id says which row. */
export const ENTITY_SOURCE = 'entPhysicalTable';
/** A cell, named the MIB way: `entPhysicalClass.5` is row 5's class. */
const cell = (column: string, index: number): string => `${column}.${index}`;

/** Non-empty identity fields of a row. */
export function rowIdentity(r: EntityRow): Identity {
  const id: Identity = {};
  if (r.mfgName) id.manufacturer = r.mfgName;
  if (r.modelName) id.model = r.modelName;
  if (r.serial) id.serialNumber = r.serial;
  const fw = r.firmwareRev ?? r.softwareRev;
  if (fw) id.firmwareVersion = fw;
  return id;
}

const CHASSIS_LIKE: ReadonlySet<number> = new Set([PhysicalClass.chassis, PhysicalClass.module, PhysicalClass.backplane]);

function chassisType(r: EntityRow): string {
  if (r.class === PhysicalClass.module) return 'Module';
  if (r.class === PhysicalClass.backplane) return 'Component';
  // An add-in card reports itself as a chassis; Redfish (and DMTF's SmartNIC mockup) calls that a Card.
  return /\b(card|nic|smartnic|adapter|dpu|ipu)\b/i.test(`${r.descr ?? ''} ${r.modelName ?? ''} ${r.name ?? ''}`) ? 'Card' : 'Enclosure';
}

function sensorReadingType(r: EntityRow): string | undefined {
  const s = `${r.descr ?? ''} ${r.name ?? ''}`;
  if (/temp/i.test(s)) return 'Temperature';
  if (/\bfan\b|rpm/i.test(s)) return 'Rotational';
  if (/volt/i.test(s)) return 'Voltage';
  if (/current|\bamps?\b/i.test(s)) return 'Current';
  if (/power|watt/i.test(s)) return 'Power';
  return undefined;
}

/** A firmware component's role, where the row's name says it plainly. */
function role(r: EntityRow): string | undefined {
  const s = `${r.name ?? ''} ${r.descr ?? ''}`;
  if (/\bBMC\b|management controller/i.test(s)) return 'BMC';
  if (/\b(BIOS|UEFI)\b/i.test(s)) return 'BIOS';
  if (r.class === PhysicalClass.chassis && r.containedIn === 0) return 'Device';
  return undefined;
}

/**
 * Maps rows to the inventory. `systemId` is the one system an SNMP device has: processors belong to it, and the
 * top-level chassis point at it.
 */
export function mapEntities(rows: readonly EntityRow[], ids: { systemId: string; managerId: string }): EntityMapping {
  const byIndex = new Map(rows.map((r) => [r.index, r]));
  const out: EntityMapping = { chassis: [], components: [], firmware: [], topChassisIds: [], identity: {}, processors: [], unmapped: [] };

  /** The nearest ancestor that becomes a chassis, skipping containers and anything unmapped; loops end it. */
  const chassisAncestor = (r: EntityRow): EntityRow | undefined => {
    const seen = new Set<number>([r.index]);
    let p = r.containedIn ? byIndex.get(r.containedIn) : undefined;
    while (p && !seen.has(p.index)) {
      if (p.class !== undefined && CHASSIS_LIKE.has(p.class)) return p;
      seen.add(p.index);
      p = p.containedIn ? byIndex.get(p.containedIn) : undefined;
    }
    return undefined;
  };

  for (const r of rows) {
    const id = entityId(r.index);
    const name = r.name ?? r.descr;
    const identity = rowIdentity(r);
    if (r.containedIn && !byIndex.has(r.containedIn)) {
      out.unmapped.push({ source: ENTITY_SOURCE, path: cell('entPhysicalContainedIn', r.index), reason: `contained in entity ${r.containedIn}, which the table does not have` });
    }
    const parent = chassisAncestor(r);
    const cls = r.class ?? PhysicalClass.unknown;
    if (CHASSIS_LIKE.has(cls)) {
      const top = parent === undefined;
      if (top) out.topChassisIds.push(id);
      out.chassis.push({
        id,
        ...(name ? { name } : {}),
        chassisType: chassisType(r),
        identity,
        status: { state: 'Enabled' },
        ...(parent ? { containedBy: entityId(parent.index) } : {}),
        systemIds: top ? [ids.systemId] : [],
        managerIds: top ? [ids.managerId] : [],
        resetTypes: [],
        source: ENTITY_SOURCE,
      });
    } else if (cls === PhysicalClass.cpu || cls === PhysicalClass.sensor || cls === PhysicalClass.storageDrive) {
      const properties: Record<string, unknown> = {};
      let component: ComponentInfo;
      if (cls === PhysicalClass.cpu) {
        out.processors.push(r);
        properties.ProcessorType = 'CPU';
        if (r.hardwareRev) properties.Version = r.hardwareRev;
        component = { kind: 'Processor', id, parent: { kind: 'System', id: ids.systemId }, identity, properties };
      } else if (!parent) {
        out.unmapped.push({ source: ENTITY_SOURCE, path: cell('entPhysicalContainedIn', r.index), reason: `${CLASS_NAMES[cls]} "${name ?? ''}" is not inside any chassis` });
        continue;
      } else if (cls === PhysicalClass.sensor) {
        const rt = sensorReadingType(r);
        if (rt) properties.ReadingType = rt;
        component = { kind: 'Sensor', id, parent: { kind: 'Chassis', id: entityId(parent.index) }, identity, properties };
      } else {
        if (r.firmwareRev) properties.Revision = r.firmwareRev;
        component = { kind: 'Drive', id, parent: { kind: 'Chassis', id: entityId(parent.index) }, identity, properties };
      }
      out.components.push({ ...component, ...(name ? { name } : {}), status: { state: 'Enabled' }, source: ENTITY_SOURCE });
    } else {
      out.unmapped.push({ source: ENTITY_SOURCE, path: cell('entPhysicalClass', r.index), reason: `${CLASS_NAMES[cls] ?? `class ${cls}`} "${name ?? ''}": the inventory model has no kind for it` });
    }
    for (const [kind, version] of [['firmware', r.firmwareRev], ['software', r.softwareRev]] as const) {
      if (!version) continue;
      const fwRole = role(r);
      out.firmware.push({
        id: `${id}-${kind}`,
        name: `${name ?? id} ${kind}`,
        version,
        ...(r.mfgName ? { manufacturer: r.mfgName } : {}),
        updateable: false,
        ...(fwRole ? { componentRole: fwRole } : {}),
        source: ENTITY_SOURCE,
      });
    }
  }
  const first = out.topChassisIds[0];
  const topRow = first === undefined ? undefined : rows.find((r) => entityId(r.index) === first);
  if (topRow) out.identity = rowIdentity(topRow);
  return out;
}

