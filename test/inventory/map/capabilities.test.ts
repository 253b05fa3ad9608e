/**
 * Capabilities (`Oem.Shoal.Capabilities` on each ComputerSystem) on real snapshots: a BlueField-3 DPU and the OpenBMC
 * host that carries it, read through their drivers. Every figure is checked against what the simulator serves, read
 * here over HTTP independently of the driver; the object validates against Shoal's own JSON Schema; and an
 * accelerator-change fault changes the capabilities, hence the System document, which the store reports as changed
 * (what the inventory service journals as ResourceChanged).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get } from '../../../mock-hardware/test/helpers.js';
import type { FleetDevice } from '../../../mock-hardware/src/index.js';
import type { InventorySnapshot } from '../../../src/drivers/api.js';
import { bluefieldDriver } from '../../../src/drivers/index.js';
import { DriverRuntime } from '../../../src/drivers/runtime/index.js';
import { mapDevice } from '../../../src/inventory/map/index.js';
import { MemoryResourceStore } from '../../../src/inventory/memory-resource-store.js';
import { OEM_SCHEMAS, readSchemaFile, SCHEMAS_DIR } from '../../../src/redfish/oem-schemas.js';
import { validateRedfish } from '../../support/redfish-schema.js';
import { capture, docAt, schemaFailures, type Captured } from './support.js';

const DPU_SRC = 'dpuca3';
const HOST_SRC = 'hostc3';
const DPU_SYS = `/redfish/v1/Systems/${DPU_SRC}_Bluefield`;
const HOST_SYS = `/redfish/v1/Systems/${HOST_SRC}_system`;
const OEM_TYPE = '#ShoalComputerSystem.v1_0_0.ComputerSystem';

let cap: Captured;
let dpu: { device: FleetDevice; snap: InventorySnapshot };
let host: { device: FleetDevice; snap: InventorySnapshot };

beforeAll(async () => {
  cap = await capture(3, [{ persona: 'openbmc-host', count: 1, dpusPerHost: 1 }]);
  const all = [...cap.snaps.values()];
  dpu = all.find((x) => x.device.persona === 'bluefield3')!;
  host = all.find((x) => x.device.persona === 'openbmc-host')!;
}, 90_000);
afterAll(() => cap?.stop());

const capsOf = (snap: InventorySnapshot, src: string, uri: string) => {
  const r = mapDevice(snap, { source: src });
  return { r, body: docAt(r.docs, uri), caps: docAt(r.docs, uri).Oem?.Shoal?.Capabilities as Record<string, any> | undefined };
};

/** The simulator's own answer for a path, read without the driver. */
async function served(d: FleetDevice, path: string): Promise<Record<string, any>> {
  const r = await get(d, path);
  expect(r.status, path).toBe(200);
  return r.body as Record<string, any>;
}

const hundredths = (x: number) => Math.round(x * 100) / 100;

describe('bluefield3', () => {
  it('counts the Arm cores and the share of them ProcessorMetrics says is busy', async () => {
    const cpu = await served(dpu.device, '/redfish/v1/Systems/Bluefield/Processors/CPU0');
    const m = await served(dpu.device, cpu.Metrics['@odata.id']);
    const consumed = hundredths((cpu.TotalEnabledCores * m.BandwidthPercent) / 100);
    expect(cpu.TotalEnabledCores).toBe(16);
    expect(m.BandwidthPercent).toBeGreaterThan(0);
    // The DPA's RISC-V cores are an accelerator, not cores to schedule work on.
    expect(capsOf(dpu.snap, DPU_SRC, DPU_SYS).caps!.Cores).toEqual({ Total: 16, Consumed: consumed, Remaining: hundredths(16 - consumed) });
  });

  it('counts the DDR5 and the MiB MemoryMetrics says are in use', async () => {
    const coll = await served(dpu.device, '/redfish/v1/Systems/Bluefield/Memory');
    let total = 0;
    let used = 0;
    for (const ref of coll.Members) {
      const mem = await served(dpu.device, ref['@odata.id']);
      const mm = await served(dpu.device, mem.Metrics['@odata.id']);
      total += mem.CapacityMiB;
      used += (mem.CapacityMiB * mm.CapacityUtilizationPercent) / 100;
    }
    expect(total).toBe(32 * 1024);
    expect(capsOf(dpu.snap, DPU_SRC, DPU_SYS).caps!.MemoryMiB).toEqual({ Total: total, Consumed: Math.round(used), Remaining: total - Math.round(used) });
  });

  it('lists its offload engines by DMTF AccelerationFunctionType, and its line rate', () => {
    const { caps } = capsOf(dpu.snap, DPU_SRC, DPU_SYS);
    expect(caps!.OffloadEngines).toEqual(['Compression', 'Encryption', 'PacketInspection', 'PacketSwitch']);
    expect(caps!.PerformanceLimits).toEqual({ NetworkBandwidthGbps: 2 * 200 });
    // No FPGA: no reconfiguration slots to account, so none are claimed.
    expect(caps!.AcceleratorSlots).toBeUndefined();
  });
});

describe('openbmc-host', () => {
  it('accounts both sockets, all DIMMs and the DPU card ports, and claims no offload engines of its own', async () => {
    let cores = 0;
    let busy = 0;
    for (const id of ['cpu0', 'cpu1']) {
      const cpu = await served(host.device, `/redfish/v1/Systems/system/Processors/${id}`);
      const m = await served(host.device, cpu.Metrics['@odata.id']);
      cores += cpu.TotalEnabledCores;
      busy += (cpu.TotalEnabledCores * m.BandwidthPercent) / 100;
    }
    const dimms = (await served(host.device, '/redfish/v1/Systems/system/Memory')).Members as { '@odata.id': string }[];
    let mib = 0;
    let usedMib = 0;
    for (const ref of dimms) {
      const mem = await served(host.device, ref['@odata.id']);
      const mm = await served(host.device, mem.Metrics['@odata.id']);
      mib += mem.CapacityMiB;
      usedMib += (mem.CapacityMiB * mm.CapacityUtilizationPercent) / 100;
    }
    const { caps } = capsOf(host.snap, HOST_SRC, HOST_SYS);
    expect(caps).toEqual({
      Cores: { Total: 64, Consumed: hundredths(busy), Remaining: hundredths(64 - hundredths(busy)) },
      MemoryMiB: { Total: 8 * 32768, Consumed: Math.round(usedMib), Remaining: mib - Math.round(usedMib) },
      PerformanceLimits: { NetworkBandwidthGbps: 400 },
    });
    expect(mib).toBe(8 * 32768);
  });
});

describe('the Oem.Shoal object', () => {
  it('validates against schemas/ShoalComputerSystem.v1_0_0.json, and the harness really checks it', () => {
    for (const [snap, src, uri] of [[dpu.snap, DPU_SRC, DPU_SYS], [host.snap, HOST_SRC, HOST_SYS]] as const) {
      const { r, body } = capsOf(snap, src, uri);
      expect(body.Oem.Shoal['@odata.type']).toBe(OEM_TYPE);
      expect(validateRedfish(body.Oem.Shoal).errors).toEqual([]);
      expect(schemaFailures(r.docs)).toEqual([]);
      expect(r.unmapped.filter((n) => !n.path?.startsWith('properties/'))).toEqual([]);
    }
    const { body } = capsOf(dpu.snap, DPU_SRC, DPU_SYS);
    const bad = (caps: Record<string, unknown>) => ({ ...body, Oem: { Shoal: { '@odata.type': OEM_TYPE, Capabilities: caps } } });
    // The names the issue uses are not the schema's: engines are named by DMTF AccelerationFunctionType.
    expect(validateRedfish(bad({ OffloadEngines: ['Regex'] })).errors.join()).toMatch(/^\/Oem\/Shoal\/Capabilities\/OffloadEngines\/0 /);
    expect(validateRedfish(bad({ Cores: { Total: 16, Free: 3 } })).valid).toBe(false);
    expect(validateRedfish(bad({ Cores: { Total: 16, Consumed: -1 } })).valid).toBe(false);
    expect(validateRedfish({ ...body, Oem: { Shoal: { Capabilities: {} } } }).errors).toEqual(['/Oem/Shoal payload has no @odata.type']);
  });

  it('is one of the OEM schemas the service serves, and its JSON Schema and CSDL agree', () => {
    const entry = OEM_SCHEMAS.find((o) => o.namespace === 'ShoalComputerSystem');
    expect(entry).toEqual({ namespace: 'ShoalComputerSystem', versioned: 'ShoalComputerSystem.v1_0_0', jsonFile: 'ShoalComputerSystem.v1_0_0.json', csdlFile: 'ShoalComputerSystem_v1.xml' });
    const json = JSON.parse(readSchemaFile(entry!.jsonFile)!) as { title: string; definitions: Record<string, { enum?: string[]; properties?: Record<string, unknown> }> };
    const csdl = readSchemaFile(entry!.csdlFile)!;
    expect(json.title).toBe(`#${entry!.versioned}`);
    expect(csdl).toContain(`Namespace="${entry!.versioned}"`);
    // Same enum members, same properties per type, in both languages.
    const members = [...csdl.matchAll(/<Member Name="([A-Za-z]+)">/g)].map((m) => m[1]);
    expect(json.definitions.OffloadEngine!.enum).toEqual(members);
    for (const [name, def] of Object.entries(json.definitions)) {
      if (!def.properties) continue;
      const block = new RegExp(`<ComplexType Name="${name}"[^>]*>([\\s\\S]*?)</ComplexType>`).exec(csdl)![1]!;
      const inCsdl = [...block.matchAll(/<Property Name="([A-Za-z]+)"/g)].map((m) => m[1]).sort();
      expect(Object.keys(def.properties).filter((k) => !k.startsWith('@')).sort(), name).toEqual(inCsdl);
    }
    expect(readFileSync(join(SCHEMAS_DIR, entry!.jsonFile), 'utf8')).toBe(readSchemaFile(entry!.jsonFile));
  });
});

describe('accelerator-change', () => {
  /** Reads the DPU again through its own driver, as the next inventory poll would. */
  async function reread(): Promise<InventorySnapshot> {
    const d = dpu.device;
    const rt = new DriverRuntime({ log: { debug() {}, info() {}, warn() {}, error() {} } });
    try {
      const credentials = { kind: 'basic' as const, username: d.credentials.user, password: d.credentials.password };
      const dev = rt.add({ id: d.id, protocol: 'redfish', host: d.address, port: d.port, credentials, tls: { mode: 'insecure' } }, bluefieldDriver);
      return await dev.call('inventory', []);
    } finally {
      await rt.close();
    }
  }

  it('changes the capabilities, so the System document changes, and clearing restores them', async () => {
    const store = new MemoryResourceStore();
    const write = (snap: InventorySnapshot) => store.replaceDevice(dpu.device.id, mapDevice(snap, { source: DPU_SRC }).docs, 0);
    const before = capsOf(dpu.snap, DPU_SRC, DPU_SYS).caps!;
    const first = await reread();
    write(first);
    const withoutOem = (snap: InventorySnapshot) => ({ ...capsOf(snap, DPU_SRC, DPU_SYS).body, Oem: undefined });
    try {
      // An engine fused off or failing its self-test is no longer available for offload.
      cap.fleet.inject(dpu.device.id, { kind: 'accelerator-change' });
      const disabled = await reread();
      expect(capsOf(disabled, DPU_SRC, DPU_SYS).caps!.OffloadEngines).toEqual(['Compression', 'Encryption', 'PacketSwitch']);
      expect(write(disabled).changed).toContain(DPU_SYS);
      // The capabilities are what changed on the System: everything else on it reads as before.
      expect(withoutOem(disabled)).toEqual(withoutOem(first));
      cap.fleet.clearFaults(dpu.device.id);

      // A reprogram that loads another function: the compression engine becomes a second crypto engine.
      cap.fleet.inject(dpu.device.id, { kind: 'accelerator-change', function: 'Compression', mode: 'reprogram', type: 'Encryption' });
      const reprogrammed = await reread();
      expect(capsOf(reprogrammed, DPU_SRC, DPU_SYS).caps!.OffloadEngines).toEqual(['Encryption', 'PacketInspection', 'PacketSwitch']);
      expect(write(reprogrammed).changed).toContain(DPU_SYS);
    } finally {
      cap.fleet.clearFaults(dpu.device.id);
    }
    const cleared = capsOf(await reread(), DPU_SRC, DPU_SYS).caps!;
    expect(cleared).toEqual(before);
  });
});
