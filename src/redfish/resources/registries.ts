import { RedfishError } from '../errors.js';
import { collection, ROOT, TYPES } from '../odata.js';
import type { ResourceDef } from '../types.js';

const URI = `${ROOT}/Registries`;

/** Message registries Shoal emits messages from, with DMTF's publication as their location. */
export const REGISTRIES = [
  { id: 'Base', version: '1.22.1' },
  { id: 'TaskEvent', version: '1.0.5' },
  { id: 'ResourceEvent', version: '1.4.3' },
  { id: 'Update', version: '1.3.0' },
] as const;

export const registryResources: ResourceDef[] = [
  {
    path: URI,
    entity: 'MessageRegistryFileCollection',
    collection: true,
    get: () => collection('MessageRegistryFileCollection', URI, 'Message Registry File Collection', REGISTRIES.map((r) => `${URI}/${r.id}`)),
  },
  {
    path: `${URI}/:registryId`,
    entity: 'MessageRegistryFile',
    get: (ctx) => {
      const r = REGISTRIES.find((x) => x.id === ctx.params.registryId);
      if (!r) throw RedfishError.of(404, 'ResourceNotFound', ['MessageRegistryFile', ctx.params.registryId ?? '']);
      const [major, minor] = r.version.split('.');
      return {
        '@odata.id': `${URI}/${r.id}`,
        '@odata.type': TYPES.MessageRegistryFile,
        Id: r.id,
        Name: `${r.id} Message Registry File`,
        Description: `DMTF ${r.id} Message Registry File locations`,
        Languages: ['en'],
        Registry: `${r.id}.${major}.${minor}`,
        'Location@odata.count': 1,
        Location: [{ Language: 'en', PublicationUri: `https://redfish.dmtf.org/registries/${r.id}.${r.version}.json` }],
      };
    },
  },
];
