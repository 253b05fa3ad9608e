import { applyCommonFault } from '../../core/apply-fault.js';
import type { Device, DeviceProfile } from '../../core/device.js';
import type { Fault } from '../../core/faults.js';
import { fail, noContent, ok, RedfishError, type Ctx, type Route } from '../../http/router.js';
import { Router } from '../../http/router.js';
import { commonRoutes } from '../../services/common.js';
import { COMMON_NAMESPACES, metadataXml } from '../../services/metadata.js';
import { ref } from '../../services/shapes.js';
import { bootProgress, genericReset, systemState } from '../../services/system.js';
import { updateRoutes } from '../../services/update.js';
import type { Persona, SetupContext } from '../persona.js';
import { defaultMockupDir, loadMockup, type Mockup } from './load.js';

const mockupOf = (d: Device): Mockup => d.extra.mockup as Mockup;
const mainSystem = (d: Device): string => d.init.systemPath;

function options(o: Record<string, unknown>): { dir: string; system?: string } {
  return { dir: typeof o.mockup === 'string' ? o.mockup : defaultMockupDir(), ...(typeof o.system === 'string' ? { system: o.system } : {}) };
}

function profile(o: Record<string, unknown>): DeviceProfile {
  const d = (o.bootDurations ?? {}) as Record<string, number>;
  const st = (lastState: DeviceProfile['bootStages'][number]['lastState'], ms: number) => ({ name: lastState, lastState, durationMs: d[lastState] ?? ms });
  return {
    bootStages: [st('PrimaryProcessorInitializationStarted', 3_000), st('MemoryInitializationStarted', 10_000), st('PCIResourceConfigStarted', 5_000), st('OSBootStarted', 20_000), st('OSRunning', 0)],
    powerOnMs: 1_000,
    gracefulShutdownMs: 10_000,
    powerCycleOffMs: 5_000,
    bmcBootMs: Number(o.bmcBootMs ?? 60_000),
    sessionCap: Number(o.sessionCap ?? 32),
    sessionTimeoutS: 1800,
    subscriptionCap: 20,
    minResetIntervalMs: 0,
    requireSignature: o.requireSignature === true,
    crashDumpMs: 60_000,
    bmcRebootAfterUpdate: true,
  };
}

/** Mockup payload with the device's live state laid over it. */
function serve(ctx: Ctx): ReturnType<typeof ok> {
  const d = ctx.device;
  const m = mockupOf(d);
  const body = m.resources.get(ctx.path);
  if (!body) return fail(404, 'Base.1.22.ResourceMissingAtURI', [ctx.path]);
  if (ctx.path === mainSystem(d)) {
    const st = (body.Status ?? {}) as Record<string, unknown>;
    return ok({ ...body, UUID: d.init.uuid, PowerState: d.power, BootProgress: bootProgress(d), Status: { ...st, State: systemState(d), Health: d.health } });
  }
  if (ctx.path === d.init.managerPath) return ok({ ...body, UUID: d.init.uuid, DateTime: d.clock.iso(), LastResetTime: d.clock.iso(d.bmcLastReset) });
  return ok(body);
}

function root(ctx: Ctx): ReturnType<typeof ok> {
  const d = ctx.device;
  const body = mockupOf(d).resources.get('/redfish/v1') ?? {};
  return ok({
    ...body,
    UUID: d.init.uuid,
    SessionService: ref('/redfish/v1/SessionService'),
    UpdateService: ref('/redfish/v1/UpdateService'),
    Tasks: ref('/redfish/v1/TaskService'),
    EventService: ref('/redfish/v1/EventService'),
    Links: { ...((body.Links ?? {}) as object), Sessions: ref('/redfish/v1/SessionService/Sessions') },
  });
}

const resetTypes = (d: Device, path: string): string[] => {
  const sys = mockupOf(d).resources.get(path.replace(/\/Actions\/ComputerSystem\.Reset$/, ''));
  const a = ((sys?.Actions as Record<string, Record<string, unknown>> | undefined)?.['#ComputerSystem.Reset'] ?? {})['ResetType@Redfish.AllowableValues'];
  return Array.isArray(a) ? (a as string[]) : ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'PowerCycle'];
};

// A catch-all from depth 1 to 14: literal routes (common services, actions) are tried before these.
const catchAll: Route[] = Array.from({ length: 14 }, (_, i) => ({
  path: '/redfish/v1' + Array.from({ length: i + 1 }, (_, j) => `/{p${j}}`).join(''),
  get: (ctx: Ctx) => {
    if (ctx.path.endsWith('/Actions/ComputerSystem.Reset') || ctx.path.includes('/Actions/')) return fail(405, 'Base.1.22.OperationNotAllowed');
    return serve(ctx);
  },
  post: async (ctx: Ctx) => {
    const d = ctx.device;
    if (ctx.path === `${mainSystem(d)}/Actions/ComputerSystem.Reset`) {
      const b = await ctx.json();
      const t = typeof b.ResetType === 'string' ? b.ResetType : 'GracefulRestart';
      if (!resetTypes(d, ctx.path).includes(t)) throw new RedfishError(400, 'Base.1.22.ActionParameterValueNotInList', [t, 'ResetType', 'ComputerSystem.Reset']);
      genericReset(d, t);
      return noContent();
    }
    if (ctx.path === `${d.init.managerPath}/Actions/Manager.Reset`) {
      d.clock.setTimeout(() => d.rebootBmc(d.profile.bmcBootMs, 'Manager.Reset'), 500);
      return noContent();
    }
    if (ctx.path.includes('/Actions/')) return fail(400, 'Base.1.22.ActionNotSupported', [ctx.path.split('/').pop()!]);
    return fail(405, 'Base.1.22.OperationNotAllowed');
  },
}));

const routes: Route[] = [
  ...updateRoutes({
    multipartPath: '/redfish/v1/UpdateService/upload',
    transferProtocols: ['HTTP', 'HTTPS'],
    pendingEntries: false,
    expandTarget: (d, uri) => {
      const m = /^\/redfish\/v1\/UpdateService\/FirmwareInventory\/([\w.-]+)$/.exec(uri);
      if (m) return d.firmware.get(m[1]!) ? [m[1]!] : undefined;
      if (uri === d.init.managerPath) return ['BMC'];
      if (uri === d.init.systemPath) return ['BIOS'];
      return undefined;
    },
    defaultTargets: () => ['BIOS'],
  }),
  ...commonRoutes({ product: 'DMTF mockup', vendor: 'DMTF', systems: [], chassis: [], managers: [] }).filter((r) =>
    ['/redfish', '/redfish/v1/odata'].includes(r.path) || /^\/redfish\/v1\/(SessionService|TaskService|EventService)/.test(r.path),
  ),
  { path: '/redfish/v1', public: true, get: root },
  ...catchAll,
];

const metadataCache = new WeakMap<Mockup, string>();

/** `$metadata` naming every namespace the mockup serves, plus the live services' own. */
function metadataFor(m: Mockup): string {
  let xml = metadataCache.get(m);
  if (!xml) {
    const ns = new Set(COMMON_NAMESPACES);
    for (const body of m.resources.values()) {
      const t = String(body['@odata.type'] ?? '').replace(/^#/, '');
      if (t.includes('.')) ns.add(t.slice(0, t.lastIndexOf('.')));
    }
    xml = metadataXml([...ns]);
    metadataCache.set(m, xml);
  }
  return xml;
}

/** Any DMTF Mockup Creator tree, with live power, boot, reset and update on its first (or chosen) system. */
export const dmtfMockup: Persona = {
  name: 'dmtf-mockup',
  router: new Router().add(routes),
  defaultUser: 'Administrator',
  defaultPassword: 'Password',
  paths(o) {
    const { dir, system } = options(o);
    const m = loadMockup(dir);
    return { system: system ?? m.systems[0] ?? '/redfish/v1/Systems/1', manager: m.managers[0] ?? '/redfish/v1/Managers/1' };
  },
  profile,
  setup(d: Device, ctx: SetupContext) {
    const m = loadMockup(options(ctx.options).dir);
    d.extra.mockup = m;
    d.firmware.add({ id: 'BMC', name: 'BMC firmware', version: String(m.resources.get(d.init.managerPath)?.FirmwareVersion ?? '1.0.0'), activation: 'bmc-reboot', updateable: true, related: [d.init.managerPath], flashMs: 120_000 });
    d.firmware.add({ id: 'BIOS', name: 'System firmware', version: String(m.resources.get(d.init.systemPath)?.BiosVersion ?? '1.0.0'), activation: 'system-reset', updateable: true, related: [d.init.systemPath], flashMs: 120_000 });
  },
  applyFault(d: Device, f: Fault): boolean {
    if (f.kind === 'host-crash') {
      d.publish('Platform.1.3.OperatingSystemCrash', [d.init.systemPath], 'Critical', d.init.systemPath, true);
      if (f.mode === 'soft') d.clock.setTimeout(() => d.power === 'On' && d.restart(), 5_000);
      else {
        d.hung = true;
        d.health = 'Critical';
      }
      return true;
    }
    return applyCommonFault(d, f);
  },
  metadata: (d) => metadataFor(mockupOf(d)),
};
