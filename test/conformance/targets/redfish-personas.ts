import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startFleet, type FleetDevice } from '../../../mock-hardware/src/index.js';
import type { PowerStateValue } from '../../../src/drivers/api.js';
import type { ConformanceTarget, StartedTarget } from '../target.js';

/** Each started target gets its own /24 on loopback, so kit runs in parallel workers never share an address. */
let block = 0;
const baseAddress = () => `127.${60 + (process.pid % 60)}.${(block++ % 250) + 1}.1`;

async function redfishTarget(persona: string, device: (devices: FleetDevice[]) => FleetDevice, options: Record<string, unknown> = {}, extra: { dpusPerHost?: number } = {}): Promise<{ started: StartedTarget; fleet: Awaited<ReturnType<typeof startFleet>>; d: FleetDevice }> {
  const fleet = await startFleet({ seed: `kit-${persona}`, timeScale: 0, baseAddress: baseAddress(), devices: [{ persona, count: 1, options, ...extra }] });
  const d = device(fleet.devices);
  const started: StartedTarget = {
    endpoint: { id: d.id, protocol: 'redfish', host: d.address, port: d.port, credentials: { kind: 'basic', username: d.credentials.user, password: d.credentials.password }, tls: { mode: 'insecure' } },
    candidate: { host: d.address, port: d.port, protocol: 'redfish', serviceRoot: undefined },
    truth: {
      serialNumber: d.serial,
      systems: 1,
      powerState: async () => d.model.power as PowerStateValue,
      openSessions: async () => d.model.sessions.size,
    },
    stop: () => fleet.stop(),
  };
  return { started, fleet, d };
}

/** The unauthenticated service root, read the way discovery reads it (the fleet's CA is not trusted here). */
export async function serviceRootOf(url: string): Promise<Record<string, unknown>> {
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const res = await request(`${url}/redfish/v1`, { dispatcher: agent });
    return (await res.body.json()) as Record<string, unknown>;
  } finally {
    await agent.close();
  }
}

export const bluefield3Target: ConformanceTarget = {
  persona: 'bluefield3',
  async start() {
    const { started, fleet, d } = await redfishTarget('bluefield3', (ds) => ds[0]!);
    started.candidate.serviceRoot = await serviceRootOf(`https://${d.address}:${d.port}`);
    started.resetCheck = { type: 'GracefulShutdown', expect: 'Off', settle: async () => fleet.clock.advance(120_000) };
    return started;
  },
};

export const openbmcHostTarget: ConformanceTarget = {
  persona: 'openbmc-host',
  async start() {
    const { started, fleet, d } = await redfishTarget('openbmc-host', (ds) => ds.find((x) => x.persona === 'openbmc-host')!, {}, { dpusPerHost: 1 });
    started.candidate.serviceRoot = await serviceRootOf(`https://${d.address}:${d.port}`);
    started.resetCheck = { type: 'ForceOff', expect: 'Off', settle: async () => fleet.clock.advance(60_000) };
    return started;
  },
};

const mockupDir = () => resolve(process.env.SHOAL_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../shared'), 'mockups/public-smartnic');

export const dmtfMockupTarget: ConformanceTarget = {
  persona: 'dmtf-mockup',
  unavailable: () => (existsSync(mockupDir()) ? undefined : `DMTF mockup not found at ${mockupDir()} (set SHOAL_SHARED_DIR)`),
  async start() {
    const { started, fleet, d } = await redfishTarget('dmtf-mockup', (ds) => ds[0]!, { mockup: mockupDir() });
    started.candidate.serviceRoot = await serviceRootOf(`https://${d.address}:${d.port}`);
    // public-smartnic: the host and its DPU's Arm system; the simulator's power state is the host's. Identity is the
    // mockup's own, not the fleet's generated serial.
    started.truth.systems = 2;
    started.truth.serialNumber = (JSON.parse(readFileSync(resolve(mockupDir(), 'Chassis/1U/index.json'), 'utf8')) as { SerialNumber: string }).SerialNumber;
    started.resetCheck = { type: 'ForceOff', expect: 'Off', settle: async () => fleet.clock.advance(60_000) };
    return started;
  },
};
