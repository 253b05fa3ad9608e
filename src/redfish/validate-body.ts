import { baseMessage, RedfishError, type ExtendedInfo } from './errors.js';
import type { PropSpec } from './types.js';

type Mode = 'patch' | 'create' | 'action';

function describe(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}

/** Checks one value against its spec; returns the Base message for the first problem. */
export function checkValue(path: string, spec: PropSpec, v: unknown, mode: Mode, action = ''): ExtendedInfo | undefined {
  const rel = `#/${path}`;
  const typeErr = () =>
    mode === 'action'
      ? baseMessage('ActionParameterValueTypeError', [describe(v), path, action], rel)
      : baseMessage('PropertyValueTypeError', [describe(v), path], rel);
  const rangeErr = () =>
    mode === 'action'
      ? baseMessage('ActionParameterValueOutOfRange', [describe(v), path, action], rel)
      : baseMessage('PropertyValueOutOfRange', [describe(v), path], rel);
  switch (spec.type) {
    case 'string':
      if (typeof v !== 'string') return typeErr();
      if ((spec.minLength !== undefined && v.length < spec.minLength) || (spec.maxLength !== undefined && v.length > spec.maxLength)) {
        return rangeErr();
      }
      if (spec.pattern && !spec.pattern.test(v)) {
        return mode === 'action' ? typeErr() : baseMessage('PropertyValueFormatError', [v, path], rel);
      }
      return undefined;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return typeErr();
      if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) return rangeErr();
      return undefined;
    case 'boolean':
      if (typeof v !== 'boolean') return typeErr();
      if (spec.only !== undefined && v !== spec.only) {
        return mode === 'action'
          ? baseMessage('ActionParameterValueNotInList', [String(v), path, action], rel)
          : baseMessage('PropertyValueNotInList', [String(v), path], rel);
      }
      return undefined;
    case 'array': {
      if (!Array.isArray(v)) return typeErr();
      if (spec.maxItems !== undefined && v.length > spec.maxItems) return rangeErr();
      for (let i = 0; i < v.length; i++) {
        const e = checkValue(`${path}/${i}`, spec.items, v[i], mode, action);
        if (e) return e;
      }
      return undefined;
    }
    case 'enum':
      if (typeof v !== 'string') return typeErr();
      if (!spec.values.includes(v)) {
        return mode === 'action'
          ? baseMessage('ActionParameterValueNotInList', [v, path, action], rel)
          : baseMessage('PropertyValueNotInList', [v, path], rel);
      }
      return undefined;
  }
}

/** Flattens `{A: {B: 1}}` into `A/B` where the specs name nested paths, leaving other objects whole. */
export function flatten(body: Record<string, unknown>, specs: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const path = prefix + k;
    const nested = Object.keys(specs).some((s) => s.startsWith(path + '/'));
    if (nested && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      Object.assign(out, flatten(v as Record<string, unknown>, specs, path + '/'));
    } else {
      out[path] = v;
    }
  }
  return out;
}

/** Requires a JSON object body. */
export function requireObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw RedfishError.of(400, 'UnrecognizedRequestBody');
  }
  return body as Record<string, unknown>;
}

export const isAnnotation = (k: string) => k.startsWith('@odata.') || k.includes('@Redfish.') || k.includes('@odata.');

/**
 * Splits a PATCH body into accepted values and per-property errors. `current` is the resource as served, which tells
 * a read-only property (present) from an unknown one (absent).
 */
export function sortPatch(
  body: Record<string, unknown>,
  specs: Record<string, PropSpec>,
  current: Record<string, unknown>,
): { values: Record<string, unknown>; errors: ExtendedInfo[] } {
  const values: Record<string, unknown> = {};
  const errors: ExtendedInfo[] = [];
  for (const [path, v] of Object.entries(flatten(body, specs))) {
    if (isAnnotation(path)) continue;
    const spec = specs[path];
    if (!spec) {
      const top = path.split('/')[0]!;
      errors.push(
        top in current
          ? baseMessage('PropertyNotWritable', [path], `#/${path}`)
          : baseMessage('PropertyUnknown', [path], `#/${path}`),
      );
      continue;
    }
    const err = checkValue(path, spec, v, 'patch');
    if (err) errors.push(err);
    else values[path] = v;
  }
  return { values, errors };
}

/** Validates a create or action body in full: any problem fails the whole request with every message. */
export function checkAll(
  body: Record<string, unknown>,
  specs: Record<string, PropSpec & { required?: boolean }>,
  mode: 'create' | 'action',
  action = '',
): Record<string, unknown> {
  const errors: ExtendedInfo[] = [];
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (isAnnotation(k)) continue;
    const spec = specs[k];
    if (!spec) {
      errors.push(
        mode === 'action'
          ? baseMessage('ActionParameterUnknown', [action, k], `#/${k}`)
          : baseMessage('PropertyUnknown', [k], `#/${k}`),
      );
      continue;
    }
    const err = checkValue(k, spec, v, mode, action);
    if (err) errors.push(err);
    else values[k] = v;
  }
  for (const [k, spec] of Object.entries(specs)) {
    if (spec.required && !(k in body)) {
      errors.push(
        mode === 'action'
          ? baseMessage('ActionParameterMissing', [action, k], `#/${k}`)
          : baseMessage('PropertyMissing', [k], `#/${k}`),
      );
    }
  }
  if (errors.length) throw new RedfishError(400, errors);
  return values;
}
