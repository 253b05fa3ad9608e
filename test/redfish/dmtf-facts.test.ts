import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE_MESSAGES } from '../../src/redfish/errors.js';
import { ENTITY_PRIVILEGES } from '../../src/redfish/privileges.js';
import { metadataReferences } from '../../src/redfish/resources/metadata.js';
import { REGISTRIES } from '../../src/redfish/resources/registries.js';
import { ROLES } from '../../src/model/account.js';
import { TASK_EVENT_TEXTS } from '../../src/tasks/messages.js';
import { RESOURCE_EVENT_TEXTS } from '../../src/events/resource-events.js';
import { TYPES, parseOdataType } from '../../src/redfish/odata.js';
import { sharedDir } from '../support/shared-dir.js';

// The tables in src/ restate facts from DMTF's published files. These tests hold them to the originals.
const reg = (f: string) => JSON.parse(readFileSync(join(sharedDir(), 'redfish-schemas/registries', f), 'utf8'));

describe('facts copied from DMTF files', () => {
  it('Base messages match Base 1.22.1: text, severity, resolution and argument count', () => {
    const base = reg('Base.1.22.1.json').Messages as Record<string, { Message: string; MessageSeverity: string; Resolution: string; NumberOfArgs: number }>;
    for (const [id, def] of Object.entries(BASE_MESSAGES)) {
      const d = base[id];
      expect(d, id).toBeDefined();
      expect(def.message, id).toBe(d!.Message);
      expect(def.severity, id).toBe(d!.MessageSeverity);
      expect(def.resolution, id).toBe(d!.Resolution);
      expect((def.message.match(/%\d/g) ?? []).length, id).toBe(d!.NumberOfArgs);
    }
  });

  it('TaskEvent messages match TaskEvent 1.0.5', () => {
    const te = reg('TaskEvent.1.0.5.json').Messages as Record<string, { Message: string; MessageSeverity: string }>;
    for (const [id, def] of Object.entries(TASK_EVENT_TEXTS)) {
      expect(def.text, id).toBe(te[id]!.Message);
      expect(def.severity, id).toBe(te[id]!.MessageSeverity);
    }
  });

  it('ResourceEvent messages match ResourceEvent 1.4.3', () => {
    const re = reg('ResourceEvent.1.4.3.json').Messages as Record<string, { Message: string; MessageSeverity: string }>;
    for (const [id, def] of Object.entries(RESOURCE_EVENT_TEXTS)) {
      expect(def.text, id).toBe(re[id]!.Message);
      expect(def.severity, id).toBe(re[id]!.MessageSeverity);
    }
  });

  it('privilege operation maps match PrivilegeRegistry 1.8.0 for every entity served', () => {
    const pr = reg('Redfish_1.8.0_PrivilegeRegistry.json') as {
      Mappings: { Entity: string; OperationMap: Record<string, { Privilege: string[] }[]> }[];
    };
    for (const [entity, map] of Object.entries(ENTITY_PRIVILEGES)) {
      const m = pr.Mappings.find((x) => x.Entity === entity);
      expect(m, entity).toBeDefined();
      for (const [method, rule] of Object.entries(map)) {
        const dmtf = m!.OperationMap[method]!.map((x) => [...x.Privilege].sort()).filter((x) => !x.includes('NoAuth'));
        expect(rule.map((set) => [...set].sort()), `${entity} ${method}`).toEqual(dmtf);
      }
    }
  });

  it('predefined roles hold the privileges DSP0266 assigns', () => {
    expect([...ROLES.Administrator].sort()).toEqual(['ConfigureComponents', 'ConfigureManager', 'ConfigureSelf', 'ConfigureUsers', 'Login']);
    expect([...ROLES.Operator].sort()).toEqual(['ConfigureComponents', 'ConfigureSelf', 'Login']);
    expect([...ROLES.ReadOnly].sort()).toEqual(['ConfigureSelf', 'Login']);
  });

  it('each served @odata.type names the newest version in the DSP8010 bundle', () => {
    const files = readdirSync(join(sharedDir(), 'redfish-schemas/json-schema'));
    for (const t of Object.values(TYPES)) {
      const { namespace, version } = parseOdataType(t);
      if (!version) continue;
      const versions = files
        .map((f) => new RegExp(`^${namespace}\\.(v\\d+_\\d+_\\d+)\\.json$`).exec(f)?.[1])
        .filter((v): v is string => v !== undefined)
        .sort(byVersion);
      expect(version, namespace).toBe(versions.at(-1));
    }
  });

  it('$metadata references only CSDL files and namespaces that exist in the bundle', () => {
    for (const ref of metadataReferences()) {
      if (ref.uri.startsWith('/redfish/v1/schemas/')) {
        expect(existsSync(join('schemas', ref.uri.split('/').pop()!))).toBe(true);
        continue;
      }
      const file = join(sharedDir(), 'redfish-schemas/csdl', ref.uri.split('/').pop()!);
      expect(existsSync(file), ref.uri).toBe(true);
      const xml = readFileSync(file, 'utf8');
      for (const ns of ref.namespaces) expect(xml, `${ref.uri} ${ns}`).toContain(`Namespace="${ns}"`);
    }
  });

  it('lists registries that exist at the versions named', () => {
    for (const r of REGISTRIES) expect(existsSync(join(sharedDir(), 'redfish-schemas/registries', `${r.id}.${r.version}.json`)), r.id).toBe(true);
  });
});

function byVersion(a: string, b: string): number {
  const pa = a.slice(1).split('_').map(Number);
  const pb = b.slice(1).split('_').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}
