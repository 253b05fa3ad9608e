/**
 * `$metadata` for a persona: a CSDL document that references the DMTF schema files of every resource type the persona
 * serves, so that the DMTF Service Validator can resolve them.
 */
const BASE = ['RedfishExtensions.v1_0_0', 'Resource', 'Resource.v1_22_0'];

export function metadataXml(namespaces: string[]): string {
  const refs = [...BASE.map((n) => [n.split('.')[0]!, n] as const), ...namespaces.flatMap((n) => {
    const file = n.split('.')[0]!;
    return [[file, file] as const, [file, n] as const];
  })];
  const byFile = new Map<string, Set<string>>();
  for (const [file, ns] of refs) {
    const key = file === 'RedfishExtensions' ? 'RedfishExtensions_v1' : file === 'Resource' ? 'Resource_v1' : `${file}_v1`;
    if (!byFile.has(key)) byFile.set(key, new Set());
    byFile.get(key)!.add(ns);
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">'];
  for (const [key, set] of byFile) {
    lines.push(`  <edmx:Reference Uri="http://redfish.dmtf.org/schemas/v1/${key}.xml">`);
    for (const ns of set) lines.push(`    <edmx:Include Namespace="${ns}"${ns === 'RedfishExtensions.v1_0_0' ? ' Alias="Redfish"' : ''}/>`);
    lines.push('  </edmx:Reference>');
  }
  lines.push(
    '  <edmx:DataServices>',
    '    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="Service">',
    '      <EntityContainer Name="Service" Extends="ServiceRoot.v1_20_0.ServiceContainer"/>',
    '    </Schema>',
    '  </edmx:DataServices>',
    '</edmx:Edmx>',
  );
  return lines.join('\n') + '\n';
}

/** Namespaces every persona built on the common services uses. */
export const COMMON_NAMESPACES = [
  'ServiceRoot.v1_20_0',
  'ComputerSystemCollection',
  'ChassisCollection',
  'ManagerCollection',
  'SessionService.v1_2_0',
  'SessionCollection',
  'Session.v1_8_0',
  'AccountService.v1_18_1',
  'ManagerAccountCollection',
  'ManagerAccount.v1_14_1',
  'RoleCollection',
  'Role.v1_3_3',
  'TaskService.v1_3_0',
  'TaskCollection',
  'Task.v1_7_4',
  'EventService.v1_12_0',
  'EventDestinationCollection',
  'EventDestination.v1_16_0',
  'Event.v1_13_0',
  'UpdateService.v1_17_0',
  'SoftwareInventoryCollection',
  'SoftwareInventory.v1_13_0',
  'LogServiceCollection',
  'LogService.v1_9_0',
  'LogEntryCollection',
  'LogEntry.v1_21_0',
  'ComputerSystem.v1_27_0',
  'Manager.v1_24_0',
  'Chassis.v1_28_0',
  'Message.v1_3_0',
];
