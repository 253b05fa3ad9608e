import { RedfishError, baseMessage } from './errors.js';
import { allowed, ruleFor, type Method, type PrivilegeRule } from './privileges.js';
import { allowedMethods } from './router.js';
import type { RequestContext, ResourceDef } from './types.js';

/** 405 with the `Allow` header DSP0266 requires on it. */
export function methodNotAllowed(def: ResourceDef): RedfishError {
  return new RedfishError(405, baseMessage('OperationNotAllowed'), { Allow: allowedMethods(def).join(', ') });
}

/** Refuses the caller with 403 unless the PrivilegeRegistry rule (or the one given) admits them. */
export function authorize(def: ResourceDef, ctx: RequestContext, method: Method, rule?: PrivilegeRule): void {
  const p = ctx.principal;
  if (!p) return; // only reachable on noAuth routes
  const own = def.owner?.(ctx) === p.accountId;
  const r = rule ?? ruleFor(def.entity, method);
  if (allowed(r, p.privileges, own)) return;
  // With ConfigureSelf alone, a caller may not learn whether another user's resource exists.
  throw RedfishError.of(403, 'InsufficientPrivilege');
}
