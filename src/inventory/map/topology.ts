/**
 * The top of one device's tree: its systems, chassis and managers indexed by id, with their aggregated URIs and the
 * system↔chassis relation taken from both sides (a driver may report either). Bad ids and duplicates are reported
 * here once, so every later step can trust the index.
 */
import type { ChassisInfo, InventorySnapshot, ManagerInfo, SystemInfo } from '../../model/inventory.js';
import { sane } from './common.js';
import { show } from './show.js';
import type { MapNote } from './types.js';
import { topUri, validId } from './uris.js';

/** A device's top-level resources and how they relate. */
export interface Topology {
  source: string;
  systems: Map<string, SystemInfo>;
  chassis: Map<string, ChassisInfo>;
  managers: Map<string, ManagerInfo>;
  systemUri(id: string): string;
  chassisUri(id: string): string;
  managerUri(id: string): string;
  /** Chassis ids of a system (from `chassisIds` and from each chassis' `systemIds`), in snapshot order. */
  chassisOf(systemId: string): string[];
  /** System ids of a chassis, likewise. */
  systemsOf(chassisId: string): string[];
  /** Manager ids managing a system or chassis, from both sides. */
  managersOfSystem(systemId: string): string[];
  managersOfChassis(chassisId: string): string[];
}

type Note = (n: MapNote) => void;

/** Keeps the first of each id; reports entries with no usable id, duplicates, and non-array id lists. */
function index<T extends { id: string; source?: string }>(list: unknown, what: string, note: Note): Map<string, T> {
  const out = new Map<string, T>();
  if (!Array.isArray(list)) {
    if (list !== undefined) note({ source: what, reason: `${what} is not a list` });
    return out;
  }
  list.forEach((x: unknown, i) => {
    const item = x as T | null;
    const src = (item && typeof item === 'object' && typeof item.source === 'string' ? item.source : undefined) ?? `${what}[${i}]`;
    if (!item || typeof item !== 'object' || !validId(item.id)) note({ source: src, reason: `${what} entry without a usable id: ${show(item?.id)}` });
    else if (out.has(item.id)) note({ source: src, reason: `duplicate ${what} id ${show(item.id)}; the first one is kept` });
    else out.set(item.id, sane(item));
  });
  return out;
}

/** A string list, or [] with a note. */
export function idList(v: unknown, source: string, path: string, note: Note): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    note({ source, path, reason: `${path} is not a list` });
    return [];
  }
  return v.filter((x): x is string => {
    if (validId(x)) return true;
    note({ source, path, reason: `${path} holds a bad id ${show(x)}` });
    return false;
  });
}

/** Indexes the snapshot's systems, chassis and managers for `source`, reporting what cannot be indexed. */
export function buildTopology(snap: InventorySnapshot, source: string, note: Note): Topology {
  const systems = index<SystemInfo>(snap.systems, 'systems', note);
  const chassis = index<ChassisInfo>(snap.chassis, 'chassis', note);
  const managers = index<ManagerInfo>(snap.managers, 'managers', note);
  const sysChassis = new Map<string, Set<string>>([...systems.keys()].map((k) => [k, new Set<string>()]));
  const chSystems = new Map<string, Set<string>>([...chassis.keys()].map((k) => [k, new Set<string>()]));
  const managed = new Map<string, Set<string>>();
  const manage = (key: string, m: string, from: string, path: string) => {
    if (!managers.has(m)) return note({ source: from, path, reason: `manager ${show(m)} is not in the inventory` });
    if (!managed.has(key)) managed.set(key, new Set());
    managed.get(key)!.add(m);
  };
  const relate = (s: string, c: string, from: string, path: string) => {
    if (!systems.has(s)) return note({ source: from, path, reason: `system ${show(s)} is not in the inventory` });
    if (!chassis.has(c)) return note({ source: from, path, reason: `chassis ${show(c)} is not in the inventory` });
    sysChassis.get(s)!.add(c);
    chSystems.get(c)!.add(s);
  };
  for (const s of systems.values()) {
    const src = s.source ?? `systems/${s.id}`;
    for (const c of idList(s.chassisIds, src, 'chassisIds', note)) relate(s.id, c, src, 'chassisIds');
    for (const m of idList(s.managerIds, src, 'managerIds', note)) manage(`s:${s.id}`, m, src, 'managerIds');
  }
  for (const c of chassis.values()) {
    const src = c.source ?? `chassis/${c.id}`;
    for (const s of idList(c.systemIds, src, 'systemIds', note)) relate(s, c.id, src, 'systemIds');
    for (const m of idList(c.managerIds, src, 'managerIds', note)) manage(`c:${c.id}`, m, src, 'managerIds');
  }
  return {
    source,
    systems,
    chassis,
    managers,
    systemUri: (id) => topUri('System', source, id),
    chassisUri: (id) => topUri('Chassis', source, id),
    managerUri: (id) => topUri('Manager', source, id),
    chassisOf: (id) => [...(sysChassis.get(id) ?? [])],
    systemsOf: (id) => [...(chSystems.get(id) ?? [])],
    managersOfSystem: (id) => [...(managed.get(`s:${id}`) ?? [])],
    managersOfChassis: (id) => [...(managed.get(`c:${id}`) ?? [])],
  };
}
