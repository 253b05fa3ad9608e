import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  FLEET_SHAPE,
  FLEET_SYSTEMS,
  fleetLinkProblems,
  missingTool,
  ok,
  onPath,
  parseJson,
  run,
  startFleetServer,
  type ClientFleetView,
  type E2eFleetServer,
} from './support.js';

/**
 * DMTF's redfishtool (Debian package `redfishtool`) reading a managed fleet through the real HTTPS gateway: two
 * simulated openbmc hosts with two BlueField-3s each, and a standalone BlueField-3, discovered and polled by the
 * gateway. Every host↔DPU link redfishtool reads is checked against the simulator's own placement.
 */
const tool = onPath('redfishtool');
const skip = missingTool(tool ? undefined : 'redfishtool is not on PATH', 'redfishtool');

type Json = Record<string, any>;
const refs = (l: unknown): string[] => ((l ?? []) as { '@odata.id': string }[]).map((x) => x['@odata.id']);

describe.skipIf(skip !== undefined)('redfishtool (Debian) reads the fleet inventory', { timeout: 30_000 }, () => {
  let srv: E2eFleetServer;
  beforeAll(async () => {
    srv = await startFleetServer(0);
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  const rft = (args: string[]) => run(tool!, ['-r', srv.hostPort, '-S', 'Always', '-T', '10', '-u', ADMIN_USER, '-p', ADMIN_PASSWORD, ...args]);
  const json = async (args: string[]): Promise<Json> => {
    const r = await rft(args);
    ok(r);
    return parseJson<Json>(r);
  };
  /** The Id of the one member of a `list` whose Id starts with the source's prefix. */
  const idFor = (list: Json, prefix: string, pred: (id: string) => boolean = () => true): string => {
    const found = (list.Members as Json[]).map((m) => m.Id as string).filter((id) => id.startsWith(prefix) && pred(id));
    expect(found, `${prefix} in ${JSON.stringify(list.Members)}`).toHaveLength(1);
    return found[0]!;
  };

  it('lists every system with its Id, one per simulated device', async () => {
    const list = await json(['Systems', 'list']);
    expect(list['Members@odata.count']).toBe(FLEET_SYSTEMS);
    expect(list.Members).toHaveLength(FLEET_SYSTEMS);
    for (const m of list.Members as Json[]) expect(m['@odata.id']).toBe(`/redfish/v1/Systems/${m.Id}`);
    for (const src of srv.sources) idFor(list, src.prefix);
  });

  it('reads each host as Physical (-I) with its serial, chassis and BMC', async () => {
    const list = await json(['Systems', 'list']);
    for (const host of srv.hosts) {
      const sys = await json(['Systems', '-I', idFor(list, host.prefix)]);
      expect(sys).toMatchObject({ SystemType: 'Physical', SerialNumber: host.serial, PowerState: 'On', Manufacturer: 'OpenBMC Sim' });
      expect(refs(sys.Links.Chassis)).toEqual([expect.stringMatching(new RegExp(`^/redfish/v1/Chassis/${host.prefix}`))]);
      expect(refs(sys.Links.ManagedBy)).toEqual([expect.stringMatching(new RegExp(`^/redfish/v1/Managers/${host.prefix}`))]);
      expect(sys.Links.OffloadedNetworkDeviceFunctions).toBeUndefined();
    }
  });

  it('reads a carried DPU (-I, and -M by serial) as a DPU whose functions are offloaded from its host', async () => {
    const host = srv.hosts[0]!;
    const dpu = host.dpus[0]!;
    const list = await json(['Systems', 'list']);
    const id = idFor(list, dpu.prefix);
    const sys = await json(['Systems', '-I', id]);
    expect(sys).toMatchObject({ Id: id, SystemType: 'DPU', SerialNumber: dpu.systemSerial, Model: 'BlueField-3 DPU' });
    const card = refs(sys.Links.Chassis);
    expect(card).toEqual([expect.stringMatching(new RegExp(`^/redfish/v1/Chassis/${dpu.prefix}`))]);
    const fns = refs(sys.Links.OffloadedNetworkDeviceFunctions);
    // The host's view of the card's ports and the DPU BMC's own view of them.
    expect(fns.some((f) => f.startsWith(`/redfish/v1/Chassis/${host.prefix}`)), JSON.stringify(fns)).toBe(true);
    expect(fns.some((f) => f.startsWith(`${card[0]}/`)), JSON.stringify(fns)).toBe(true);
    // redfishtool's -M reads every member and matches a property. With -F it stops at the match; without it,
    // redfishtool 1.1.5 prints the last member it read rather than the matching one (its bug, not the gateway's).
    const bySerial = await json(['Systems', '-F', '-M', `SerialNumber:${dpu.systemSerial}`]);
    expect(bySerial.Id).toBe(id);
    const hostBySerial = await json(['Systems', '-F', '-M', `SerialNumber:${host.serial}`]);
    expect(hostBySerial).toMatchObject({ Id: idFor(list, host.prefix), SystemType: 'Physical' });
    // Its processors through the Systems subcommand: the Arm complex and the accelerators.
    const procs = await json(['Systems', '-I', id, 'Processors', 'list']);
    expect((procs.Members as Json[]).map((m) => m.Id)).toEqual(expect.arrayContaining(['CPU0', 'DPA']));
  });

  it('reads all systems and chassis (-a): every host chassis contains exactly its DPU cards, linked both ways', async () => {
    const systems = await json(['Systems', '-a']);
    const chassis = await json(['Chassis', '-a']);
    expect(systems.Members).toHaveLength(FLEET_SYSTEMS);
    // Per host: its chassis, one card per DPU, the standalone card, and each DPU's BMC module.
    expect(chassis['Members@odata.count']).toBe(FLEET_SHAPE.hosts + 2 * (FLEET_SYSTEMS - FLEET_SHAPE.hosts));
    const view: ClientFleetView = {
      systems: (systems.Members as Json[]).map((s) => ({ uri: s['@odata.id'], id: s.Id, systemType: s.SystemType, serial: s.SerialNumber })),
      chassis: (chassis.Members as Json[]).map((c) => ({
        uri: c['@odata.id'],
        id: c.Id,
        chassisType: c.ChassisType,
        serial: c.SerialNumber,
        systems: refs(c.Links?.ComputerSystems),
        containedBy: c.Links?.ContainedBy?.['@odata.id'],
        contains: refs(c.Links?.Contains),
      })),
    };
    expect(fleetLinkProblems(srv, view)).toEqual([]);
    expect(view.systems.filter((s) => s.systemType === 'DPU')).toHaveLength(FLEET_SYSTEMS - FLEET_SHAPE.hosts);

    // The check itself notices a card placed in the wrong host, and a DPU reported as Physical.
    const [a, b] = srv.hosts.map((h) => view.chassis.find((c) => c.id.startsWith(h.prefix) && c.contains.length)!);
    const swapped = structuredClone(view);
    const [sa, sb] = [a, b].map((x) => swapped.chassis.find((c) => c.uri === x!.uri)!);
    [sa!.contains[0], sb!.contains[0]] = [sb!.contains[0]!, sa!.contains[0]!];
    expect(fleetLinkProblems(srv, swapped).join('\n')).toMatch(/Contains .* expected/);
    const physical = structuredClone(view);
    physical.systems.find((s) => s.systemType === 'DPU')!.systemType = 'Physical';
    expect(fleetLinkProblems(srv, physical).join('\n')).toMatch(/not DPU/);
  });

  it('walks each host chassis member by member (-I): Contains → card ContainedBy → card ComputerSystems → a DPU', async () => {
    const list = await json(['Chassis', 'list']);
    for (const host of srv.hosts) {
      const hostSystem = `/redfish/v1/Systems/${idFor(await json(['Systems', 'list']), host.prefix)}`;
      const hc = await json(['Chassis', '-I', idFor(list, host.prefix)]);
      expect(refs(hc.Links.ComputerSystems)).toEqual([hostSystem]);
      const cards = refs(hc.Links.Contains);
      expect(cards).toHaveLength(host.dpus.length);
      const seen: string[] = [];
      for (const uri of cards) {
        const card = await json(['Chassis', '-I', uri.split('/').at(-1)!]);
        expect(card).toMatchObject({ ChassisType: 'Card', Links: { ContainedBy: { '@odata.id': hc['@odata.id'] } } });
        const [dpuUri] = refs(card.Links.ComputerSystems);
        const dpu = await json(['raw', 'GET', dpuUri!]);
        expect(dpu.SystemType).toBe('DPU');
        seen.push(card.SerialNumber as string);
      }
      expect(seen.sort()).toEqual(host.dpus.map((d) => d.cardSerial).sort());
    }
  });

  it('lists the gateway and every BMC and DPU BMC among Managers, each managing its own system', async () => {
    const list = await json(['Managers', 'list']);
    expect(list['Members@odata.count']).toBe(1 + srv.sources.length);
    expect(list.Members[0].Id).toBe('Shoal');
    const systems = await json(['Systems', 'list']);
    for (const src of [srv.hosts[0]!, srv.standaloneDpus[0]!]) {
      const mgr = await json(['Managers', '-I', idFor(list, src.prefix)]);
      expect(mgr.ManagerType).toBe('BMC');
      expect(refs(mgr.Links.ManagerForServers)).toEqual([`/redfish/v1/Systems/${idFor(systems, src.prefix)}`]);
    }
  });

  it('filters Systems in the gateway with raw GET ?$filter= (SystemType, serial)', async () => {
    const dpus = await json(['raw', 'GET', "/redfish/v1/Systems?$filter=SystemType eq 'DPU'"]);
    expect(dpus['Members@odata.count']).toBe(srv.dpus.length);
    const dpuIds = refs(dpus.Members).map((u) => u.split('/').at(-1)!);
    expect(dpuIds.map((id) => srv.dpus.find((d) => id.startsWith(d.prefix))?.device.id).sort()).toEqual(srv.dpus.map((d) => d.device.id).sort());
    const hosts = await json(['raw', 'GET', "/redfish/v1/Systems?$filter=SystemType ne 'DPU'"]);
    expect(refs(hosts.Members).map((u) => u.split('/').at(-1)!.split('_')[0]).sort()).toEqual(srv.hosts.map((h) => h.sourceId).sort());
    const one = await json(['raw', 'GET', `/redfish/v1/Systems?$filter=SerialNumber eq '${srv.standaloneDpus[0]!.systemSerial}'`]);
    expect(refs(one.Members)).toEqual([expect.stringMatching(new RegExp(`^/redfish/v1/Systems/${srv.standaloneDpus[0]!.prefix}`))]);
  });

  it('reads the firmware inventory: every entry carries its source prefix, and every device has entries', async () => {
    const fw = await json(['raw', 'GET', '/redfish/v1/UpdateService/FirmwareInventory']);
    const ids = refs(fw.Members).map((u) => u.split('/').at(-1)!);
    expect(fw['Members@odata.count']).toBe(ids.length);
    for (const id of ids) expect(srv.sources.some((s) => id.startsWith(s.prefix)), id).toBe(true);
    for (const src of srv.sources) expect(ids.some((id) => id.startsWith(src.prefix)), src.device.id).toBe(true);
  });
});
