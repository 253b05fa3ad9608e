import { collection, isoTime, link, ROOT, TYPES, type Json } from '../odata.js';
import { RedfishError } from '../errors.js';
import type { RequestContext, ResourceDef } from '../types.js';

const SERVICE_ID_KEY = 'manager-service-identification';

function requireSelf(ctx: RequestContext): string {
  const id = ctx.services.info.managerId;
  if (ctx.params.managerId !== id) throw RedfishError.of(404, 'ResourceNotFound', ['Manager', ctx.params.managerId ?? '']);
  return id;
}

/** The gateway's own Manager (`ManagerType: Service`). Device managers join the collection with inventory. */
export function buildManager(ctx: RequestContext): Json {
  const id = requireSelf(ctx);
  const { info, settings } = ctx.services;
  const uri = `${ROOT}/Managers/${id}`;
  return {
    '@odata.id': uri,
    '@odata.type': TYPES.Manager,
    Id: id,
    Name: 'Shoal gateway',
    Description: 'The Redfish aggregation service of this Shoal gateway',
    ManagerType: 'Service',
    Model: 'Shoal',
    FirmwareVersion: info.version,
    UUID: info.uuid,
    ServiceEntryPointUUID: info.uuid,
    ServiceIdentification: settings.get<string>(SERVICE_ID_KEY) ?? '',
    LastResetTime: isoTime(info.startedAt),
    PowerState: 'On',
    Status: { State: 'Enabled', Health: 'OK' },
    NetworkProtocol: link(`${uri}/NetworkProtocol`),
    Oem: {
      Shoal: {
        '@odata.type': '#ShoalManager.v1_0_0.Manager',
        StoreEngine: 'SQLite',
        StoreSchemaVersion: info.storeSchemaVersion(),
      },
    },
  };
}

function buildNetworkProtocol(ctx: RequestContext): Json {
  const id = requireSelf(ctx);
  const { config } = ctx.services;
  const port = config.listen.port;
  return {
    '@odata.id': `${ROOT}/Managers/${id}/NetworkProtocol`,
    '@odata.type': TYPES.ManagerNetworkProtocol,
    Id: 'NetworkProtocol',
    Name: 'Shoal gateway network protocols',
    HostName: config.listen.host,
    HTTPS: { ProtocolEnabled: config.tls.enabled, Port: port },
    HTTP: { ProtocolEnabled: !config.tls.enabled, Port: port },
    Status: { State: 'Enabled', Health: 'OK' },
  };
}

export const managerResources: ResourceDef[] = [
  {
    path: `${ROOT}/Managers`,
    entity: 'ManagerCollection',
    collection: true,
    get: (ctx) => collection('ManagerCollection', `${ROOT}/Managers`, 'Manager Collection', [`${ROOT}/Managers/${ctx.services.info.managerId}`]),
  },
  {
    path: `${ROOT}/Managers/:managerId`,
    entity: 'Manager',
    get: buildManager,
    patch: {
      props: { ServiceIdentification: { type: 'string', maxLength: 99 } },
      apply: (ctx, v) => {
        requireSelf(ctx);
        ctx.services.settings.set(SERVICE_ID_KEY, v.ServiceIdentification);
      },
    },
  },
  { path: `${ROOT}/Managers/:managerId/NetworkProtocol`, entity: 'ManagerNetworkProtocol', get: buildNetworkProtocol },
];
