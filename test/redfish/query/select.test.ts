import { describe, it, expect } from 'vitest';
import { applySelect, parseQuery } from '../../../src/redfish/query/index.js';

const system = {
  '@odata.context': '/redfish/v1/$metadata#ComputerSystem.ComputerSystem',
  '@odata.id': '/redfish/v1/Systems/1',
  '@odata.type': '#ComputerSystem.v1_27_0.ComputerSystem',
  '@odata.etag': 'W/"abc"',
  '@Redfish.Copyright': 'Copyright DMTF',
  Id: '1',
  Name: 'System',
  SystemType: 'DPU',
  UUID: '2eb1a9f8-74f7-4f22-b085-b833dcf37300',
  Status: { State: 'Enabled', Health: 'OK', HealthRollup: 'OK' },
  ProcessorSummary: { Count: 1, Status: { State: 'Enabled', Health: 'OK' } },
  Boot: { BootOrder: ['Boot0001', 'Boot0002'] },
  IPv4Addresses: [
    { Address: '10.0.0.1', SubnetMask: '255.0.0.0' },
    { Address: '10.0.0.2', SubnetMask: '255.0.0.0' },
    'odd',
  ],
  Temperatures: [
    { '@odata.id': '/redfish/v1/Chassis/1/Thermal#/Temperatures/0', Name: 'CPU', ReadingCelsius: 40 },
    { '@odata.id': '/redfish/v1/Chassis/1/Thermal#/Temperatures/1', Name: 'Inlet' },
  ],
  Links: { Chassis: [{ '@odata.id': '/redfish/v1/Chassis/1' }] },
  Oem: null,
};

const identity = {
  '@odata.context': system['@odata.context'],
  '@odata.id': system['@odata.id'],
  '@odata.type': system['@odata.type'],
  '@odata.etag': system['@odata.etag'],
};

const select = (value: string) => parseQuery({ $select: value }).select!;

describe('applySelect on a resource', () => {
  it('keeps the selected properties and the four @odata identity properties, but not Id', () => {
    expect(applySelect(system, select('Name,SystemType'))).toEqual({ ...identity, Name: 'System', SystemType: 'DPU' });
  });

  it('narrows nested objects with / paths', () => {
    expect(applySelect(system, select('Status/Health,ProcessorSummary/Status/State'))).toEqual({
      ...identity,
      Status: { Health: 'OK' },
      ProcessorSummary: { Status: { State: 'Enabled' } },
    });
  });

  it('lets a whole property win over a path through it, in either order', () => {
    const whole = { ...identity, Status: system.Status };
    expect(applySelect(system, select('Status/Health,Status'))).toEqual(whole);
    expect(applySelect(system, select('Status,Status/Health'))).toEqual(whole);
  });

  it('keeps @odata.id in embedded objects and narrows each element of an array', () => {
    expect(applySelect(system, select('Temperatures/ReadingCelsius'))).toEqual({
      ...identity,
      Temperatures: [
        { '@odata.id': '/redfish/v1/Chassis/1/Thermal#/Temperatures/0', ReadingCelsius: 40 },
        { '@odata.id': '/redfish/v1/Chassis/1/Thermal#/Temperatures/1' },
      ],
    });
    expect(applySelect(system, select('IPv4Addresses/Address')).IPv4Addresses).toEqual([
      { Address: '10.0.0.1' },
      { Address: '10.0.0.2' },
      'odd',
    ]);
  });

  it('returns whole arrays, links and nulls when they are selected', () => {
    expect(applySelect(system, select('Boot/BootOrder,Links,Oem'))).toEqual({
      ...identity,
      Boot: { BootOrder: ['Boot0001', 'Boot0002'] },
      Links: system.Links,
      Oem: null,
    });
  });

  it('selects nothing for paths that do not exist', () => {
    expect(applySelect(system, select('Nope,Status/Nope,Name/Length,Oem/Contoso,Boot/Nope'))).toEqual(identity);
  });

  it('does not add identity properties the resource lacks', () => {
    expect(applySelect({ Name: 'x', Id: 'y' }, [['Name']])).toEqual({ Name: 'x' });
  });

  it('copies: changing the result leaves the input alone', () => {
    const result = applySelect(system, select('Status,Links')) as typeof system;
    result.Status.Health = 'Critical';
    result.Links.Chassis.push({ '@odata.id': '/x' });
    expect(system.Status.Health).toBe('OK');
    expect(system.Links.Chassis).toHaveLength(1);
  });

  it('treats a "__proto__" key as data', () => {
    const hostile = JSON.parse('{"@odata.id":"/x","__proto__":{"polluted":true},"Name":"n"}') as object;
    const result = applySelect(hostile, [['__proto__'], ['Name']]) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['@odata.id', '__proto__', 'Name']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('applySelect on a collection', () => {
  const collection = {
    '@odata.id': '/redfish/v1/Systems',
    '@odata.type': '#ComputerSystemCollection.ComputerSystemCollection',
    Name: 'Computer System Collection',
    Description: 'All systems',
    'Members@odata.count': 3,
    Members: [
      { ...system, '@odata.id': '/redfish/v1/Systems/1' },
      { '@odata.id': '/redfish/v1/Systems/2', '@odata.type': '#ComputerSystem.v1_27_0.ComputerSystem', Name: 'Two' },
      { '@odata.id': '/redfish/v1/Systems/3' },
    ],
    'Members@odata.nextLink': '/redfish/v1/Systems?$skip=3',
  };

  it('applies the selection to expanded members and keeps Members, count and next link', () => {
    expect(applySelect(collection, select('UUID'))).toEqual({
      '@odata.id': '/redfish/v1/Systems',
      '@odata.type': '#ComputerSystemCollection.ComputerSystemCollection',
      'Members@odata.count': 3,
      Members: [
        { ...identity, UUID: system.UUID },
        { '@odata.id': '/redfish/v1/Systems/2', '@odata.type': '#ComputerSystem.v1_27_0.ComputerSystem' },
        { '@odata.id': '/redfish/v1/Systems/3' },
      ],
      'Members@odata.nextLink': '/redfish/v1/Systems?$skip=3',
    });
  });

  it('also keeps selected collection-level properties', () => {
    const result = applySelect(collection, select('Name'));
    expect(result.Name).toBe('Computer System Collection');
    expect(result.Description).toBeUndefined();
    expect(result.Members?.[1]).toEqual({
      '@odata.id': '/redfish/v1/Systems/2',
      '@odata.type': '#ComputerSystem.v1_27_0.ComputerSystem',
      Name: 'Two',
    });
  });

  it('keeps members whole, or narrows them by the rest of the path, once a path names Members', () => {
    expect(applySelect(collection, select('Members'))).toEqual({
      '@odata.id': collection['@odata.id'],
      '@odata.type': collection['@odata.type'],
      'Members@odata.count': 3,
      Members: collection.Members,
      'Members@odata.nextLink': collection['Members@odata.nextLink'],
    });
    expect(applySelect(collection, select('Members/Name')).Members).toEqual([
      { ...identity, Name: 'System' },
      { '@odata.id': '/redfish/v1/Systems/2', '@odata.type': '#ComputerSystem.v1_27_0.ComputerSystem', Name: 'Two' },
      { '@odata.id': '/redfish/v1/Systems/3' },
    ]);
  });
});
