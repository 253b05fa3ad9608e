/**
 * From Redfish payloads to Shoal's model. Every reader checks the type of what it reads: a device that sends
 * `"SerialNumber": 42` loses that one field (and gets a note), not the whole inventory.
 */
import type {
  ChassisInfo,
  FirmwareComponent,
  Identity,
  ManagerInfo,
  PowerStateValue,
  ResetType,
  ResourceStatus,
  SystemInfo,
  SystemState,
} from 'shoal/drivers/api';

/** A Redfish payload. */
export type Payload = Record<string, unknown>;

/** The SDK exports `ResetType` as a type only; this is the set of values the model accepts. */
const RESET_TYPES: ReadonlySet<string> = new Set<ResetType>([
  'On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'Nmi', 'ForceOn',
  'PushPowerButton', 'PowerCycle', 'FullPowerCycle', 'Suspend', 'Pause', 'Resume',
]);
/** What DSP0268 lets a service accept when its action lists no AllowableValues: keep to the safe, common set. */
const DEFAULT_RESET_TYPES: ResetType[] = ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart'];
const POWER_STATES: ReadonlySet<string> = new Set<PowerStateValue>(['On', 'Off', 'PoweringOn', 'PoweringOff', 'Paused']);
const STATES: ReadonlySet<string> = new Set<NonNullable<ResourceStatus['state']>>([
  'Enabled', 'Disabled', 'Absent', 'Starting', 'StandbyOffline', 'StandbySpare', 'InTest', 'Updating',
  'UnavailableOffline', 'Deferring', 'Quiesced', 'Qualified', 'Degraded',
]);
const HEALTH: ReadonlySet<string> = new Set(['OK', 'Warning', 'Critical']);

/** A string property, or undefined when absent or of another type. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The `@odata.id` of a navigation property (`root.Systems`), or undefined. */
export function link(body: unknown, key: string): string | undefined {
  const v = body && typeof body === 'object' ? (body as Payload)[key] : undefined;
  const id = v && typeof v === 'object' ? (v as Payload)['@odata.id'] : undefined;
  return typeof id === 'string' && id.startsWith('/') ? id : undefined;
}

/** The `@odata.id`s of an array of navigation properties (`Links.ManagedBy`). */
export function links(body: unknown, key: string): string[] {
  const v = body && typeof body === 'object' ? (body as Payload)[key] : undefined;
  if (!Array.isArray(v)) return [];
  return v.map((x) => (x && typeof x === 'object' ? (x as Payload)['@odata.id'] : undefined)).filter((x): x is string => typeof x === 'string');
}

/** A resource's id: its `Id`, else the last segment of its URI. Actions are addressed by this id. */
export function idOf(body: Payload, uri: string): string {
  return str(body.Id) || decodeURIComponent(uri.replace(/\/+$/, '').split('/').pop() ?? uri);
}

/** `Actions["#<name>"]` (action names contain dots, so they cannot be reached by a dotted path). */
export function actionOf(body: Payload, name: string): Payload | undefined {
  const actions = body.Actions;
  const a = actions && typeof actions === 'object' ? (actions as Payload)[`#${name}`] : undefined;
  return a && typeof a === 'object' && !Array.isArray(a) ? (a as Payload) : undefined;
}

/** The reset types an action allows: its AllowableValues, the safe default set when it lists none, [] without it. */
export function resetTypesOf(body: Payload, action: string): ResetType[] {
  const a = actionOf(body, action);
  if (!a) return [];
  const allowed = a['ResetType@Redfish.AllowableValues'];
  if (!Array.isArray(allowed)) return [...DEFAULT_RESET_TYPES];
  return allowed.filter((v): v is ResetType => typeof v === 'string' && RESET_TYPES.has(v));
}

function identityOf(b: Payload): Identity {
  const out: Identity = {};
  const fields = { manufacturer: 'Manufacturer', model: 'Model', serialNumber: 'SerialNumber', partNumber: 'PartNumber', sku: 'SKU', uuid: 'UUID', firmwareVersion: 'FirmwareVersion' } as const;
  for (const [key, prop] of Object.entries(fields) as [keyof Identity, string][]) {
    const v = str(b[prop]);
    if (v) out[key] = v;
  }
  return out;
}

function statusOf(b: Payload): ResourceStatus | undefined {
  const s = b.Status && typeof b.Status === 'object' ? (b.Status as Payload) : undefined;
  if (!s) return undefined;
  const out: ResourceStatus = {};
  if (typeof s.State === 'string' && STATES.has(s.State)) out.state = s.State as ResourceStatus['state'];
  if (typeof s.Health === 'string' && HEALTH.has(s.Health)) out.health = s.Health as ResourceStatus['health'];
  if (typeof s.HealthRollup === 'string' && HEALTH.has(s.HealthRollup)) out.healthRollup = s.HealthRollup as ResourceStatus['healthRollup'];
  return Object.keys(out).length ? out : undefined;
}

const powerOf = (b: Payload): PowerStateValue | undefined => (typeof b.PowerState === 'string' && POWER_STATES.has(b.PowerState) ? (b.PowerState as PowerStateValue) : undefined);
const lastSegment = (uri: string) => decodeURIComponent(uri.replace(/\/+$/, '').split('/').pop() ?? uri);
const nestedLinks = (b: Payload, key: string) => links(b.Links, key).map(lastSegment);

/** The fast-poll view of a ComputerSystem. */
export function systemStateOf(uri: string, b: Payload): SystemState {
  const lastState = b.BootProgress && typeof b.BootProgress === 'object' ? str((b.BootProgress as Payload).LastState) : undefined;
  return { id: idOf(b, uri), powerState: powerOf(b), status: statusOf(b), ...(lastState ? { bootProgress: { lastState } } : {}) };
}

/** A ComputerSystem. `source` is the URI, which is also the payload's key in the snapshot's `raw`. */
export function systemOf(uri: string, b: Payload): SystemInfo {
  return {
    ...systemStateOf(uri, b),
    name: str(b.Name),
    systemType: str(b.SystemType),
    isDpu: b.SystemType === 'DPU' || undefined,
    hostName: str(b.HostName),
    biosVersion: str(b.BiosVersion),
    identity: identityOf(b),
    resetTypes: resetTypesOf(b, 'ComputerSystem.Reset'),
    chassisIds: nestedLinks(b, 'Chassis'),
    managerIds: nestedLinks(b, 'ManagedBy'),
    source: uri,
  };
}

/** A Chassis. */
export function chassisOf(uri: string, b: Payload): ChassisInfo {
  const containedBy = link(b.Links, 'ContainedBy');
  return {
    id: idOf(b, uri),
    name: str(b.Name),
    chassisType: str(b.ChassisType),
    identity: identityOf(b),
    status: statusOf(b),
    powerState: powerOf(b),
    ...(containedBy ? { containedBy: lastSegment(containedBy) } : {}),
    systemIds: nestedLinks(b, 'ComputerSystems'),
    managerIds: nestedLinks(b, 'ManagedBy'),
    resetTypes: resetTypesOf(b, 'Chassis.Reset'),
    source: uri,
  };
}

/** A Manager (the BMC itself). */
export function managerOf(uri: string, b: Payload): ManagerInfo {
  return {
    id: idOf(b, uri),
    name: str(b.Name),
    managerType: str(b.ManagerType),
    identity: identityOf(b),
    status: statusOf(b),
    resetTypes: resetTypesOf(b, 'Manager.Reset'),
    lastResetTime: str(b.LastResetTime),
    source: uri,
  };
}

/** A SoftwareInventory member of `UpdateService/FirmwareInventory`. */
export function firmwareOf(uri: string, b: Payload): FirmwareComponent {
  return {
    id: idOf(b, uri),
    name: str(b.Name),
    version: str(b.Version),
    manufacturer: str(b.Manufacturer),
    updateable: typeof b.Updateable === 'boolean' ? b.Updateable : undefined,
    status: statusOf(b),
    releaseDate: str(b.ReleaseDate),
    source: uri,
  };
}
