import type { ResourceDef } from '../types.js';
import { accountResources } from './account-service.js';
import { aggregationServiceResources } from './aggregation-service.js';
import { aggregationSourceResources } from './aggregation-sources.js';
import { chassisResources } from './chassis.js';
import { jsonSchemaResources } from './json-schemas.js';
import { managerResources } from './managers.js';
import { metadataResources } from './metadata.js';
import { registryResources } from './registries.js';
import { serviceRootResources } from './service-root.js';
import { sessionResources } from './sessions.js';
import { systemResources } from './systems.js';
import { taskResources, testTaskResource } from './tasks.js';
import { updateServiceResources } from './update-service.js';

/** Every Redfish resource the gateway serves, listed explicitly. */
export function allResources(opts: { testActions: boolean }): ResourceDef[] {
  return [
    ...serviceRootResources,
    ...metadataResources,
    ...systemResources,
    ...chassisResources,
    ...updateServiceResources,
    ...managerResources,
    ...sessionResources,
    ...accountResources,
    ...taskResources,
    ...jsonSchemaResources,
    ...registryResources,
    ...aggregationServiceResources,
    ...aggregationSourceResources,
    ...(opts.testActions ? [testTaskResource] : []),
  ];
}
