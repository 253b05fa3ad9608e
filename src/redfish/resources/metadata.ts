import { RedfishError } from '../errors.js';
import { OEM_SCHEMAS, readSchemaFile } from '../oem-schemas.js';
import { parseOdataType, ROOT, TYPES, SERVED_TYPES, type Json } from '../odata.js';
import type { ResourceDef } from '../types.js';

const DMTF_CSDL = 'http://redfish.dmtf.org/schemas/v1/';

/** Namespaces referenced by `$metadata`: every served type plus the ones their payloads embed. */
export function metadataReferences(): { uri: string; namespaces: string[]; alias?: string }[] {
  const byNs = new Map<string, Set<string>>();
  const add = (ns: string, v?: string) => {
    const set = byNs.get(ns) ?? new Set([ns]);
    if (v) set.add(`${ns}.${v}`);
    byNs.set(ns, set);
  };
  for (const t of SERVED_TYPES) {
    const { namespace, version } = parseOdataType(t);
    add(namespace, version);
  }
  add('Resource', 'v1_0_0');
  add('Message', 'v1_3_0');
  const refs: { uri: string; namespaces: string[]; alias?: string }[] = [...byNs.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ns, set]) => ({ uri: `${DMTF_CSDL}${ns}_v1.xml`, namespaces: [...set] }));
  refs.push({ uri: `${DMTF_CSDL}RedfishExtensions_v1.xml`, namespaces: ['RedfishExtensions.v1_0_0'], alias: 'Redfish' });
  for (const o of OEM_SCHEMAS) refs.push({ uri: `${ROOT}/schemas/${o.csdlFile}`, namespaces: [o.namespace, o.versioned] });
  return refs;
}

export function buildMetadata(): string {
  const { version } = parseOdataType(TYPES.ServiceRoot);
  const refs = metadataReferences()
    .map((r) => {
      const inc = r.namespaces
        .map((n) => `    <edmx:Include Namespace="${n}"${r.alias ? ` Alias="${r.alias}"` : ''}/>`)
        .join('\n');
      return `  <edmx:Reference Uri="${r.uri}">\n${inc}\n  </edmx:Reference>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">
${refs}
  <edmx:DataServices>
    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="Service">
      <EntityContainer Name="Service" Extends="ServiceRoot.${version}.ServiceContainer"/>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
`;
}

/** The OData service document: the service root's top-level resources. */
function buildServiceDocument(): Json {
  const singletons = ['Systems', 'Chassis', 'Managers', 'UpdateService', 'SessionService', 'AccountService', 'TaskService', 'JsonSchemas', 'Registries'];
  return {
    '@odata.context': `${ROOT}/$metadata`,
    value: [
      { name: 'Service', kind: 'Singleton', url: `${ROOT}/` },
      ...singletons.map((n) => ({ name: n, kind: 'Singleton', url: `${ROOT}/${n}` })),
      { name: 'Sessions', kind: 'Singleton', url: `${ROOT}/SessionService/Sessions` },
    ],
  };
}

let metadataText: string | undefined;

export const metadataResources: ResourceDef[] = [
  {
    path: `${ROOT}/$metadata`,
    entity: 'ServiceRoot',
    noAuth: ['GET', 'HEAD'],
    raw: true,
    get: () => ({ contentType: 'application/xml; charset=utf-8', text: (metadataText ??= buildMetadata()) }),
  },
  {
    path: `${ROOT}/odata`,
    entity: 'ServiceRoot',
    noAuth: ['GET', 'HEAD'],
    raw: true,
    get: () => ({ body: buildServiceDocument() }),
  },
  {
    path: `${ROOT}/schemas/:file`,
    entity: 'JsonSchemaFile',
    raw: true,
    get: (ctx) => {
      const text = readSchemaFile(ctx.params.file ?? '');
      if (!text || !ctx.params.file?.endsWith('.xml')) throw RedfishError.of(404, 'ResourceNotFound', ['Schema', ctx.params.file ?? '']);
      return { contentType: 'application/xml; charset=utf-8', text };
    },
  },
];
