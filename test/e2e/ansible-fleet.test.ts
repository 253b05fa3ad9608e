import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ansibleWorkDir, FLEET_SHAPE, FLEET_SYSTEMS, missingTool, onPath, runPlaybook, startFleetServer, type E2eFleetServer } from './support.js';

/**
 * Ansible's community.general.redfish_info (Debian packages ansible + ansible-core) reading a managed fleet through the
 * real HTTPS gateway: two simulated openbmc hosts with two BlueField-3s each and a standalone BlueField-3. One playbook
 * reads Systems, Chassis, Update and Manager inventories; each is checked against the simulator's devices and the
 * gateway's own tree. redfish_info reports no Links, so host↔DPU placement is checked by identity: the cards Ansible
 * lists for each host's DPUs are the ones the gateway's host chassis contains.
 */
const COLLECTION_MODULE = '/usr/lib/python3/dist-packages/ansible_collections/community/general/plugins/modules/redfish_info.py';

function ansibleProblem(): string | undefined {
  if (!onPath('ansible-playbook')) return 'ansible-playbook is not on PATH';
  if (!existsSync(COLLECTION_MODULE)) return 'the community.general collection (redfish_info) is not installed';
  return undefined;
}
const skip = missingTool(ansibleProblem(), 'ansible ansible-core');

type Json = Record<string, any>;
const refs = (l: unknown): string[] => ((l ?? []) as { '@odata.id': string }[]).map((x) => x['@odata.id']);

describe.skipIf(skip !== undefined)('ansible community.general.redfish_info (Debian) reads the fleet inventory', { timeout: 20_000 }, () => {
  let srv: E2eFleetServer;
  let work: string;
  let r: Json;
  beforeAll(async () => {
    srv = await startFleetServer(2);
    work = ansibleWorkDir();
    const creds = { baseuri: '{{ rf_base }}', username: '{{ rf_user }}', password: '{{ rf_pass }}' };
    const info = (category: string, command: string[]) => ({ 'community.general.redfish_info': { category, command, ...creds } });
    ({ results: r } = await runPlaybook(work, srv.hostPort, 'fleet-inventory', [
      { name: 'systems', ...info('Systems', ['GetSystemInventory', 'GetCpuInventory', 'GetMemoryInventory', 'GetBootOverride']), register: 'systems' },
      { name: 'chassis', ...info('Chassis', ['GetChassisInventory']), register: 'chassis' },
      { name: 'firmware', ...info('Update', ['GetFirmwareInventory']), register: 'firmware' },
      { name: 'managers', ...info('Manager', ['GetManagerInventory']), register: 'managers' },
    ], 55_000));
  }, 90_000);
  afterAll(async () => {
    await srv?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** redfish_info's per-system (or per-manager) entries: `[[{system_uri}, result], ...]` as a map by URI. */
  const byUri = (facts: Json, key: string): Map<string, any> => {
    expect(facts.ret, JSON.stringify(facts).slice(0, 500)).toBe(true);
    return new Map((facts.entries as [Json, any][]).map(([where, v]) => [where[key] as string, v]));
  };

  it('GetSystemInventory lists every system, hosts and DPUs, with SystemType, Model and SerialNumber', async () => {
    const systems = byUri(r.systems.redfish_facts.system, 'system_uri');
    expect([...systems.keys()]).toEqual(refs((await srv.get('/redfish/v1/Systems')).Members));
    expect(systems.size).toBe(FLEET_SYSTEMS);
    const inv = [...systems.values()] as Json[];
    for (const host of srv.hosts) {
      const mine = inv.filter((s) => (s.Id as string).startsWith(host.prefix));
      expect(mine, host.device.id).toHaveLength(1);
      expect(mine[0]).toMatchObject({ SystemType: 'Physical', SerialNumber: host.serial, Model: 'Sim Server 2U', PowerState: 'On', Status: { Health: 'OK' } });
    }
    for (const dpu of srv.dpus) {
      const mine = inv.filter((s) => (s.Id as string).startsWith(dpu.prefix));
      expect(mine, dpu.device.id).toHaveLength(1);
      expect(mine[0]).toMatchObject({ SystemType: 'DPU', SerialNumber: dpu.systemSerial, Model: 'BlueField-3 DPU', Manufacturer: 'Nvidia', PowerState: 'On' });
    }
  });

  it('GetCpuInventory and GetMemoryInventory read every system: x86 sockets on hosts, the Arm complex and DDR5 on DPUs', () => {
    const systems = byUri(r.systems.redfish_facts.system, 'system_uri');
    const cpus = byUri(r.systems.redfish_facts.cpu, 'system_uri');
    const memory = byUri(r.systems.redfish_facts.memory, 'system_uri');
    expect(cpus.size).toBe(FLEET_SYSTEMS);
    expect(memory.size).toBe(FLEET_SYSTEMS);
    for (const [uri, sys] of systems) {
      const procs = cpus.get(uri) as Json[];
      const dimms = memory.get(uri) as Json[];
      expect(dimms.length, uri).toBeGreaterThan(0);
      // The summary and the parts agree: every DIMM Ansible listed adds up to the system's memory.
      expect(dimms.reduce((n, d) => n + (d.CapacityMiB as number), 0) / 1024, uri).toBe(sys.MemorySummary.TotalSystemMemoryGiB);
      if (sys.SystemType === 'DPU') {
        expect(procs.find((p) => p.Id === 'CPU0'), uri).toMatchObject({ Model: 'ARM Cortex-A78AE', TotalCores: 16 });
        expect(dimms.every((d) => d.MemoryDeviceType === 'DDR5'), uri).toBe(true);
      } else {
        expect(procs, uri).toHaveLength(sys.ProcessorSummary.Count);
        expect(procs.every((p) => /Xeon/.test(p.Model)), uri).toBe(true);
      }
    }
  });

  // Without `Boot` on every system, GetBootOverride answers ret false ("Key Boot not found").
  it('GetBootOverride reads each system\'s boot override', () => {
    expect(r.systems.redfish_facts.boot_override.ret).toBe(true);
  });

  it('GetChassisInventory lists each host chassis and, for every host, exactly the DPU cards its chassis contains', async () => {
    const chassis = r.chassis.redfish_facts.chassis;
    expect(chassis.ret).toBe(true);
    const entries = chassis.entries as Json[];
    expect(entries.map((c) => `/redfish/v1/Chassis/${c.Id}`)).toEqual(refs((await srv.get('/redfish/v1/Chassis')).Members));
    expect(entries).toHaveLength(FLEET_SHAPE.hosts + 2 * srv.dpus.length);
    const cardFor = (prefix: string) => {
      const cards = entries.filter((c) => (c.Id as string).startsWith(prefix) && c.ChassisType === 'Card');
      expect(cards, prefix).toHaveLength(1);
      return cards[0]!;
    };
    for (const host of srv.hosts) {
      const own = entries.filter((c) => (c.Id as string).startsWith(host.prefix));
      expect(own, host.device.id).toEqual([expect.objectContaining({ ChassisType: 'RackMount', SerialNumber: host.serial })]);
      const cards = host.dpus.map((d) => {
        const card = cardFor(d.prefix);
        expect(card).toMatchObject({ SerialNumber: d.cardSerial, Manufacturer: 'Nvidia' });
        return `/redfish/v1/Chassis/${card.Id}`;
      });
      // redfish_info shows no Links: the placement itself is the gateway's, read beside Ansible's listing.
      const hostChassis = await srv.get(`/redfish/v1/Chassis/${own[0]!.Id}`);
      expect(refs(hostChassis.Links.Contains).sort()).toEqual(cards.sort());
    }
    for (const dpu of srv.standaloneDpus) {
      const card = await srv.get(`/redfish/v1/Chassis/${cardFor(dpu.prefix).Id}`);
      expect(card.Links.ContainedBy).toBeUndefined();
    }
  });

  it('GetFirmwareInventory lists the whole fleet\'s firmware, every id prefixed by its source, each BMC version as its manager reports it', async () => {
    const fw = r.firmware.redfish_facts.firmware;
    expect(fw.ret).toBe(true);
    const entries = fw.entries as Json[];
    expect(entries.map((f) => `/redfish/v1/UpdateService/FirmwareInventory/${f.Id}`)).toEqual(refs((await srv.get('/redfish/v1/UpdateService/FirmwareInventory')).Members));
    for (const f of entries) {
      expect(srv.sources.some((s) => (f.Id as string).startsWith(s.prefix)), f.Id).toBe(true);
      expect(f.Version, f.Id).toBeTruthy();
    }
    const managers = [...byUri(r.managers.redfish_facts.manager, 'manager_uri').entries()];
    for (const src of srv.sources) {
      const mine = entries.filter((f) => (f.Id as string).startsWith(src.prefix));
      const bmcFw = mine.find((f) => /^BMC firmware$/i.test(f.Name));
      expect(bmcFw, `${src.device.id}: ${JSON.stringify(mine.map((f) => f.Name))}`).toBeDefined();
      const [, mgr] = managers.find(([uri]) => uri.startsWith(`/redfish/v1/Managers/${src.prefix}`))!;
      expect(bmcFw!.Version, src.device.id).toBe(mgr.FirmwareVersion);
    }
  });

  it('GetManagerInventory lists the gateway and one BMC per simulated device', () => {
    const managers = byUri(r.managers.redfish_facts.manager, 'manager_uri');
    expect(managers.size).toBe(1 + srv.sources.length);
    expect(managers.get('/redfish/v1/Managers/Shoal')).toMatchObject({ ManagerType: 'Service', UUID: srv.shoal.services.info.uuid });
    for (const src of srv.sources) {
      const mine = [...managers].filter(([uri]) => uri.startsWith(`/redfish/v1/Managers/${src.prefix}`));
      expect(mine, src.device.id).toHaveLength(1);
      expect(mine[0]![1]).toMatchObject({ ManagerType: 'BMC', Status: { State: 'Enabled', Health: 'OK' } });
    }
  });
});
