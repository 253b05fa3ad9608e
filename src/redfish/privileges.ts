import type { Privilege } from '../model/account.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** One of these privilege sets must be held in full (OR of ANDs), as in the PrivilegeRegistry's OperationMap. */
export type PrivilegeRule = readonly (readonly Privilege[])[];

const login: PrivilegeRule = [['Login']];
const writesNeed = (p: Privilege): Record<Method, PrivilegeRule> => ({
  GET: login,
  HEAD: login,
  POST: [[p]],
  PATCH: [[p]],
  PUT: [[p]],
  DELETE: [[p]],
});

/**
 * Operation maps for the entities Shoal serves, from DMTF PrivilegeRegistry 1.8.0. A test compares this table with
 * the registry file. `ConfigureSelf` only counts when the target is the caller's own account or session; the pipeline
 * asks the resource who owns it.
 */
export const ENTITY_PRIVILEGES: Record<string, Record<Method, PrivilegeRule>> = {
  ServiceRoot: writesNeed('ConfigureManager'),
  ComputerSystemCollection: writesNeed('ConfigureComponents'),
  ChassisCollection: writesNeed('ConfigureComponents'),
  ComputerSystem: writesNeed('ConfigureComponents'),
  Chassis: writesNeed('ConfigureComponents'),
  UpdateService: writesNeed('ConfigureComponents'),
  SoftwareInventoryCollection: writesNeed('ConfigureComponents'),
  SoftwareInventory: writesNeed('ConfigureComponents'),
  ManagerCollection: writesNeed('ConfigureManager'),
  Manager: writesNeed('ConfigureManager'),
  ManagerNetworkProtocol: writesNeed('ConfigureManager'),
  SessionService: writesNeed('ConfigureManager'),
  SessionCollection: { ...writesNeed('ConfigureManager'), POST: login },
  Session: {
    GET: [['ConfigureManager'], ['ConfigureSelf']],
    HEAD: [['ConfigureManager'], ['ConfigureSelf']],
    POST: [['ConfigureManager']],
    PATCH: [['ConfigureManager']],
    PUT: [['ConfigureManager']],
    DELETE: [['ConfigureManager'], ['ConfigureSelf']],
  },
  AccountService: writesNeed('ConfigureUsers'),
  ManagerAccountCollection: writesNeed('ConfigureUsers'),
  ManagerAccount: {
    GET: [['ConfigureManager'], ['ConfigureUsers'], ['ConfigureSelf']],
    HEAD: login,
    POST: [['ConfigureUsers']],
    PATCH: [['ConfigureUsers']],
    PUT: [['ConfigureUsers']],
    DELETE: [['ConfigureUsers']],
  },
  RoleCollection: writesNeed('ConfigureManager'),
  Role: writesNeed('ConfigureManager'),
  TaskService: writesNeed('ConfigureManager'),
  TaskCollection: writesNeed('ConfigureManager'),
  Task: writesNeed('ConfigureManager'),
  JsonSchemaFileCollection: writesNeed('ConfigureManager'),
  JsonSchemaFile: writesNeed('ConfigureManager'),
  MessageRegistryFileCollection: writesNeed('ConfigureManager'),
  MessageRegistryFile: writesNeed('ConfigureManager'),
  AggregationService: writesNeed('ConfigureManager'),
  AggregationSourceCollection: writesNeed('ConfigureManager'),
  AggregationSource: writesNeed('ConfigureManager'),
  ConnectionMethodCollection: writesNeed('ConfigureManager'),
  ConnectionMethod: writesNeed('ConfigureManager'),
};

/** PropertyOverrides: ManagerAccount `Password` may be PATCHed with ConfigureSelf on one's own account. */
export const PASSWORD_SELF_RULE: PrivilegeRule = [['ConfigureUsers'], ['ConfigureSelf']];

/**
 * True when the caller holds every privilege of at least one set. `ConfigureSelf` is dropped from the caller's
 * privileges unless `own` is true.
 */
export function allowed(rule: PrivilegeRule, held: ReadonlySet<Privilege>, own: boolean): boolean {
  return rule.some((set) => set.every((p) => (p === 'ConfigureSelf' ? own && held.has(p) : held.has(p))));
}

/** The rule for an entity and method; an entity missing from the table is a programming error. */
export function ruleFor(entity: string, method: Method): PrivilegeRule {
  const map = ENTITY_PRIVILEGES[entity];
  if (!map) throw new Error(`no privilege mapping for entity ${entity}`);
  return map[method];
}
