import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { RedfishError } from '../../../src/redfish/errors.js';
import {
  applySelect,
  DEFAULT_MAX_EXPANDED,
  expandResource,
  parseQuery,
  type ExpandOptions,
} from '../../../src/redfish/query/index.js';
import { sharedDir } from '../../support/shared-dir.js';

type Json = Record<string, unknown>;

/** A resolver over a fixed set of resources that records what it was asked for. */
function store(resources: Json[]) {
  const byId = new Map(resources.map((r) => [r['@odata.id'] as string, r]));
  const calls: string[] = [];
  const resolve = async (id: string): Promise<Json | undefined> => {
    calls.push(id);
    await Promise.resolve();
    return byId.get(id);
  };
  return { resolve, calls };
}

const link = (id: string) => ({ '@odata.id': id });
const all1: ExpandOptions = { kind: 'all', levels: 1 };

const chassis = {
  '@odata.id': '/redfish/v1/Chassis/1',
  Name: 'Chassis',
  Links: { ComputerSystems: [link('/redfish/v1/Systems/1')] },
};
const processors = {
  '@odata.id': '/redfish/v1/Systems/1/Processors',
  'Members@odata.count': 1,
  Members: [link('/redfish/v1/Systems/1/Processors/CPU0')],
};
const cpu = { '@odata.id': '/redfish/v1/Systems/1/Processors/CPU0', Name: 'CPU0' };
const system = {
  '@odata.context': '/redfish/v1/$metadata#ComputerSystem.ComputerSystem',
  '@odata.id': '/redfish/v1/Systems/1',
  '@odata.type': '#ComputerSystem.v1_27_0.ComputerSystem',
  '@Redfish.Settings': { SettingsObject: link('/redfish/v1/Systems/1/Settings') },
  Name: 'System',
  Processors: link('/redfish/v1/Systems/1/Processors'),
  Missing: link('/redfish/v1/Systems/1/Missing'),
  Links: { Chassis: [link('/redfish/v1/Chassis/1')], ManagedBy: [link('/redfish/v1/Managers/1')] },
};
const manager = { '@odata.id': '/redfish/v1/Managers/1', Name: 'BMC', Links: { ManagerForServers: [link('/redfish/v1/Systems/1/')] } };
const settings = { '@odata.id': '/redfish/v1/Systems/1/Settings', Name: 'Pending' };
const everything = [chassis, processors, cpu, system, manager, settings];

describe('expandResource: which links', () => {
  it('subordinate (.) expands links outside Links and leaves unresolved links as links', async () => {
    const { resolve } = store(everything);
    const out = await expandResource(system, { kind: 'subordinate', levels: 1 }, resolve);
    expect(out).toEqual({ ...system, Processors: processors, Missing: link('/redfish/v1/Systems/1/Missing') });
  });

  it('links (~) expands only links inside Links', async () => {
    const { resolve } = store(everything);
    const out = await expandResource(system, { kind: 'links', levels: 1 }, resolve);
    expect(out).toEqual({ ...system, Links: { Chassis: [chassis], ManagedBy: [manager] } });
  });

  it('all (*) expands both', async () => {
    const { resolve } = store(everything);
    const out = await expandResource(system, all1, resolve);
    expect(out).toEqual({ ...system, Processors: processors, Links: { Chassis: [chassis], ManagedBy: [manager] } });
  });

  it('treats collection Members as subordinate', async () => {
    const { resolve } = store(everything);
    expect(await expandResource(processors, { kind: 'subordinate', levels: 1 }, resolve)).toEqual({ ...processors, Members: [cpu] });
    expect(await expandResource(processors, { kind: 'links', levels: 1 }, resolve)).toEqual(processors);
  });

  it('counts a Links object at any depth, and looks inside objects that are not hyperlinks', async () => {
    const resource = {
      '@odata.id': '/r',
      Oem: { Contoso: { Links: { Peer: link('/redfish/v1/Chassis/1') }, Helper: link('/redfish/v1/Managers/1') } },
      Sensors: [{ '@odata.id': '/r#/Sensors/0', Name: 'embedded', Related: link('/redfish/v1/Systems/1/Processors/CPU0') }],
    };
    const { resolve } = store(everything);
    const sub = await expandResource(resource, { kind: 'subordinate', levels: 1 }, resolve);
    expect(sub).toEqual({
      '@odata.id': '/r',
      Oem: { Contoso: { Links: { Peer: link('/redfish/v1/Chassis/1') }, Helper: manager } },
      Sensors: [{ '@odata.id': '/r#/Sensors/0', Name: 'embedded', Related: cpu }],
    });
    const links = await expandResource(resource, { kind: 'links', levels: 1 }, resolve);
    expect(links.Oem).toEqual({ Contoso: { Links: { Peer: chassis }, Helper: link('/redfish/v1/Managers/1') } });
  });

  it('leaves annotations, the resource identity and fragment links alone', async () => {
    const resource = { '@odata.id': '/r', Thermal: link('/redfish/v1/Chassis/1/Thermal#/Fans/0'), Settings: system['@Redfish.Settings'] };
    const { resolve, calls } = store(everything);
    const out = await expandResource({ ...system, ...resource }, all1, resolve);
    expect(out['@Redfish.Settings']).toEqual(system['@Redfish.Settings']);
    expect(out['@odata.id']).toBe('/r');
    expect(out['@odata.context']).toBe(system['@odata.context']);
    expect(out.Thermal).toEqual(link('/redfish/v1/Chassis/1/Thermal#/Fans/0'));
    expect(calls).not.toContain('/redfish/v1/Chassis/1/Thermal#/Fans/0');
    // The same link outside an annotation is a navigation property and is expanded.
    expect(out.Settings).toEqual({ SettingsObject: settings });
  });

  it('only treats objects whose single key is @odata.id as hyperlinks', async () => {
    const resource = { '@odata.id': '/r', A: { '@odata.id': '/redfish/v1/Managers/1', Extra: 1 }, B: { '@odata.id': 5 } };
    const { resolve, calls } = store(everything);
    expect(await expandResource(resource, all1, resolve)).toEqual(resource);
    expect(calls).toEqual([]);
  });
});

describe('expandResource: levels and cycles', () => {
  it('stops at the requested level', async () => {
    const { resolve } = store(everything);
    const one = await expandResource(system, { kind: 'subordinate', levels: 1 }, resolve);
    expect(one.Processors).toEqual(processors);
    const two = await expandResource(system, { kind: 'subordinate', levels: 2 }, resolve);
    expect(two.Processors).toEqual({ ...processors, Members: [cpu] });
  });

  it('judges Links afresh in each expanded resource', async () => {
    const { resolve } = store(everything);
    const out = await expandResource(system, { kind: 'links', levels: 2 }, resolve);
    // Chassis links back to the system and the manager links to it with a trailing slash: both stay links.
    expect(out.Links).toEqual({ Chassis: [chassis], ManagedBy: [manager] });
    expect(out.Processors).toEqual(system.Processors);
  });

  it('ends on cycles and self-links at any depth', async () => {
    const a = { '@odata.id': '/a', Self: link('/a'), Next: link('/b') };
    const b = { '@odata.id': '/b', Next: link('/c'), Back: link('/a') };
    const c = { '@odata.id': '/c', Next: link('/a'), Up: link('/b') };
    const { resolve } = store([a, b, c]);
    const out = await expandResource(a, { kind: 'all', levels: 6 }, resolve);
    expect(out).toEqual({
      '@odata.id': '/a',
      Self: link('/a'),
      Next: { '@odata.id': '/b', Next: { '@odata.id': '/c', Next: link('/a'), Up: link('/b') }, Back: link('/a') },
    });
  });

  it('expands a resource again where it is linked from unrelated places', async () => {
    const resource = { '@odata.id': '/r', One: link('/redfish/v1/Managers/1'), Two: [link('/redfish/v1/Managers/1')] };
    const { resolve, calls } = store(everything);
    const out = await expandResource(resource, all1, resolve);
    expect(out.One).toEqual(manager);
    expect(out.Two).toEqual([manager]);
    expect(out.One).not.toBe((out.Two as unknown[])[0]);
    expect(calls).toEqual(['/redfish/v1/Managers/1']);
  });
});

describe('expandResource: safety', () => {
  it('never changes its input or returns objects the resolver owns', async () => {
    const before = structuredClone(system);
    const { resolve } = store(everything);
    const out = await expandResource(system, all1, resolve);
    expect(system).toEqual(before);
    expect(out.Processors).not.toBe(processors);
    (out.Processors as Json).Name = 'changed';
    expect(processors).not.toHaveProperty('Name');
    expect(out.Links).not.toBe(system.Links);
  });

  it('fails with 507 once the expansion budget is spent', async () => {
    const { resolve } = store(everything);
    await expect(expandResource(system, all1, resolve, { maxResources: 4 })).resolves.toBeDefined();
    const err = await expandResource(system, all1, resolve, { maxResources: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedfishError);
    expect((err as RedfishError).status).toBe(507);
    expect(DEFAULT_MAX_EXPANDED).toBe(10_000);
  });

  it('passes resolver failures through', async () => {
    const boom = new Error('store down');
    await expect(expandResource(system, all1, () => Promise.reject(boom))).rejects.toBe(boom);
  });

  it('keeps a "__proto__" key as data', async () => {
    const hostile = JSON.parse('{"@odata.id":"/x","__proto__":{"polluted":true}}') as Json;
    const out = await expandResource(hostile, all1, store([]).resolve);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['@odata.id', '__proto__']);
  });
});

describe('expandResource on the DMTF public-smartnic mockup', () => {
  const root = join(sharedDir(), 'mockups/public-smartnic');
  const fromMockup = () => {
    const calls: string[] = [];
    const resolve = async (id: string): Promise<Json | undefined> => {
      calls.push(id);
      const file = join(root, id.replace(/^\/redfish\/v1\/?/, ''), 'index.json');
      return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Json) : undefined;
    };
    return { resolve, calls };
  };
  const systems = JSON.parse(readFileSync(join(root, 'Systems/index.json'), 'utf8')) as Json;

  it('answers GET /Systems?$select=UUID&$expand=.($levels=1) with each member UUID', async () => {
    const q = parseQuery({ $select: 'UUID', $expand: '.($levels=1)' });
    const { resolve } = fromMockup();
    const body = applySelect(await expandResource(systems, q.expand!, resolve), q.select!);
    expect(body['Members@odata.count']).toBe(2);
    expect(body.Members).toEqual([
      expect.objectContaining({ '@odata.id': '/redfish/v1/Systems/437XR1138R2', UUID: expect.any(String) }),
      expect.objectContaining({ '@odata.id': '/redfish/v1/Systems/Card1-SoC', UUID: '2eb1a9f8-74f7-4f22-b085-b833dcf37300' }),
    ]);
    expect(Object.keys((body.Members as Json[])[1]!).sort()).toEqual(['@odata.id', '@odata.type', 'UUID']);
  });

  it('expands the whole tree from the service root six levels deep, resolving each resource once', async () => {
    const serviceRoot = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as Json;
    const { resolve, calls } = fromMockup();
    const out = await expandResource(serviceRoot, { kind: 'all', levels: 6 }, resolve);
    expect(new Set(calls).size).toBe(calls.length);
    expect((out.Systems as Json).Members).toEqual(
      expect.arrayContaining([expect.objectContaining({ Id: 'Card1-SoC', SystemType: 'DPU' })]),
    );
    expect(JSON.stringify(out).length).toBeGreaterThan(JSON.stringify(serviceRoot).length);
  });
});
