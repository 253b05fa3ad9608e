/**
 * The mapper's static schema facts against the DMTF bundle they were generated from: the generated files are exactly
 * what the generator makes of the bundle today, their property lists are the schemas' (checked here independently of
 * the generator), the chosen @odata.type versions exist and are the newest, and the condition messages are Base's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFS, PROPERTY_SHAPES } from '../../../src/inventory/map/allow-lists.js';
import { COLLECTION_TYPES, GATEWAY_OWNED, MAP_TYPES, splitType } from '../../../src/inventory/map/odata-types.js';
import { ENUMS } from '../../../src/inventory/map/schema-enums.js';
import { BASE_REGISTRY, CONDITION_MESSAGES } from '../../../src/inventory/map/status.js';
import { TYPES } from '../../../src/redfish/odata.js';
import { sharedDir } from '../../support/shared-dir.js';
import { OUTPUTS, renderAllowLists } from './gen-allow-lists.js';

const SCHEMAS = join(sharedDir(), 'redfish-schemas', 'json-schema');
const schema = (f: string) => JSON.parse(readFileSync(join(SCHEMAS, f), 'utf8')) as { definitions: Record<string, any> };
const names = (text: string) => text.split(' ').filter(Boolean).map((t) => t.slice(0, t.indexOf(':')));
const versionKey = (f: string) => {
  const m = /\.v(\d+)_(\d+)_(\d+)\.json$/.exec(f)!;
  return Number(m[1]) * 1e6 + Number(m[2]) * 1e3 + Number(m[3]);
};
/** The newest versioned file of a namespace that defines `def`, or the unversioned file when only it does. */
function definingFile(ns: string, def: string): string {
  const versioned = readdirSync(SCHEMAS)
    .filter((f) => f.startsWith(`${ns}.v`) && /\.v\d+_\d+_\d+\.json$/.test(f))
    .sort((a, b) => versionKey(b) - versionKey(a));
  const newest = versioned.find((f) => schema(f).definitions[def]);
  if (newest) return newest;
  if (schema(`${ns}.json`).definitions[def]) return `${ns}.json`;
  throw new Error(`no ${ns} file defines ${def}`);
}

describe('generated schema facts', () => {
  it('are exactly what the generator makes of the bundle (run gen-allow-lists.ts after a bundle update)', () => {
    const fresh = renderAllowLists();
    expect(readFileSync(OUTPUTS.shapes, 'utf8')).toBe(fresh.shapes);
    expect(readFileSync(OUTPUTS.enums, 'utf8')).toBe(fresh.enums);
  });

  it("list each component type's properties: the schema's, less those the gateway writes", () => {
    for (const [kind, text] of Object.entries(PROPERTY_SHAPES)) {
      const { namespace, version } = splitType(MAP_TYPES[kind as keyof typeof MAP_TYPES]);
      const props = Object.keys(schema(`${namespace}.${version}.json`).definitions[namespace].properties as object);
      expect([...names(text), ...GATEWAY_OWNED.filter((p) => props.includes(p))].sort(), kind).toEqual(props.sort());
    }
  });

  it("list each nested definition's properties as its newest schema has them (Oem and Actions are never carried)", () => {
    expect(Object.keys(DEFS).length).toBeGreaterThan(50);
    for (const [key, text] of Object.entries(DEFS)) {
      const [ns, def] = key.split('.') as [string, string];
      const props = Object.keys(schema(definingFile(ns, def)).definitions[def].properties as object).filter((p) => p !== 'Oem' && p !== 'Actions');
      expect(names(text).sort(), key).toEqual(props.sort());
    }
  });

  it('hold the enum values of the schemas', () => {
    for (const [key, text] of Object.entries(ENUMS)) {
      const [ns, def] = key.split('.') as [string, string];
      expect(text.split(' '), key).toEqual(schema(definingFile(ns, def)).definitions[def].enum);
    }
    // The typed fields the mapper checks: a few values the tests rely on.
    expect(ENUMS['ComputerSystem.SystemType']!.split(' ')).toContain('DPU');
    expect(ENUMS['ComputerSystem.BootProgressTypes']!.split(' ')).toContain('OEM');
  });
});

describe('chosen @odata.type versions', () => {
  it('exist in the bundle and are the newest there', () => {
    for (const t of Object.values(MAP_TYPES)) {
      const { namespace, version } = splitType(t);
      const all = readdirSync(SCHEMAS).filter((f) => f.startsWith(`${namespace}.v`));
      expect(all, t).toContain(`${namespace}.${version}.json`);
      expect(all.sort((a, b) => versionKey(b) - versionKey(a))[0], t).toBe(`${namespace}.${version}.json`);
    }
    for (const t of Object.values(COLLECTION_TYPES)) expect(schema(`${splitType(t).namespace}.json`).definitions[splitType(t).namespace], t).toBeDefined();
  });

  it('agree with the Redfish layer where both serve a type', () => {
    expect(MAP_TYPES.Manager).toBe(TYPES.Manager);
  });
});

describe('condition messages', () => {
  it('are Base registry messages, verbatim, with no arguments', () => {
    const file = readdirSync(join(sharedDir(), 'redfish-schemas', 'registries')).find((f) => f.startsWith(`${BASE_REGISTRY}.`))!;
    const base = JSON.parse(readFileSync(join(sharedDir(), 'redfish-schemas', 'registries', file), 'utf8')) as { Messages: Record<string, any> };
    for (const [id, m] of Object.entries(CONDITION_MESSAGES)) {
      expect(base.Messages[id], id).toMatchObject({ Message: m.message, MessageSeverity: m.severity, NumberOfArgs: 0 });
    }
  });
});
