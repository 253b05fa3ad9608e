import { execFile, type ExecFileException } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startFleet, type Fleet, type FleetDevice } from '../../mock-hardware/src/index.js';
import { build, type Shoal } from '../../src/app.js';
import type { ShoalConfigInput } from '../../src/config/config.js';

/**
 * Helpers for the end-to-end tests that drive the real HTTPS server with Debian's Redfish clients (redfishtool,
 * python3-sushy, ansible's community.general redfish modules). Everything runs against 127.0.0.1 only.
 */

export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'e2e-Admin-pass-1';

/** Debian's interpreter: the clients are Debian packages, so a pyenv or venv python3 earlier on PATH would lack them. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export interface E2eServer {
  shoal: Shoal;
  port: number;
  /** `127.0.0.1:PORT`, the form redfishtool's -r and ansible's baseuri take. */
  hostPort: string;
  baseUrl: string;
  dir: string;
  certFile: string;
  close(): Promise<void>;
}

/** The real gateway, HTTPS with its self-signed certificate, on an ephemeral loopback port and a fresh data dir. */
export async function startServer(extra: ShoalConfigInput = {}): Promise<E2eServer> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-'));
  let shoal: Shoal | undefined;
  try {
    shoal = await build(
      { dataDir: join(dir, 'data'), tls: { enabled: true }, adminPassword: ADMIN_PASSWORD, listen: { host: '127.0.0.1', port: 0 }, ...extra },
      { logger: false },
    );
    await shoal.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (shoal.app.server.address() as AddressInfo).port;
    const s = shoal;
    return {
      shoal: s,
      port,
      hostPort: `127.0.0.1:${port}`,
      baseUrl: `https://127.0.0.1:${port}`,
      dir,
      certFile: s.certFile!,
      async close() {
        await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await shoal?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

type Doc = Record<string, any>;

/** One simulated device with the gateway's aggregation source for it: aggregated ids are `<sourceId>_<rawId>`. */
export interface FleetSource {
  device: FleetDevice;
  sourceId: string;
  /** `<sourceId>_`: the start of the Id of every resource the gateway aggregated from this device. */
  prefix: string;
}

/** A DPU as the simulator built it: its card chassis reports the device serial, its Arm system the SoC serial. */
export interface FleetDpu extends FleetSource {
  cardSerial: string;
  systemSerial: string;
  /** The carrying host's device id; undefined for a standalone DPU. */
  hostId?: string;
}

/** A host as the simulator built it, with the DPUs in its slots: the ground truth for host↔DPU link checks. */
export interface FleetHost extends FleetSource {
  serial: string;
  dpus: FleetDpu[];
}

export interface E2eFleetServer extends E2eServer {
  fleet: Fleet;
  sources: FleetSource[];
  hosts: FleetHost[];
  /** Every DPU, carried or not. */
  dpus: FleetDpu[];
  /** DPUs in no host. */
  standaloneDpus: FleetDpu[];
  /** A GET through the gateway in process (Basic auth as the e2e admin), for cross-checks in assertions. */
  get(url: string): Promise<Doc>;
}

/** Hosts, DPUs per host and standalone DPUs in {@link startFleetServer}'s fleet. */
export const FLEET_SHAPE = { hosts: 2, dpusPerHost: 2, standaloneDpus: 1 } as const;
export const FLEET_SYSTEMS = FLEET_SHAPE.hosts * (1 + FLEET_SHAPE.dpusPerHost) + FLEET_SHAPE.standaloneDpus;

const DISCOVER = '/redfish/v1/AggregationService/Actions/Oem/ShoalAggregationService.Discover';
const memberIds = (c: Doc): string[] => ((c.Members ?? []) as { '@odata.id': string }[]).map((m) => m['@odata.id']);

/**
 * The real HTTPS gateway managing a simulated fleet: two openbmc hosts each carrying two BlueField-3s (each with its
 * own BMC) and one standalone BlueField-3, on a loopback /28 of its own in 127.173.0.0/16. `slot` (0-4) keeps the
 * e2e files of one run apart; the pid keeps concurrent runs apart. The gateway discovers the fleet by a CIDR sweep,
 * polls it through its drivers, and this resolves once every system is served and every host chassis contains its
 * DPU cards, each card linked to its DPU system.
 */
export async function startFleetServer(slot: number, timeoutMs = 45_000): Promise<E2eFleetServer> {
  const base = `127.173.${(process.pid % 50) * 5 + slot + 1}`;
  const fleet = await startFleet({
    seed: `e2e-fleet-${slot}`,
    timeScale: 0,
    baseAddress: `${base}.1`,
    devices: [
      { persona: 'openbmc-host', count: FLEET_SHAPE.hosts, dpusPerHost: FLEET_SHAPE.dpusPerHost },
      { persona: 'bluefield3', count: FLEET_SHAPE.standaloneDpus },
    ],
  });
  let srv: E2eServer | undefined;
  try {
    srv = await startServer({
      discovery: { redfishPorts: [8443], tls: { mode: 'insecure' }, credentials: [{ username: 'root', password: '0penBmc' }] },
      inventory: { startSpreadSeconds: 0 },
    });
    const s = srv;
    const auth = { authorization: `Basic ${Buffer.from(`${ADMIN_USER}:${ADMIN_PASSWORD}`).toString('base64')}` };
    const get = async (url: string): Promise<Doc> => {
      const r = await s.shoal.app.inject({ url, headers: auth });
      if (r.statusCode !== 200) throw new Error(`GET ${url}: ${r.statusCode} ${r.body}`);
      return r.json() as Doc;
    };
    const r = await s.shoal.app.inject({ method: 'POST', url: DISCOVER, headers: auth, payload: { Sources: ['cidr'], CIDR: [`${base}.0/28`] } });
    if (r.statusCode !== 202) throw new Error(`Discover: ${r.statusCode} ${r.body}`);

    const end = Date.now() + timeoutMs;
    let last = 'nothing yet';
    for (;;) {
      last = await fleetReady(get);
      if (last === '') break;
      if (Date.now() > end) throw new Error(`the gateway did not map the fleet in ${timeoutMs} ms: ${last}`);
      await new Promise((res) => setTimeout(res, 150));
    }

    const byHost = new Map(s.shoal.local!.discovery.directory.list().map((d) => [d.host, d.id]));
    const sources: FleetSource[] = fleet.devices.map((device) => {
      const sourceId = byHost.get(device.address);
      if (!sourceId) throw new Error(`no aggregation source for ${device.id} at ${device.address}`);
      return { device, sourceId, prefix: `${sourceId}_` };
    });
    const dpus: FleetDpu[] = sources
      .filter((x) => x.device.persona === 'bluefield3')
      .map((x) => ({ ...x, cardSerial: x.device.serial, systemSerial: String(x.device.model.extra.socSerial), hostId: x.device.hostId }));
    const dpuById = new Map(dpus.map((d) => [d.device.id, d]));
    const hosts: FleetHost[] = sources
      .filter((x) => x.device.persona === 'openbmc-host')
      .map((x) => ({ ...x, serial: x.device.serial, dpus: (x.device.dpuIds ?? []).map((id) => dpuById.get(id)!) }));
    return {
      ...s,
      fleet,
      sources,
      hosts,
      dpus,
      standaloneDpus: dpus.filter((d) => !d.hostId),
      get,
      async close() {
        await s.close();
        await fleet.stop();
      },
    };
  } catch (e) {
    await srv?.close();
    await fleet.stop();
    throw e;
  }
}

/** '' when every system is served and every host chassis contains its DPU cards; otherwise what is still missing. */
async function fleetReady(get: (url: string) => Promise<Doc>): Promise<string> {
  const systems = await get('/redfish/v1/Systems');
  if (systems['Members@odata.count'] !== FLEET_SYSTEMS) return `${systems['Members@odata.count']} of ${FLEET_SYSTEMS} systems`;
  const docs = await Promise.all(memberIds(systems).map(get));
  const hosts = docs.filter((d) => d.SystemType === 'Physical');
  if (hosts.length !== FLEET_SHAPE.hosts) return `${hosts.length} of ${FLEET_SHAPE.hosts} hosts`;
  for (const h of hosts) {
    const chassisUri = h.Links?.Chassis?.[0]?.['@odata.id'] as string | undefined;
    if (!chassisUri) return `${h['@odata.id']} has no chassis yet`;
    const chassis = await get(chassisUri);
    const cards = (chassis.Links?.Contains ?? []) as Doc[];
    if (cards.length !== FLEET_SHAPE.dpusPerHost) return `${chassisUri} contains ${cards.length} cards`;
    for (const c of cards) {
      const card = await get(c['@odata.id']);
      if (!card.Links?.ComputerSystems?.length) return `${c['@odata.id']} has no ComputerSystems yet`;
    }
  }
  return '';
}

/** The fleet as one client saw it, reduced to what the link checks need. URIs are `@odata.id`s. */
export interface ClientFleetView {
  systems: { uri: string; id: string; systemType: string | null | undefined; serial?: string | null }[];
  chassis: {
    uri: string;
    id: string;
    chassisType: string | null | undefined;
    serial?: string | null;
    /** Links.ComputerSystems */
    systems: string[];
    /** Links.ContainedBy, when there is one. */
    containedBy?: string | null;
    /** Links.Contains */
    contains: string[];
  }[];
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * Every disagreement between what a client saw and the simulator's ground truth, as readable lines ([] when none):
 * one system per device with the right SystemType and serial; for every host, its chassis containing exactly its own
 * DPUs' cards, each card ContainedBy that chassis and linked to its DPU's system; the standalone DPU's card in no
 * host; and every DPU system linked from exactly one card.
 */
export function fleetLinkProblems(srv: E2eFleetServer, view: ClientFleetView): string[] {
  const bad: string[] = [];
  const systemOf = (src: FleetSource) => {
    const found = view.systems.filter((s) => s.id.startsWith(src.prefix));
    if (found.length !== 1) bad.push(`${src.device.id}: ${found.length} systems with ids starting ${src.prefix}`);
    return found[0];
  };
  const chassisById = new Map(view.chassis.map((c) => [c.uri, c]));
  if (view.systems.length !== FLEET_SYSTEMS) bad.push(`${view.systems.length} systems, not ${FLEET_SYSTEMS}`);

  const cardOf = new Map<string, ClientFleetView['chassis'][number]>();
  for (const dpu of srv.dpus) {
    const sys = systemOf(dpu);
    if (sys && sys.systemType !== 'DPU') bad.push(`${dpu.device.id}: ${sys.uri} is SystemType ${sys.systemType}, not DPU`);
    if (sys && sys.serial !== undefined && sys.serial !== dpu.systemSerial) bad.push(`${dpu.device.id}: ${sys.uri} serial ${sys.serial}, not ${dpu.systemSerial}`);
    const cards = view.chassis.filter((c) => c.id.startsWith(dpu.prefix) && c.chassisType === 'Card');
    if (cards.length !== 1) bad.push(`${dpu.device.id}: ${cards.length} Card chassis with ids starting ${dpu.prefix}`);
    const card = cards[0];
    if (!card) continue;
    cardOf.set(dpu.device.id, card);
    if (card.serial !== undefined && card.serial !== dpu.cardSerial) bad.push(`${card.uri}: serial ${card.serial}, not ${dpu.cardSerial}`);
    if (sys && !sameSet(card.systems, [sys.uri])) bad.push(`${card.uri}: ComputerSystems ${JSON.stringify(card.systems)}, not [${sys.uri}]`);
    // Exactly one card anywhere names this DPU's system.
    const linking = view.chassis.filter((c) => c.chassisType === 'Card' && sys && c.systems.includes(sys.uri));
    if (linking.length !== 1) bad.push(`${dpu.device.id}: linked from ${linking.length} cards`);
  }

  const hostChassisUris = new Set<string>();
  for (const host of srv.hosts) {
    const sys = systemOf(host);
    if (!sys) continue;
    if (sys.systemType !== 'Physical') bad.push(`${host.device.id}: ${sys.uri} is SystemType ${sys.systemType}, not Physical`);
    if (sys.serial !== undefined && sys.serial !== host.serial) bad.push(`${host.device.id}: ${sys.uri} serial ${sys.serial}, not ${host.serial}`);
    const chassis = view.chassis.filter((c) => c.id.startsWith(host.prefix) && c.systems.includes(sys.uri));
    if (chassis.length !== 1) {
      bad.push(`${host.device.id}: ${chassis.length} chassis of its own link ${sys.uri}`);
      continue;
    }
    const hc = chassis[0]!;
    hostChassisUris.add(hc.uri);
    if (hc.containedBy) bad.push(`${hc.uri}: a host chassis ContainedBy ${hc.containedBy}`);
    const expected = host.dpus.map((d) => cardOf.get(d.device.id)?.uri ?? `(no card for ${d.device.id})`);
    if (!sameSet(hc.contains, expected)) bad.push(`${host.device.id}: ${hc.uri} Contains ${JSON.stringify(hc.contains)}, expected ${JSON.stringify(expected)}`);
    for (const uri of hc.contains) {
      const card = chassisById.get(uri);
      if (!card) {
        bad.push(`${hc.uri}: Contains ${uri}, which the client did not list`);
        continue;
      }
      if (card.containedBy !== hc.uri) bad.push(`${uri}: ContainedBy ${card.containedBy}, not ${hc.uri}`);
      for (const s of card.systems) {
        const dpuSys = view.systems.find((x) => x.uri === s);
        if (dpuSys?.systemType !== 'DPU') bad.push(`${uri}: its system ${s} is ${dpuSys?.systemType}, not a DPU`);
      }
    }
  }
  for (const dpu of srv.standaloneDpus) {
    const card = cardOf.get(dpu.device.id);
    if (card?.containedBy) bad.push(`${card.uri}: the standalone DPU's card is ContainedBy ${card.containedBy}`);
  }
  for (const c of view.chassis) {
    if (c.contains.length && !hostChassisUris.has(c.uri)) bad.push(`${c.uri}: Contains ${JSON.stringify(c.contains)} but is no host's chassis`);
    const holders = view.chassis.filter((h) => h.contains.includes(c.uri));
    if (holders.length > 1) bad.push(`${c.uri}: contained by ${holders.length} chassis`);
    if (c.containedBy && !holders.some((h) => h.uri === c.containedBy)) bad.push(`${c.uri}: ContainedBy ${c.containedBy}, which does not list it in Contains`);
  }
  return bad;
}

/** Whether an executable is on PATH (no shell involved). */
export function onPath(name: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Decides what to do when a client is not installed: in CI it is a failure (CI installs it with apt), on a developer
 * machine the suite is skipped with the reason. Returns the reason to skip, or undefined to run.
 */
export function missingTool(problem: string | undefined, aptPackages: string): string | undefined {
  if (!problem) return undefined;
  const msg = `${problem}; install it with: apt-get install -y ${aptPackages}`;
  if (process.env.CI) throw new Error(`CI must have the Debian Redfish clients: ${msg}`);
  console.warn(`skipping: ${msg}`);
  return msg;
}

/**
 * The environment for a client child process: no CA bundle overrides (python-requests lets REQUESTS_CA_BUNDLE and
 * CURL_CA_BUNDLE replace a session's `verify`, which would defeat pinning the gateway's certificate), and no proxy for
 * loopback.
 */
export function clientEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SHOAL_ADMIN_PASSWORD']) delete env[k];
  for (const k of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) delete env[k];
  env.NO_PROXY = env.no_proxy = '127.0.0.1,localhost';
  env.PYTHONDONTWRITEBYTECODE = '1';
  return { ...env, ...extra };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program with arguments (never through a shell) and resolves with its exit code and output. */
export function run(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: opts.env ?? clientEnv(), timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, cwd: opts.cwd },
      (err: ExecFileException | null, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + (err && code === -1 ? `\n${err.message}` : '') });
      },
    );
  });
}

/** Parses a client's JSON output, with the whole output in the error when it is not JSON. */
export function parseJson<T = Record<string, unknown>>(r: RunResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`expected JSON (exit ${r.code})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/** A helper for assertions: the exit code, with the output attached when it is not 0. */
export function ok(r: RunResult): string {
  if (r.code !== 0) throw new Error(`exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

/** A scratch folder for ansible runs: its home, temp dirs and config confined there. */
export function ansibleWorkDir(): string {
  const work = mkdtempSync(join(tmpdir(), 'shoal-e2e-ansible-'));
  for (const d of ['home', 'tmp', 'remote-tmp']) mkdirSync(join(work, d));
  writeFileSync(join(work, 'ansible.cfg'), '[defaults]\n');
  return work;
}

/**
 * Runs a playbook of `tasks` on localhost with Debian's ansible-playbook and returns every registered result, keyed by
 * register name. The playbook is written as JSON (valid YAML) into `work`; `rf_base`, `rf_user` and `rf_pass` are set to
 * the gateway's `host:port` and the e2e admin.
 */
export async function runPlaybook(work: string, hostPort: string, name: string, tasks: Record<string, any>[], timeoutMs = 50_000): Promise<{ results: Record<string, any>; log: string }> {
  const out = join(work, `${name}.out.json`);
  const registered = tasks.map((t) => t.register as string | undefined).filter((r): r is string => !!r);
  const dump = `{{ {${registered.map((r) => `'${r}': ${r}`).join(', ')}} | to_json }}`;
  const play = [
    {
      name,
      hosts: 'localhost',
      connection: 'local',
      gather_facts: false,
      vars: { rf_base: hostPort, rf_user: ADMIN_USER, rf_pass: ADMIN_PASSWORD },
      tasks: [...tasks, { name: 'save the results', 'ansible.builtin.copy': { content: dump, dest: out } }],
    },
  ];
  const file = join(work, `${name}.yml`);
  writeFileSync(file, JSON.stringify(play, null, 2));
  const env = clientEnv({
    ANSIBLE_CONFIG: join(work, 'ansible.cfg'),
    ANSIBLE_HOME: join(work, 'home'),
    ANSIBLE_LOCAL_TEMP: join(work, 'tmp'),
    ANSIBLE_REMOTE_TEMP: join(work, 'remote-tmp'),
    ANSIBLE_PYTHON_INTERPRETER: DEBIAN_PYTHON,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_LOCALHOST_WARNING: '0',
    ANSIBLE_INVENTORY_UNPARSED_WARNING: '0',
    ANSIBLE_DEPRECATION_WARNINGS: '0',
    ANSIBLE_SYSTEM_WARNINGS: '0',
    ANSIBLE_GATHERING: 'explicit',
    ANSIBLE_COLLECTIONS_SCAN_SYS_PATH: '1',
  });
  delete env.ANSIBLE_VAULT_PASSWORD_FILE;
  const r = await run('ansible-playbook', ['-i', 'localhost,', file], { env, cwd: work, timeoutMs });
  const log = `exit ${r.code}\n${r.stdout}\n${r.stderr}`;
  if (r.code !== 0 || !existsSync(out)) throw new Error(`ansible-playbook ${name} failed:\n${log}`);
  return { results: JSON.parse(readFileSync(out, 'utf8')) as Record<string, any>, log };
}
