import { hostname } from 'node:os';
import { collection, isoTime, link, ROOT, TYPES, type Json } from '../odata.js';
import { RedfishError } from '../errors.js';
import type { RequestContext, ResourceDef } from '../types.js';
import { segment } from '../../inventory/map/uris.js';
import { fleetMembers, storedDoc, storedSubtree } from './inventory-tree.js';

const SERVICE_ID_KEY = 'manager-service-identification';

let resetCache: [number, string] | undefined;
const lastReset = (t: number) => (resetCache?.[0] === t ? resetCache[1] : (resetCache = [t, isoTime(t)])[1]);

function requireSelf(ctx: RequestContext): string {
  const id = ctx.services.info.managerId;
  if (ctx.params.managerId !== id) throw RedfishError.of(404, 'ResourceNotFound', ['Manager', ctx.params.managerId ?? '']);
  return id;
}

const isSelf = (ctx: RequestContext) => ctx.params.managerId === ctx.services.info.managerId;
/** A device's manager (its BMC), as the inventory service stored it. The id is taken as sent, still encoded. */
const deviceManager = (ctx: RequestContext, rest = '') => storedDoc(ctx, `${ROOT}/Managers/${segment(ctx.params.managerId ?? '')}${rest}`, rest ? 'ManagerNetworkProtocol' : 'Manager');

/** The gateway's own Manager (`ManagerType: Service`), or a device's BMC from the aggregated tree. */
export function buildManager(ctx: RequestContext): Json {
  if (!isSelf(ctx)) return deviceManager(ctx);
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
    LastResetTime: lastReset(info.startedAt),
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
  if (!isSelf(ctx)) return deviceManager(ctx, '/NetworkProtocol');
  const id = requireSelf(ctx);
  const { config } = ctx.services;
  // The port the request arrived on: with `--listen host:0` the configured port says nothing.
  const port = ctx.request.socket?.localPort ?? config.listen.port;
  const [on, off] = config.tls.enabled ? ['HTTPS', 'HTTP'] : ['HTTP', 'HTTPS'];
  return {
    '@odata.id': `${ROOT}/Managers/${id}/NetworkProtocol`,
    '@odata.type': TYPES.ManagerNetworkProtocol,
    Id: 'NetworkProtocol',
    Name: 'Shoal gateway network protocols',
    HostName: hostname(),
    [on]: { ProtocolEnabled: true, Port: port },
    [off]: { ProtocolEnabled: false },
    Status: { State: 'Enabled', Health: 'OK' },
  };
}

export const managerResources: ResourceDef[] = [
  {
    path: `${ROOT}/Managers`,
    entity: 'ManagerCollection',
    collection: true,
    // The gateway first, then every device's BMC and DPU BMC.
    get: (ctx) => collection('ManagerCollection', `${ROOT}/Managers`, 'Manager Collection', [`${ROOT}/Managers/${ctx.services.info.managerId}`, ...fleetMembers(ctx, `${ROOT}/Managers`)]),
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
  storedSubtree(`${ROOT}/Managers`, 'Manager'),
];
