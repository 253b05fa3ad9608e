import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  DEBIAN_PYTHON,
  FLEET_SHAPE,
  FLEET_SYSTEMS,
  fleetLinkProblems,
  missingTool,
  ok,
  parseJson,
  run,
  startFleetServer,
  type E2eFleetServer,
} from './support.js';

/**
 * OpenStack's sushy (Debian package python3-sushy, the library Ironic drives BMCs with) reading a managed fleet
 * through the real HTTPS gateway, with test/e2e/sushy-fleet.py: two simulated openbmc hosts with two BlueField-3s each
 * and a standalone BlueField-3. sushy logs in with a session and pins the gateway's certificate; its view of systems,
 * chassis, managers and firmware is checked against the gateway's own tree and the simulator's placement.
 */
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'sushy-fleet.py');

async function sushyProblem(): Promise<string | undefined> {
  if (!existsSync(DEBIAN_PYTHON)) return `${DEBIAN_PYTHON} does not exist`;
  const r = await run(DEBIAN_PYTHON, ['-c', 'import sushy']);
  return r.code === 0 ? undefined : `${DEBIAN_PYTHON} cannot import sushy (${r.stderr.trim().split('\n').at(-1)})`;
}
const skip = missingTool(await sushyProblem(), 'python3-sushy');

interface SushySystem {
  path: string;
  identity: string;
  system_type: string | null;
  power_state: string | null;
  manufacturer: string | null;
  model: string | null;
  serial_number: string | null;
  uuid: string | null;
  health: string | null;
  boot: { enabled: string | null; target: string | null; allowed_targets: string[] | null } | null;
  memory_gib: number | null;
  processor_summary: { count: number; architecture: string | null };
  processors: { identity: string; type: string | null; architecture: string | null; model: string | null; total_cores: number | null; total_threads: number | null }[];
  chassis: string[];
  managers: string[];
  offloaded_functions: string[];
  storage?: { identity: string; drives: string[]; max_drive_bytes: number | null }[];
}
interface SushyChassis {
  path: string;
  identity: string;
  chassis_type: string | null;
  serial_number: string | null;
  systems: string[];
  managers: string[];
  contained_by: string | null;
  contains: string[];
}
interface SushyFleet {
  sushy_version: string | null;
  strict_errors: Record<string, string>;
  system_paths: string[];
  systems: SushySystem[];
  chassis: SushyChassis[];
  managers: { path: string; identity: string; manager_type: string | null; firmware_version: string | null; uuid: string | null; servers: string[]; chassis: string[] }[];
  firmware: { identity: string; name: string; version: string | null; manufacturer: string | null; updateable: boolean | null }[];
  software: string[];
}

type Json = Record<string, any>;
const refs = (c: Json): string[] => ((c.Members ?? []) as { '@odata.id': string }[]).map((m) => m['@odata.id']);

describe.skipIf(skip !== undefined)('sushy (Debian python3-sushy) reads the fleet inventory', { timeout: 30_000 }, () => {
  let srv: E2eFleetServer;
  let out: SushyFleet;
  beforeAll(async () => {
    srv = await startFleetServer(1);
    const r = await run(DEBIAN_PYTHON, [SCRIPT, srv.baseUrl, ADMIN_USER, ADMIN_PASSWORD, srv.certFile], { timeoutMs: 45_000 });
    ok(r);
    out = parseJson<SushyFleet>(r);
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  it('lists the same systems as the gateway, one per simulated device, and logs its session out', async () => {
    const gw = refs(await srv.get('/redfish/v1/Systems'));
    expect(out.system_paths).toEqual(gw);
    expect(out.systems.map((s) => s.path)).toEqual(gw);
    expect(gw).toHaveLength(FLEET_SYSTEMS);
    for (const src of srv.sources) expect(out.systems.filter((s) => s.identity.startsWith(src.prefix)), src.device.id).toHaveLength(1);
    expect(srv.shoal.services.sessions.list()).toHaveLength(0);
  });

  it('reads every system: SystemType, power, identity, processors and their summary, memory and storage', () => {
    for (const s of out.systems) {
      const host = srv.hosts.find((h) => s.identity.startsWith(h.prefix));
      const dpu = srv.dpus.find((d) => s.identity.startsWith(d.prefix));
      expect(s.power_state, s.path).toBe('On');
      expect(s.health, s.path).toBe('OK');
      expect(s.processors.length, s.path).toBeGreaterThan(0);
      expect(s.chassis, s.path).toHaveLength(1);
      expect(s.managers, s.path).toHaveLength(1);
      expect(s.storage?.[0]?.drives.length, s.path).toBeGreaterThan(0);
      if (host) {
        expect(s).toMatchObject({ system_type: 'Physical', serial_number: host.serial, memory_gib: 256 });
        // sushy's summary counts logical CPUs (threads) and takes the first architecture it finds.
        expect(s.processor_summary).toEqual({ count: s.processors.reduce((n, p) => n + (p.total_threads ?? 0), 0), architecture: 'x86' });
        expect(s.offloaded_functions).toEqual([]);
      } else {
        expect(dpu, s.path).toBeDefined();
        expect(s).toMatchObject({ system_type: 'DPU', serial_number: dpu!.systemSerial, model: 'BlueField-3 DPU', memory_gib: 32 });
        expect(s.processor_summary.architecture).toBe('ARM');
        expect(s.processors.map((p) => p.type)).toEqual(expect.arrayContaining(['CPU', 'Accelerator']));
        expect(s.offloaded_functions.length).toBeGreaterThan(0);
      }
    }
    expect(out.systems.filter((s) => s.system_type === 'DPU')).toHaveLength(srv.dpus.length);
  });

  // sushy declares System.boot required: without Boot, root.get_system(), chassis.systems and manager.systems raise
  // MissingAttributeError and Ironic cannot enrol a node. sushy-fleet.py records every document sushy refuses.
  it('sushy accepts every document as it is: no MissingAttributeError anywhere, and every system carries Boot', () => {
    expect(out.strict_errors).toEqual({});
  });

  it('links every host chassis to exactly its DPU cards and every DPU system to exactly one card, as the simulator placed them', () => {
    const problems = fleetLinkProblems(srv, {
      systems: out.systems.map((s) => ({ uri: s.path, id: s.identity, systemType: s.system_type, serial: s.serial_number })),
      chassis: out.chassis.map((c) => ({ uri: c.path, id: c.identity, chassisType: c.chassis_type, serial: c.serial_number, systems: c.systems, containedBy: c.contained_by, contains: c.contains })),
    });
    expect(problems).toEqual([]);
    // From the systems' side too: each DPU's Links.Chassis is its card, and each carried DPU's card is in its host.
    for (const host of srv.hosts) {
      const hostSys = out.systems.find((s) => s.identity.startsWith(host.prefix))!;
      const hostChassis = out.chassis.find((c) => c.path === hostSys.chassis[0])!;
      for (const dpu of host.dpus) {
        const dpuSys = out.systems.find((s) => s.identity.startsWith(dpu.prefix))!;
        const card = out.chassis.find((c) => c.path === dpuSys.chassis[0])!;
        expect(card).toMatchObject({ chassis_type: 'Card', serial_number: dpu.cardSerial, contained_by: hostChassis.path, systems: [dpuSys.path] });
        expect(hostChassis.contains).toContain(card.path);
        // Functions the host sees on the card are offloaded to this DPU.
        expect(dpuSys.offloaded_functions.some((f) => f.startsWith(`${hostChassis.path}/`)), dpuSys.path).toBe(true);
      }
    }
    const standalone = out.systems.find((s) => s.identity.startsWith(srv.standaloneDpus[0]!.prefix))!;
    expect(out.chassis.find((c) => c.path === standalone.chassis[0])).toMatchObject({ chassis_type: 'Card', contained_by: null });
  });

  it('reads the chassis and managers collections with the counts and links the gateway serves', async () => {
    expect(out.chassis.map((c) => c.path)).toEqual(refs(await srv.get('/redfish/v1/Chassis')));
    expect(out.chassis).toHaveLength(FLEET_SHAPE.hosts + 2 * srv.dpus.length);
    expect(out.managers.map((m) => m.path)).toEqual(refs(await srv.get('/redfish/v1/Managers')));
    expect(out.managers[0]).toMatchObject({ identity: 'Shoal', manager_type: 'Service', servers: [] });
    for (const src of srv.sources) {
      const bmc = out.managers.filter((m) => m.identity.startsWith(src.prefix));
      expect(bmc, src.device.id).toHaveLength(1);
      const sys = out.systems.find((s) => s.identity.startsWith(src.prefix))!;
      expect(bmc[0]).toMatchObject({ manager_type: 'BMC', servers: [sys.path] });
      expect(sys.managers).toEqual([bmc[0]!.identity]);
      expect(bmc[0]!.chassis).toContain(sys.chassis[0]);
    }
  });

  it('reads the firmware inventory through the UpdateService: every entry source-prefixed, every device present', async () => {
    const gw = refs(await srv.get('/redfish/v1/UpdateService/FirmwareInventory')).map((u) => u.split('/').at(-1));
    expect(out.firmware.map((f) => f.identity)).toEqual(gw);
    for (const f of out.firmware) {
      expect(srv.sources.some((s) => f.identity.startsWith(s.prefix)), f.identity).toBe(true);
      expect(f.version, f.identity).toBeTruthy();
    }
    for (const host of srv.hosts) expect(out.firmware.filter((f) => f.identity.startsWith(host.prefix)).map((f) => f.name)).toEqual(expect.arrayContaining(['BMC firmware']));
    for (const dpu of srv.dpus) expect(out.firmware.filter((f) => f.identity.startsWith(dpu.prefix)).map((f) => f.name)).toEqual(expect.arrayContaining(['BMC Firmware', 'BlueField BSP']));
    expect(out.software).toEqual([]);
  });
});
