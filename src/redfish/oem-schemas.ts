import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Shoal's own OEM schemas, shipped in `schemas/` and served so validators can resolve every `Oem.Shoal` object. */
export interface OemSchema {
  /** Namespace, e.g. `ShoalManager`. */
  namespace: string;
  /** Newest versioned namespace, e.g. `ShoalManager.v1_0_0`. */
  versioned: string;
  jsonFile: string;
  csdlFile: string;
}

export const OEM_SCHEMAS: OemSchema[] = [
  { namespace: 'ShoalManager', versioned: 'ShoalManager.v1_0_0', jsonFile: 'ShoalManager.v1_0_0.json', csdlFile: 'ShoalManager_v1.xml' },
  { namespace: 'ShoalAggregationSource', versioned: 'ShoalAggregationSource.v1_0_0', jsonFile: 'ShoalAggregationSource.v1_0_0.json', csdlFile: 'ShoalAggregationSource_v1.xml' },
  { namespace: 'ShoalAggregationService', versioned: 'ShoalAggregationService.v1_0_0', jsonFile: 'ShoalAggregationService.v1_0_0.json', csdlFile: 'ShoalAggregationService_v1.xml' },
  { namespace: 'ShoalComputerSystem', versioned: 'ShoalComputerSystem.v1_0_0', jsonFile: 'ShoalComputerSystem.v1_0_0.json', csdlFile: 'ShoalComputerSystem_v1.xml' },
];

export const SCHEMAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');

const cache = new Map<string, string>();

/** Reads a schema file once; the files are part of the release and never change while running. */
export function readSchemaFile(name: string): string | undefined {
  if (!/^[A-Za-z0-9_.]+\.(json|xml)$/.test(name)) return undefined;
  if (!OEM_SCHEMAS.some((s) => s.jsonFile === name || s.csdlFile === name)) return undefined;
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(SCHEMAS_DIR, name), 'utf8');
    cache.set(name, text);
  }
  return text;
}
