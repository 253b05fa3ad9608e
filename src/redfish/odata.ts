import { LOG_TYPES } from '../inventory/map/logs.js';
import { COLLECTION_TYPES, MAP_TYPES } from '../inventory/map/odata-types.js';

/**
 * The `@odata.type` of every resource Shoal serves: the newest versions in DSP8010 2025.4. `$metadata`, the `Link`
 * header and the JsonSchemas collection are all derived from this one table, so they cannot disagree.
 */
export const TYPES = {
  ServiceRoot: '#ServiceRoot.v1_20_0.ServiceRoot',
  ComputerSystemCollection: '#ComputerSystemCollection.ComputerSystemCollection',
  ChassisCollection: '#ChassisCollection.ChassisCollection',
  ManagerCollection: '#ManagerCollection.ManagerCollection',
  Manager: '#Manager.v1_24_0.Manager',
  ManagerNetworkProtocol: '#ManagerNetworkProtocol.v1_12_0.ManagerNetworkProtocol',
  SessionService: '#SessionService.v1_2_0.SessionService',
  SessionCollection: '#SessionCollection.SessionCollection',
  Session: '#Session.v1_8_0.Session',
  AccountService: '#AccountService.v1_18_1.AccountService',
  ManagerAccountCollection: '#ManagerAccountCollection.ManagerAccountCollection',
  ManagerAccount: '#ManagerAccount.v1_14_1.ManagerAccount',
  RoleCollection: '#RoleCollection.RoleCollection',
  Role: '#Role.v1_3_3.Role',
  TaskService: '#TaskService.v1_3_0.TaskService',
  TaskCollection: '#TaskCollection.TaskCollection',
  Task: '#Task.v1_7_4.Task',
  JsonSchemaFileCollection: '#JsonSchemaFileCollection.JsonSchemaFileCollection',
  JsonSchemaFile: '#JsonSchemaFile.v1_1_5.JsonSchemaFile',
  MessageRegistryFileCollection: '#MessageRegistryFileCollection.MessageRegistryFileCollection',
  MessageRegistryFile: '#MessageRegistryFile.v1_1_5.MessageRegistryFile',
  AggregationService: '#AggregationService.v1_0_3.AggregationService',
  AggregationSourceCollection: '#AggregationSourceCollection.AggregationSourceCollection',
  AggregationSource: '#AggregationSource.v1_5_0.AggregationSource',
  ConnectionMethodCollection: '#ConnectionMethodCollection.ConnectionMethodCollection',
  ConnectionMethod: '#ConnectionMethod.v1_2_0.ConnectionMethod',
  UpdateService: '#UpdateService.v1_17_0.UpdateService',
  SoftwareInventoryCollection: '#SoftwareInventoryCollection.SoftwareInventoryCollection',
} as const;

/**
 * Every `@odata.type` Shoal serves: its own resources' and those of the aggregated tree the inventory mapper writes.
 * `$metadata` and the JsonSchemas collection list these.
 */
export const SERVED_TYPES: readonly string[] = [...Object.values(TYPES), ...Object.values(MAP_TYPES), ...Object.values(COLLECTION_TYPES), ...Object.values(LOG_TYPES)];

export type TypeName = keyof typeof TYPES;

export const ROOT = '/redfish/v1';

export type Json = Record<string, unknown>;

/** Splits `#Manager.v1_24_0.Manager` into namespace `Manager`, version `v1_24_0` (may be absent) and type `Manager`. */
export function parseOdataType(t: string): { namespace: string; version?: string; type: string } {
  const m = /^#([A-Za-z0-9]+)(?:\.(v\d+_\d+_\d+))?\.([A-Za-z0-9]+)$/.exec(t);
  if (!m) throw new Error(`bad @odata.type ${t}`);
  return m[2] ? { namespace: m[1]!, version: m[2], type: m[3]! } : { namespace: m[1]!, type: m[3]! };
}

/** Where DMTF publishes the JSON Schema for a type; used in `Link: <...>; rel=describedby`. */
export function schemaUri(odataType: string): string {
  const { namespace, version } = parseOdataType(odataType);
  return `http://redfish.dmtf.org/schemas/v1/${namespace}${version ? '.' + version : ''}.json`;
}

export function link(id: string): { '@odata.id': string } {
  return { '@odata.id': id };
}

/** A resource collection body. */
export function collection(type: TypeName, id: string, name: string, memberIds: string[]): Json {
  return {
    '@odata.id': id,
    '@odata.type': TYPES[type],
    Name: name,
    'Members@odata.count': memberIds.length,
    Members: memberIds.map(link),
  };
}

/** Redfish DateTime with an explicit offset, as the schemas' `date-time` format requires. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}
