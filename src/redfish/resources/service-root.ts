import { QUERY_FEATURES_SUPPORTED } from '../query/index.js';
import { link, ROOT, TYPES, type Json } from '../odata.js';
import type { RequestContext, ResourceDef } from '../types.js';

export const REDFISH_VERSION = '1.22.0';

/** The service root. Readable without authentication, as DSP0266 requires. */
export function buildServiceRoot(ctx: RequestContext): Json {
  const { info } = ctx.services;
  return {
    '@odata.id': ROOT,
    '@odata.type': TYPES.ServiceRoot,
    Id: 'RootService',
    Name: 'Shoal Redfish Service',
    RedfishVersion: REDFISH_VERSION,
    UUID: info.uuid,
    Vendor: 'Shoal',
    Product: 'Shoal Redfish gateway for DPUs and BMCs',
    ProtocolFeaturesSupported: {
      ...QUERY_FEATURES_SUPPORTED,
      IncludeOriginOfConditionQuery: false,
      MultipleHTTPRequests: true,
      DeepOperations: { DeepPATCH: false, DeepPOST: false },
    },
    Systems: link(`${ROOT}/Systems`),
    Chassis: link(`${ROOT}/Chassis`),
    Managers: link(`${ROOT}/Managers`),
    SessionService: link(`${ROOT}/SessionService`),
    AccountService: link(`${ROOT}/AccountService`),
    Tasks: link(`${ROOT}/TaskService`),
    UpdateService: link(`${ROOT}/UpdateService`),
    AggregationService: link(`${ROOT}/AggregationService`),
    JsonSchemas: link(`${ROOT}/JsonSchemas`),
    Registries: link(`${ROOT}/Registries`),
    Links: { Sessions: link(`${ROOT}/SessionService/Sessions`) },
  };
}

export const serviceRootResources: ResourceDef[] = [
  {
    path: '/redfish',
    entity: 'ServiceRoot',
    noAuth: ['GET', 'HEAD'],
    raw: true,
    get: () => ({ body: { v1: '/redfish/v1/' } }),
  },
  { path: ROOT, entity: 'ServiceRoot', noAuth: ['GET', 'HEAD'], get: buildServiceRoot },
];
