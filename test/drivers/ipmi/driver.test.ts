// The ipmi driver against a scripted CommandRunner that replays captured ipmitool output: how it calls ipmitool
// (arguments, environment, idempotency), how it maps answers, and how it fails. The live test is ipmi-sim.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DriverError, type CommandRunner, type ConnectContext, type DeviceSession, type Endpoint } from '../../../src/drivers/api.js';
import { ipmiDriver, ipmiManifest } from '../../../src/drivers/ipmi/index.js';
import { DriverRegistry, manifestErrors } from '../../../src/drivers/registry.js';
import { sessionContractErrors } from '../../../src/drivers/runtime/index.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const log = { debug() {}, info() {}, warn() {}, error() {} };
const signal = new AbortController().signal;
const ctx = { signal };

interface Call {
  file: string;
  args: readonly string[];
  env: Record<string, string> | undefined;
  idempotent: boolean | undefined;
}

type Reply = string | { stdout?: string; stderr?: string } | DriverError;

/** Answers by the ipmitool command (the words after the connection options). */
const DEFAULT_REPLIES: Record<string, Reply> = {
  '-v chassis power status': fixture('chassis-power-status-off.txt'),
  'chassis power status': fixture('chassis-power-status-off.txt'),
  'chassis status': fixture('chassis-status-on.txt'),
  'chassis bootparam get 5': fixture('bootparam-5-pxe.txt'),
  'fru print 0': fixture('fru-print-0.txt'),
  'mc info': fixture('mc-info.txt'),
  'mc guid': fixture('mc-guid.txt'),
  'sensor list': fixture('sensor-list-alarm.txt'),
  'sel info': fixture('sel-info.txt'),
  'sel elist': fixture('sel-elist.txt'),
};

function scripted(replies: Record<string, Reply> = {}): { exec: CommandRunner; calls: Call[] } {
  const calls: Call[] = [];
  const all = { ...DEFAULT_REPLIES, ...replies };
  const exec: CommandRunner = {
    async run(file, args, opts = {}) {
      calls.push({ file, args, env: opts.env, idempotent: opts.idempotent });
      const cmd = args.slice(args.indexOf('-N') + 2).join(' ');
      const reply = all[cmd] ?? (cmd.startsWith('chassis power ') || cmd.startsWith('chassis bootdev ') ? '' : undefined);
      if (reply === undefined) throw new DriverError('Rejected', `ipmitool: no scripted reply for ${cmd}`);
      if (reply instanceof DriverError) throw reply;
      return typeof reply === 'string' ? { stdout: reply, stderr: '' } : { stdout: reply.stdout ?? '', stderr: reply.stderr ?? '' };
    },
  };
  return { exec, calls };
}

const endpoint: Endpoint = { id: 'bmc-1', protocol: 'ipmi', host: '10.0.0.9', credentials: { kind: 'basic', username: 'admin', password: 's3cret' } };

async function connect(replies: Record<string, Reply> = {}, ep: Endpoint = endpoint): Promise<{ session: DeviceSession; calls: Call[] }> {
  const { exec, calls } = scripted(replies);
  const cctx: ConnectContext = { signal, log, exec, io: { run: (fn) => fn(signal), sleep: async () => {} } };
  const session = await ipmiDriver.connect(ep, cctx);
  return { session, calls };
}

const command = (c: Call): string => c.args.slice(c.args.indexOf('-N') + 2).join(' ');

describe('ipmi manifest and probe', () => {
  it('has a valid manifest that declares exactly what the driver does', () => {
    expect(manifestErrors(ipmiManifest)).toEqual([]);
    expect(ipmiManifest).toMatchObject({ id: 'ipmi', protocol: 'ipmi', apiVersion: '^1.0.0' });
    expect([...ipmiManifest.capabilities].sort()).toEqual(['boot.override', 'inventory', 'logs', 'power', 'reset']);
    expect(ipmiManifest.concurrency?.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('claims ipmi candidates only and never throws', async () => {
    expect(await ipmiDriver.probe({ host: '10.0.0.9', protocol: 'ipmi' })).toMatchObject({ matched: true });
    expect(await ipmiDriver.probe({ host: '10.0.0.9', protocol: 'redfish' })).toMatchObject({ matched: false });
    expect(await ipmiDriver.probe(null as never)).toMatchObject({ matched: false });
  });

  it('is picked by the registry for any RMCP-answering candidate, whatever its LLDP description says', async () => {
    const reg = new DriverRegistry();
    reg.register(ipmiDriver);
    const lldp = { systemDescription: 'Linux bmc 5.4.0 #1 SMP\nAST2500' };
    expect((await reg.match({ host: '10.0.0.9', protocol: 'ipmi', lldp }))[0]?.driver.manifest.id).toBe('ipmi');
    expect((await reg.match({ host: '10.0.0.9', protocol: 'ipmi' }))[0]?.driver.manifest.id).toBe('ipmi');
    expect(await reg.match({ host: '10.0.0.9', protocol: 'snmp', lldp })).toEqual([]);
  });
});

describe('ipmi connect', () => {
  it('checks the login once, verbosely, with the password only in the environment', async () => {
    const { session, calls } = await connect();
    expect(sessionContractErrors(ipmiDriver, session)).toEqual([]);
    expect(calls).toHaveLength(1);
    const [login] = calls;
    expect(login?.file).toBe('ipmitool');
    expect(login?.args).toEqual(['-I', 'lanplus', '-C', '3', '-H', '10.0.0.9', '-p', '623', '-U', 'admin', '-E', '-R', '1', '-N', '1', '-v', 'chassis', 'power', 'status']);
    expect(login?.args.join(' ')).not.toContain('s3cret');
    expect(login?.env).toEqual({ IPMI_PASSWORD: 's3cret', TZ: 'UTC' });
    expect(login?.idempotent).toBe(false);
  });

  it('uses the endpoint port when given', async () => {
    const { calls } = await connect({}, { ...endpoint, port: 9623 });
    expect(calls[0]?.args.slice(6, 8)).toEqual(['-p', '9623']);
  });

  it('reports a RAKP failure as AuthenticationFailed, and a dead BMC as it came', async () => {
    const rakp = new DriverError('Unavailable', 'ipmitool: Loading IANA PEN Registry... > RAKP 2 HMAC is invalid Error: Unable to establish IPMI v2 / RMCP+ session');
    await expect(connect({ '-v chassis power status': rakp })).rejects.toMatchObject({ code: 'AuthenticationFailed' });
    const name = new DriverError('Unavailable', 'ipmitool: RAKP 2 message indicates an error : unauthorized name Error: Unable to establish IPMI v2 / RMCP+ session');
    await expect(connect({ '-v chassis power status': name })).rejects.toMatchObject({ code: 'AuthenticationFailed' });
    const dead = new DriverError('Unavailable', 'ipmitool: Get Auth Capabilities error Error: Unable to establish IPMI v2 / RMCP+ session');
    await expect(connect({ '-v chassis power status': dead })).rejects.toMatchObject({ code: 'Unavailable' });
  });

  it('refuses credentials that are not a user name and password', async () => {
    await expect(connect({}, { ...endpoint, credentials: { kind: 'snmp-v2c', community: 'x' } })).rejects.toMatchObject({ code: 'AuthenticationFailed' });
  });
});

describe('ipmi inventory and state', () => {
  it('maps FRU, mc, sensors, chassis and boot flags into one snapshot', async () => {
    const { session, calls } = await connect();
    const snap = await session.inventory(ctx);
    expect(calls.slice(1).every((c) => c.idempotent === true)).toBe(true);
    expect(calls.slice(1).map(command)).toEqual(['chassis status', 'chassis bootparam get 5', 'fru print 0', 'mc info', 'mc guid', 'sensor list', 'sel info']);
    const uuid = 'a21b6b6c-b1c0-8c9d-20a3-ab68940335a7';
    expect(snap.endpoint).toEqual({ manufacturer: 'Contoso', model: 'Legacy 1U Server', serialNumber: 'LEG-CAP-0001', partNumber: 'PN-4711', uuid, product: 'Legacy 1U Server', vendor: 'Contoso' });
    expect(snap.systems).toEqual([
      expect.objectContaining({
        id: 'system',
        powerState: 'On',
        status: { state: 'Enabled', health: 'OK' },
        isDpu: false,
        identity: { manufacturer: 'Contoso', model: 'Legacy 1U Server', serialNumber: 'LEG-CAP-0001', partNumber: 'PN-4711', uuid },
        boot: { enabled: 'Disabled', target: 'Pxe', mode: 'Legacy', allowableTargets: ['None', 'Pxe', 'Hdd', 'Cd', 'BiosSetup'] },
        resetTypes: ['On', 'ForceOff', 'GracefulShutdown', 'PowerCycle', 'ForceRestart'],
        chassisIds: ['chassis'],
        managerIds: ['bmc'],
      }),
    ]);
    expect(snap.chassis[0]).toMatchObject({ id: 'chassis', chassisType: 'RackMount', identity: { serialNumber: 'LEG-CAP-0001' }, systemIds: ['system'] });
    expect(snap.managers[0]).toMatchObject({ id: 'bmc', managerType: 'BMC', identity: { firmwareVersion: '9.08', manufacturer: 'MontaVista Software, Inc.', uuid }, resetTypes: [] });
    expect(snap.components.map((c) => [c.kind, c.id, c.status?.health])).toEqual([
      ['Sensor', 'InletTemp', 'OK'],
      ['Sensor', 'CPUTemp', 'Critical'],
      ['Sensor', 'FAN1', 'Critical'],
    ]);
    expect(snap.firmware).toEqual([expect.objectContaining({ id: 'BMC', version: '9.08', updateable: false })]);
    expect(Object.keys(snap.raw).sort()).toEqual(['bootparam', 'chassis', 'fru', 'guid', 'mc', 'sdr', 'sel']);
    expect(snap.unmapped).toEqual([]);
  });

  it('keeps going when the BMC refuses optional reads, and notes what is missing', async () => {
    const refused = new DriverError('Rejected', 'ipmitool: Get Device ID command failed: Invalid command');
    const { session } = await connect({ 'fru print 0': refused, 'mc guid': refused, 'chassis status': refused });
    const snap = await session.inventory(ctx);
    expect(snap.systems[0]?.powerState).toBe('Off'); // from the chassis power status fallback
    expect(snap.systems[0]?.identity).toEqual({});
    expect(snap.unmapped.map((n) => n.source).sort()).toEqual(['chassis', 'fru', 'guid']);
    expect(snap.raw.fru).toBeUndefined();
  });

  it('lets a dead BMC fail the whole read', async () => {
    const { session } = await connect({ 'mc info': new DriverError('Unavailable', 'ipmitool: Unable to establish IPMI v2 / RMCP+ session') });
    await expect(session.inventory(ctx)).rejects.toMatchObject({ code: 'Unavailable' });
  });

  it('polls state from chassis status', async () => {
    const { session } = await connect({ 'chassis status': fixture('chassis-status-off.txt') });
    expect(await session.state(ctx)).toEqual([{ id: 'system', powerState: 'Off', status: { state: 'StandbyOffline', health: 'OK' } }]);
  });
});

describe('ipmi actions', () => {
  it('maps reset types onto chassis power, never retried', async () => {
    const { session, calls } = await connect();
    const sys = { kind: 'System' as const, id: 'system' };
    for (const [type, op] of [['On', 'on'], ['ForceOff', 'off'], ['GracefulShutdown', 'soft'], ['PowerCycle', 'cycle'], ['ForceRestart', 'reset']] as const) {
      expect(await session.reset(ctx, sys, type)).toEqual({ kind: 'done' });
      expect(command(calls.at(-1)!)).toBe(`chassis power ${op}`);
      expect(calls.at(-1)?.idempotent).toBe(false);
    }
    await session.reset(ctx, { kind: 'Chassis', id: 'chassis' }, 'ForceOff');
    await expect(session.reset(ctx, sys, 'Nmi')).rejects.toMatchObject({ code: 'NotSupported' });
    await expect(session.reset(ctx, { kind: 'Manager', id: 'bmc' }, 'ForceRestart')).rejects.toMatchObject({ code: 'NotSupported' });
    await expect(session.reset(ctx, { kind: 'System', id: 'other' }, 'On')).rejects.toBeInstanceOf(DriverError);
  });

  it('tracks only synchronous jobs', async () => {
    const { session } = await connect();
    expect(await session.track(ctx, { kind: 'done' })).toEqual({ ok: true, messages: [] });
    const outcome = { ok: false, messages: [{ Message: 'x' }] };
    expect(await session.track(ctx, { kind: 'done', outcome })).toEqual(outcome);
    await expect(session.track(ctx, { kind: 'redfish-task', uri: '/x' })).rejects.toMatchObject({ code: 'NotSupported' });
  });

  it('sets the boot device, and catches a refusal ipmitool reports with exit status 0', async () => {
    const { session, calls } = await connect({
      'chassis bootdev floppy': { stderr: 'Set Chassis Boot Parameter 5 failed: Unspecified error\n' },
      'chassis bootdev cdrom': { stderr: 'Set Chassis Boot Parameter 5 failed: Unspecified error\n' },
    });
    await session.setBootOverride!(ctx, 'system', { target: 'Pxe', enabled: 'Continuous', mode: 'UEFI' });
    expect(command(calls.at(-1)!)).toBe('chassis bootdev pxe options=persistent,efiboot');
    expect(calls.at(-1)?.idempotent).toBe(false);
    await session.setBootOverride!(ctx, 'system', { enabled: 'Disabled' });
    expect(command(calls.at(-1)!)).toBe('chassis bootdev none');
    // Only Enabled given: the current device (Pxe, from boot parameter 5) is re-sent with the new options.
    await session.setBootOverride!(ctx, 'system', { enabled: 'Once' });
    expect(calls.slice(-2).map(command)).toEqual(['chassis bootparam get 5', 'chassis bootdev pxe']);
    await expect(session.setBootOverride!(ctx, 'system', { target: 'Cd', enabled: 'Once' })).rejects.toMatchObject({ code: 'Rejected' });
    await expect(session.setBootOverride!(ctx, 'system', { target: 'UefiHttp', enabled: 'Once' })).rejects.toMatchObject({ code: 'NotSupported' });
  });

  it('reads the SEL, newest last, with limit and since', async () => {
    const { session, calls } = await connect();
    const all = await session.logs!(ctx);
    expect(command(calls.at(-1)!)).toBe('sel elist');
    expect(all).toHaveLength(16);
    expect(all.every((r) => r.log === 'SEL')).toBe(true);
    expect((await session.logs!(ctx, { limit: 2 })).map((r) => r.id)).toEqual(['15', '16']);
    // Pre-Init records have no time, so an incremental read cannot place them after anything.
    expect(await session.logs!(ctx, { since: '2000-01-01T00:00:00Z' })).toEqual([]);
  });

  it('keeps records at or after `since` when the SEL has wall-clock times', async () => {
    const { session } = await connect({ 'sel elist': fixture('sel-elist-timed.txt') });
    expect((await session.logs!(ctx, { since: '2026-11-21T11:46:04Z' })).map((r) => r.id)).toEqual(['32', '33', '34']);
    expect((await session.logs!(ctx, { since: '2026-11-21T11:46:04Z', limit: 1 })).map((r) => r.id)).toEqual(['34']);
  });
});
