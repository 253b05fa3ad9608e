import { hostNameOf as hostName, type DiscoveredDevice, type SightingProtocol } from '../../model/discovery.js';
import { baseMessage, RedfishError, type ExtendedInfo } from '../errors.js';
import { collection, isoTime, link, ROOT, TYPES, type Json } from '../odata.js';
import type { HandlerReply, RequestContext, ResourceDef, SourceCredentials } from '../types.js';
import { requireObject } from '../validate-body.js';

export const AGG = `${ROOT}/AggregationService`;
export const SOURCES = `${AGG}/AggregationSources`;
export const METHODS = `${AGG}/ConnectionMethods`;

const STATUS: Record<DiscoveredDevice['state'], { State: string; Health: string }> = {
  Registered: { State: 'Enabled', Health: 'OK' },
  PendingApproval: { State: 'StandbyOffline', Health: 'OK' },
  CredentialsRequired: { State: 'StandbyOffline', Health: 'Warning' },
  Removed: { State: 'Disabled', Health: 'OK' },
  Tombstoned: { State: 'Absent', Health: 'OK' },
};

/** The AggregationSource for one device. Credentials are write-only: `Password` is always null. */
export function buildAggregationSource(d: DiscoveredDevice, userName: string | undefined, dpus: readonly string[]): Json {
  const id = d.identity;
  const shoal: Json = {
    '@odata.type': '#ShoalAggregationSource.v1_0_0.AggregationSource',
    RegistrationState: d.state,
    Reachable: d.reachable,
    FirstSeen: isoTime(d.firstSeen),
    LastSeen: isoTime(d.lastSeen),
    DiscoveredBy: Object.keys(d.sources).sort(),
    Identity: {
      ...(id.uuid ? { UUID: id.uuid } : {}),
      ...(id.serialNumber ? { SerialNumber: id.serialNumber } : {}),
      ...(id.manufacturer ? { Manufacturer: id.manufacturer } : {}),
      ...(id.model ? { Model: id.model } : {}),
      ...(id.partNumber ? { PartNumber: id.partNumber } : {}),
      ...(id.firmwareVersion ? { FirmwareVersion: id.firmwareVersion } : {}),
      MACAddresses: id.macs ?? [],
      ...(id.lldpChassisId ? { LLDPChassisId: id.lldpChassisId } : {}),
    },
    AlternateHostNames: d.alternates.map((a) => hostName(a)),
    DPUs: dpus.map((x) => link(`${SOURCES}/${x}`)),
    'DPUs@odata.count': dpus.length,
  };
  if (d.hostName) shoal.DNSName = d.hostName;
  if (d.problem) shoal.Problem = d.problem;
  if (d.offlineSince) shoal.OfflineSince = isoTime(d.offlineSince);
  if (d.parentId) shoal.Host = link(`${SOURCES}/${d.parentId}`);
  if (d.slot) shoal.HostSlot = d.slot;
  const status = d.reachable || d.state === 'PendingApproval' ? STATUS[d.state] : { State: 'UnavailableOffline', Health: 'Critical' };
  const label = [id.manufacturer, id.model].filter(Boolean).join(' ') || d.protocol.toUpperCase();
  return {
    '@odata.id': `${SOURCES}/${d.id}`,
    '@odata.type': TYPES.AggregationSource,
    Id: d.id,
    Name: `${label} at ${d.host}`,
    HostName: hostName(d),
    UserName: userName ?? null,
    Password: null,
    AggregationType: 'Full',
    Status: status,
    Links: {
      ...(d.driver ? { ConnectionMethod: link(`${METHODS}/${d.driver}`) } : {}),
      ResourcesAccessed: [],
      'ResourcesAccessed@odata.count': 0,
    },
    Oem: { Shoal: shoal },
  };
}

function find(ctx: RequestContext): DiscoveredDevice {
  const d = ctx.services.aggregation.get(ctx.params.sourceId ?? '');
  if (!d) throw RedfishError.of(404, 'ResourceNotFound', ['AggregationSource', ctx.params.sourceId ?? '']);
  return d;
}

function dpusOf(ctx: RequestContext, id: string): string[] {
  return ctx.services.aggregation.children(id);
}

/** Parses `HostName`: a URL (`https://h:p`, `ipmi://h`, `snmp://h:p`) or a bare `host[:port]`, which means Redfish over HTTPS. */
export function parseHostName(v: string): { protocol: SightingProtocol; host: string; port?: number; serviceRootUrl?: string } | undefined {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `https://${v}`;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return undefined;
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!host || u.username || u.password) return undefined;
  const port = u.port ? Number(u.port) : undefined;
  const out: { protocol: SightingProtocol; host: string; port?: number; serviceRootUrl?: string } = { protocol: 'redfish', host };
  if (u.protocol === 'https:' || u.protocol === 'http:') {
    out.port = port ?? (u.protocol === 'https:' ? 443 : 80);
    out.serviceRootUrl = `${u.protocol}//${u.host}/redfish/v1`;
  } else if (u.protocol === 'ipmi:' || u.protocol === 'snmp:') {
    out.protocol = u.protocol === 'ipmi:' ? 'ipmi' : 'snmp';
    if (port !== undefined) out.port = port;
  } else return undefined;
  return out;
}

function str(body: Record<string, unknown>, k: string, errors: ExtendedInfo[]): string | undefined {
  const v = body[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') {
    errors.push(baseMessage('PropertyValueTypeError', [JSON.stringify(v), k], `#/${k}`));
    return undefined;
  }
  return v;
}

/** POST to the collection: validates everything first, then adds the device (probing it when no driver is named). */
async function createSource(ctx: RequestContext, raw: unknown): Promise<HandlerReply> {
  const body = requireObject(raw);
  const errors: ExtendedInfo[] = [];
  for (const k of Object.keys(body)) {
    if (!['HostName', 'UserName', 'Password', 'Links', 'Name', 'AggregationType', 'SNMP'].includes(k) && !k.startsWith('@')) errors.push(baseMessage('PropertyUnknown', [k], `#/${k}`));
  }
  const hostText = str(body, 'HostName', errors);
  const user = str(body, 'UserName', errors);
  const pass = str(body, 'Password', errors);
  if (body.AggregationType !== undefined && body.AggregationType !== 'Full') errors.push(baseMessage('PropertyValueNotInList', [String(body.AggregationType), 'AggregationType'], '#/AggregationType'));
  let community: string | undefined;
  if (body.SNMP !== undefined) {
    const snmp = body.SNMP as Record<string, unknown> | null;
    const c = snmp && typeof snmp === 'object' ? snmp.TrapCommunity : undefined;
    if (typeof c !== 'string' || !c) errors.push(baseMessage('PropertyValueTypeError', [JSON.stringify(body.SNMP), 'SNMP'], '#/SNMP'));
    else community = c;
  }
  if (!hostText && !errors.some((e) => e.RelatedProperties?.[0] === '#/HostName')) errors.push(baseMessage('PropertyMissing', ['HostName'], '#/HostName'));
  const target = hostText ? parseHostName(hostText) : undefined;
  if (hostText && !target) errors.push(baseMessage('PropertyValueFormatError', [hostText, 'HostName'], '#/HostName'));
  if ((user === undefined) !== (pass === undefined)) errors.push(baseMessage('PropertyMissing', [user === undefined ? 'UserName' : 'Password'], `#/${user === undefined ? 'UserName' : 'Password'}`));
  let driver: string | undefined;
  const links = body.Links as Record<string, unknown> | undefined;
  if (links !== undefined) {
    const cm = links && typeof links === 'object' ? (links.ConnectionMethod as Record<string, unknown> | undefined) : undefined;
    const uri = cm && typeof cm === 'object' ? cm['@odata.id'] : undefined;
    const id = typeof uri === 'string' && uri.startsWith(`${METHODS}/`) ? uri.slice(METHODS.length + 1) : undefined;
    const method = id ? ctx.services.aggregation.connectionMethods().find((m) => m.id === id) : undefined;
    if (!method) errors.push(baseMessage('PropertyValueIncorrect', ['Links/ConnectionMethod', JSON.stringify(cm ?? links)], '#/Links/ConnectionMethod'));
    else {
      driver = method.id;
      if (target && target.protocol !== method.protocol && !/^[a-z]+:\/\//i.test(hostText!)) target.protocol = method.protocol;
      if (target && target.protocol !== method.protocol) errors.push(baseMessage('PropertyValueConflict', ['HostName', 'Links/ConnectionMethod'], '#/HostName'));
    }
  }
  if (errors.length) throw new RedfishError(400, errors);
  const credentials: SourceCredentials | undefined = community ? { community } : user && pass ? { username: user, password: pass } : undefined;
  const r = await ctx.services.aggregation.add({ ...target!, ...(driver ? { driver } : {}), ...(credentials ? { credentials } : {}) });
  if (!r.ok) {
    if (r.conflict) throw RedfishError.of(409, 'ResourceAlreadyExists', ['AggregationSource', 'HostName', hostText!]);
    throw new RedfishError(400, [baseMessage('CouldNotEstablishConnection', [hostText!], '#/HostName'), { ...baseMessage('GeneralError'), Message: r.reason }]);
  }
  const uri = `${SOURCES}/${r.device.id}`;
  return { status: 201, headers: { Location: uri }, body: buildAggregationSource(r.device, ctx.services.aggregation.userName(r.device.id), []) };
}

export const aggregationSourceResources: ResourceDef[] = [
  {
    path: SOURCES,
    entity: 'AggregationSourceCollection',
    collection: true,
    get: (ctx) => collection('AggregationSourceCollection', SOURCES, 'Aggregation Source Collection', ctx.services.aggregation.list().map((d) => `${SOURCES}/${d.id}`)),
    post: createSource,
  },
  {
    path: `${SOURCES}/:sourceId`,
    entity: 'AggregationSource',
    get: (ctx) => {
      const d = find(ctx);
      return buildAggregationSource(d, ctx.services.aggregation.userName(d.id), dpusOf(ctx, d.id));
    },
    revision: (ctx) => ctx.services.aggregation.get(ctx.params.sourceId ?? '')?.revision,
    patch: {
      props: {
        UserName: { type: 'string', minLength: 1, maxLength: 256 },
        Password: { type: 'string', minLength: 1, maxLength: 256 },
        'Oem/Shoal/Approved': { type: 'boolean', only: true },
      },
      apply: async (ctx, v) => {
        const d = find(ctx);
        const user = (v.UserName as string | undefined) ?? ctx.services.aggregation.userName(d.id);
        const pass = v.Password as string | undefined;
        if ((v.UserName !== undefined || pass !== undefined) && !(user && pass)) {
          throw new RedfishError(400, [baseMessage('PropertyMissing', [pass ? 'UserName' : 'Password'], `#/${pass ? 'UserName' : 'Password'}`)]);
        }
        await ctx.services.aggregation.update(d.id, {
          ...(user && pass ? { credentials: { username: user, password: pass } } : {}),
          ...(v['Oem/Shoal/Approved'] === true ? { approve: true } : {}),
        });
      },
    },
    delete: async (ctx) => {
      const d = find(ctx);
      await ctx.services.aggregation.remove(d.id);
      return { status: 204 };
    },
  },
];
