import { RedfishError } from '../errors.js';
import { OEM_SCHEMAS, readSchemaFile } from '../oem-schemas.js';
import { collection, parseOdataType, ROOT, schemaUri, TYPES, SERVED_TYPES, type Json } from '../odata.js';
import type { RequestContext, ResourceDef } from '../types.js';

const URI = `${ROOT}/JsonSchemas`;

interface Entry {
  id: string;
  schema: string;
  location: Json;
}

/**
 * One JsonSchemaFile per schema served: Shoal's OEM schemas with a local copy, and the DMTF schemas Shoal uses,
 * pointing at DMTF's publication.
 */
function entries(): Entry[] {
  const list: Entry[] = OEM_SCHEMAS.map((o) => ({
    id: o.namespace,
    schema: `#${o.versioned}`,
    location: { Language: 'en', Uri: `${URI}/${o.namespace}/${o.jsonFile}` },
  }));
  const seen = new Set<string>();
  for (const t of SERVED_TYPES) {
    const { namespace, version } = parseOdataType(t);
    if (seen.has(namespace)) continue;
    seen.add(namespace);
    list.push({
      id: namespace,
      schema: version ? `#${namespace}.${version}` : `#${namespace}`,
      location: { Language: 'en', PublicationUri: schemaUri(t) },
    });
  }
  return list;
}

function find(ctx: RequestContext): Entry {
  const e = entries().find((x) => x.id === ctx.params.schemaId);
  if (!e) throw RedfishError.of(404, 'ResourceNotFound', ['JsonSchemaFile', ctx.params.schemaId ?? '']);
  return e;
}

export const jsonSchemaResources: ResourceDef[] = [
  {
    path: URI,
    entity: 'JsonSchemaFileCollection',
    collection: true,
    get: () => collection('JsonSchemaFileCollection', URI, 'JSON Schema File Collection', entries().map((e) => `${URI}/${e.id}`)),
  },
  {
    path: `${URI}/:schemaId`,
    entity: 'JsonSchemaFile',
    get: (ctx) => {
      const e = find(ctx);
      return {
        '@odata.id': `${URI}/${e.id}`,
        '@odata.type': TYPES.JsonSchemaFile,
        Id: e.id,
        Name: `${e.id} Schema File`,
        Description: `JSON Schema for ${e.id}`,
        Languages: ['en'],
        Schema: e.schema,
        'Location@odata.count': 1,
        Location: [e.location],
      };
    },
  },
  {
    path: `${URI}/:schemaId/:file`,
    entity: 'JsonSchemaFile',
    raw: true,
    get: (ctx) => {
      const e = find(ctx);
      const text = (e.location.Uri as string | undefined)?.endsWith(`/${ctx.params.file}`) ? readSchemaFile(ctx.params.file ?? '') : undefined;
      if (!text) throw RedfishError.of(404, 'ResourceNotFound', ['JsonSchemaFile', ctx.params.file ?? '']);
      return { contentType: 'application/schema+json; charset=utf-8', text };
    },
  },
];
