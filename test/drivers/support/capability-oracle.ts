/**
 * What a Redfish device itself shows of each optional capability, read straight from its tree (Basic auth, no driver
 * code involved), and the rule the manifest lint applies with it: every capability a manifest declares must be
 * claimed, with its method, by some session of the driver, unless every device the driver was tried on lacks it.
 */
import { Agent, request } from 'undici';
import { CAPABILITY_METHODS, OPTIONAL_CAPABILITIES, type DeviceSession, type Driver, type Endpoint, type OptionalCapability } from '../../../src/drivers/api.js';

/** `true`: the device offers it; `false`: it does not; `unknown`: nothing in DSP0268 says (vendor-specific). */
export type Shown = boolean | 'unknown';

type Body = Record<string, unknown>;
const link = (b: unknown, k: string): string | undefined => {
  const v = b && typeof b === 'object' ? (b as Body)[k] : undefined;
  const id = v && typeof v === 'object' ? (v as Body)['@odata.id'] : undefined;
  return typeof id === 'string' ? id : undefined;
};
const action = (b: Body | undefined, name: string) => ((b?.Actions as Body | undefined)?.[`#${name}`] as Body | undefined)?.target;

/** For devices whose tree cannot be read without the driver: nothing is known, so nothing is excused. */
export function nothingKnown(): Record<OptionalCapability, Shown> {
  return Object.fromEntries(OPTIONAL_CAPABILITIES.map((c) => [c, 'unknown'])) as Record<OptionalCapability, Shown>;
}

/** Reads the tree of a Redfish endpoint (as the kit's targets start them) and says what it offers. */
export async function redfishDeviceShows(ep: Endpoint): Promise<Record<OptionalCapability, Shown>> {
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  const base = ep.baseUrl ?? `https://${ep.host}${ep.port ? `:${ep.port}` : ''}`;
  const auth = ep.credentials.kind === 'basic' ? `Basic ${Buffer.from(`${ep.credentials.username}:${ep.credentials.password}`).toString('base64')}` : '';
  const get = async (uri: string | undefined): Promise<{ body?: Body; allow?: string }> => {
    if (!uri) return {};
    const r = await request(new URL(uri, base), { headers: { authorization: auth }, dispatcher: agent });
    if (r.statusCode !== 200) {
      await r.body.dump();
      return {};
    }
    const allow = r.headers.allow;
    return { body: (await r.body.json()) as Body, allow: typeof allow === 'string' ? allow : undefined };
  };
  const members = async (uri: string | undefined) => {
    const c = (await get(uri)).body;
    const list = Array.isArray(c?.Members) ? (c.Members as Body[]) : [];
    return Promise.all(list.map((m) => get(m['@odata.id'] as string)));
  };
  try {
    const root = (await get('/redfish/v1')).body;
    const systems = await members(link(root, 'Systems'));
    const managers = await members(link(root, 'Managers'));
    const us = (await get(link(root, 'UpdateService'))).body;
    const usOn = !!us && us.ServiceEnabled !== false;
    const logServices = (await Promise.all([...systems, ...managers].map((r) => members(link(r.body, 'LogServices'))))).flat();
    const events = (await get(link(root, 'EventService'))).body;
    return {
      'boot.override': systems.some((s) => (s.body?.Boot as Body | undefined)?.BootSourceOverrideTarget !== undefined && (s.allow === undefined || /\bPATCH\b/i.test(s.allow))),
      'firmware.inventory': usOn && !!link(us, 'FirmwareInventory'),
      'firmware.push': usOn && typeof us.MultipartHttpPushUri === 'string',
      'firmware.pull': usOn && typeof action(us, 'UpdateService.SimpleUpdate') === 'string',
      'firmware.staged': 'unknown',
      logs: logServices.some((l) => !!link(l.body, 'Entries')),
      diagnostics: logServices.some((l) => typeof action(l.body, 'LogService.CollectDiagnosticData') === 'string'),
      events: !!events && events.ServiceEnabled !== false,
    };
  } finally {
    await agent.close();
  }
}

/** One connect of a driver to one device: what the session claimed and what the device showed. */
export interface CapabilityRun {
  persona: string;
  session: Pick<DeviceSession, 'capabilities'> & Partial<DeviceSession>;
  shown: Record<OptionalCapability, Shown>;
}

/**
 * The lint rule for declared optional capabilities, over every run of one driver:
 * - a session that claims a capability has its method(s) (the runtime's contract, restated per capability);
 * - a capability the device shows (`true`) is claimed: otherwise the manifest promises what no code delivers;
 * - a declared capability that no run claimed is explained only when every run's device lacks it (`false`).
 */
export function capabilityCoverageErrors(driver: Driver, runs: readonly CapabilityRun[]): string[] {
  const errors: string[] = [];
  const id = driver.manifest.id;
  const declared = OPTIONAL_CAPABILITIES.filter((c) => driver.manifest.capabilities.includes(c));
  for (const cap of declared) {
    for (const run of runs) {
      const claimed = run.session.capabilities.has(cap);
      for (const m of CAPABILITY_METHODS[cap]) {
        if (claimed && typeof run.session[m] !== 'function') errors.push(`${id} on ${run.persona}: claims ${cap} but has no ${m}()`);
      }
      if (!claimed && run.shown[cap] === true) errors.push(`${id} on ${run.persona}: the manifest declares ${cap} and the device shows it, but the session does not claim it`);
    }
    const claimedSomewhere = runs.some((r) => r.session.capabilities.has(cap));
    const lackedEverywhere = runs.length > 0 && runs.every((r) => r.shown[cap] === false);
    if (!claimedSomewhere && !lackedEverywhere) {
      errors.push(`${id}: the manifest declares ${cap}, but no session claimed it on ${runs.map((r) => r.persona).join(', ') || 'any device'} and no device explains why`);
    }
  }
  return errors;
}
