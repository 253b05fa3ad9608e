/**
 * Serving the aggregated tree: every document the inventory service wrote is served from the store as written. A
 * fleet collection (Systems, Chassis, FirmwareInventory, ...) lists its members from the store; a subtree route
 * (`/redfish/v1/Systems/*`) serves any stored document below it, whatever its depth, so a new component kind in the
 * mapper needs no new route. Nothing here reaches a device.
 */
import { RedfishError } from '../errors.js';
import { collection, ROOT, TYPES, type Json, type TypeName } from '../odata.js';
import type { RequestContext, ResourceDef } from '../types.js';

/** The stored document at `uri`, or 404 `ResourceNotFound` naming the kind of resource asked for and its last segment. */
export function storedDoc(ctx: RequestContext, uri: string, entity = 'Resource'): Json {
  const doc = ctx.services.inventory.get(uri);
  if (!doc) throw RedfishError.of(404, 'ResourceNotFound', [entity, lastSegment(uri)]);
  return doc.body;
}

function lastSegment(uri: string): string {
  const seg = uri.slice(uri.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg; // a malformed escape is shown as sent
  }
}

/** Every member URI of a fleet collection, in order (for the collection's plain read and its ETag). */
export function fleetMembers(ctx: RequestContext, coll: string): string[] {
  return ctx.services.inventory.members(coll).uris;
}

/** A fleet collection served from the store; `$filter`, paging and `$expand` run there (see `serve-get.ts`). */
export function fleetCollection(path: string, type: TypeName, name: string, entity: string = type): ResourceDef {
  return {
    path,
    entity,
    collection: true,
    fleet: { collection: path, type: TYPES[type], name },
    get: (ctx) => collection(type, path, name, fleetMembers(ctx, path)),
  };
}

/** Serves every stored document under `prefix` (for example `${ROOT}/Systems`), read-only. */
export function storedSubtree(prefix: string, entity: string): ResourceDef {
  return {
    path: `${prefix}/*`,
    entity,
    get: (ctx) => storedDoc(ctx, `${prefix}/${ctx.params['*'] ?? ''}`, entity),
  };
}

export { ROOT };
