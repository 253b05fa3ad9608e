/**
 * The `snmp-agent` persona: a device that speaks only SNMP (a SmartNIC's management port, a PDU, a switch), served
 * by Debian's `snmpd`, one process per device. snmpd answers the system group itself from the generated config;
 * ENTITY-MIB comes from a `pass_persist` script reading a table file, so the fleet can change the hardware inventory without
 * restarting the agent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { EXAMPLE_ENTERPRISE, defaultEntities, entityTable, persistScript, snmpdConf, type AuthAlgorithm, type EntityRow, type PrivAlgorithm } from './config.js';
import { supervise } from '../../discovery/supervised.js';
import { assertUdpFree, waitForSnmp } from './wire.js';

export { EntityClass, defaultEntities, entityTable, snmpdConf, type EntityRow } from './config.js';

/** Options for {@link startSnmpDevice}. */
export interface SnmpDeviceOptions {
  /** IPv4 address to listen on (UDP), e.g. `127.1.0.9`. */
  address: string;
  /** UDP port; 161 is the SNMP default. */
  port: number;
  /** Directory for snmpd.conf, the ENTITY-MIB table, the pass_persist script and snmpd's persistence. Created if missing. */
  stateDir: string;
  /** SNMPv2c read-only community. */
  community: string;
  /** SNMPv3 user (authPriv). */
  v3User: string;
  /** SNMPv3 passphrases, at least 8 characters each. */
  authKey: string;
  privKey: string;
  /** Default `SHA`. */
  authProtocol?: AuthAlgorithm;
  /** Default `AES` (AES-128-CFB, RFC 3826). */
  privProtocol?: PrivAlgorithm;
  /** Serial number of the card (entPhysicalSerialNum of the chassis row). */
  serial: string;
  /** Default `Contoso`. */
  vendor?: string;
  /** Default `SmartNIC SN2200`. */
  model?: string;
  /** Card firmware. Default `4.2.1`. */
  firmware?: string;
  /** Firmware of the card's management controller. Default `2.8.1`. */
  bmcFirmware?: string;
  /** Default `snmp-<serial>` in lower case. */
  sysName?: string;
  /** Default `<vendor> <model> firmware <firmware>`. */
  sysDescr?: string;
  /** Default `1.3.6.1.4.1.32473.1.2200` (RFC 5612's documentation enterprise). */
  sysObjectId?: string;
  sysContact?: string;
  sysLocation?: string;
  /** ENTITY-MIB rows. Default {@link defaultEntities}; `[]` gives an agent without ENTITY-MIB. */
  entities?: readonly EntityRow[];
  /** snmpd binary. Default `snmpd` from PATH (Debian puts it in /usr/sbin). */
  snmpdPath?: string;
  /** How long to wait for the agent to answer. Default 10 s. */
  readyTimeoutMs?: number;
}

/** A running SNMP-only device. */
export interface SnmpDevice {
  readonly address: string;
  readonly port: number;
  /** Process id of snmpd. */
  readonly pid: number;
  readonly sysDescr: string;
  readonly sysObjectId: string;
  readonly sysName: string;
  /** Settles when snmpd exits, whether through `stop` or on its own. */
  readonly exited: Promise<void>;
  /** The ENTITY-MIB rows the device serves now. */
  entities(): EntityRow[];
  /** Replaces the ENTITY-MIB rows (a hot-swapped module, a firmware update); the next request sees them. */
  setEntities(rows: readonly EntityRow[]): void;
  /** Freezes snmpd (SIGSTOP): requests go unanswered, as with a wedged agent. `resume()` undoes it. */
  hang(): void;
  resume(): void;
  /** Stops snmpd (SIGTERM, then SIGKILL after 2 s). The state directory is kept. */
  stop(): Promise<void>;
}

/** Writes a file atomically, so the pass_persist script never reads a torn table. */
function writeAtomic(path: string, text: string, mode?: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, mode === undefined ? undefined : { mode });
  renameSync(tmp, path);
}

/**
 * Starts one SNMP device: writes snmpd.conf, the ENTITY-MIB table and the pass_persist script into `stateDir`, spawns snmpd
 * in the foreground with an argument array, and resolves once it answers a v2c GET of sysDescr.0 with the
 * configured text.
 */
export async function startSnmpDevice(opts: SnmpDeviceOptions): Promise<SnmpDevice> {
  const dir = isAbsolute(opts.stateDir) ? opts.stateDir : resolve(opts.stateDir);
  mkdirSync(dir, { recursive: true });
  // snmpd saves USM users and engineBoots here on exit; replaying them next to createUser would duplicate the user
  // (and keep an old key after a key change), so every start is a factory-fresh agent.
  const persist = join(dir, 'persist');
  rmSync(persist, { recursive: true, force: true });
  mkdirSync(persist, { recursive: true });

  const vendor = opts.vendor ?? 'Contoso';
  const model = opts.model ?? 'SmartNIC SN2200';
  const firmware = opts.firmware ?? '4.2.1';
  const sysDescr = opts.sysDescr ?? `${vendor} ${model} firmware ${firmware}`;
  const sysObjectId = (opts.sysObjectId ?? `${EXAMPLE_ENTERPRISE}.1.2200`).replace(/^\./, '');
  const sysName = opts.sysName ?? `snmp-${opts.serial.toLowerCase()}`;
  let rows: EntityRow[] = [...(opts.entities ?? defaultEntities({ serial: opts.serial, vendor, model, firmware, bmcFirmware: opts.bmcFirmware ?? '2.8.1' }))];

  const tablePath = join(dir, 'entity.tsv');
  const script = join(dir, 'entity-persist.sh');
  writeAtomic(tablePath, entityTable(rows));
  writeAtomic(script, persistScript(), 0o755);
  const confPath = join(dir, 'snmpd.conf');
  const conf = snmpdConf({
    address: opts.address,
    port: opts.port,
    community: opts.community,
    v3User: opts.v3User,
    authKey: opts.authKey,
    privKey: opts.privKey,
    authProtocol: opts.authProtocol ?? 'SHA',
    privProtocol: opts.privProtocol ?? 'AES',
    engineId: `mock-${opts.serial}`,
    sysName,
    sysDescr,
    sysObjectId,
    sysContact: opts.sysContact ?? 'noc@example.test',
    sysLocation: opts.sysLocation ?? 'Lab rack 1',
    persistScript: script,
  });
  writeAtomic(confPath, conf, 0o600); // holds the community and the v3 keys

  try {
    await assertUdpFree(opts.address, opts.port);
  } catch (err) {
    throw new Error(`snmp-agent: ${(err as Error).message}`);
  }
  // -C: read no system config; -f -Lo: foreground, log to stdout. The endpoint comes only from agentAddress: given
  // on the command line as well, snmpd would try to bind it twice. MIBS= keeps snmpd from loading MIB files.
  const child: ChildProcess = spawn(opts.snmpdPath ?? 'snmpd', ['-f', '-Lo', '-C', '-c', confPath, '-p', join(dir, 'snmpd.pid'), `--persistentDir=${persist}`], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MIBS: '' },
  });
  const daemon = supervise(child);
  const stop = (): Promise<void> => daemon.stop();

  try {
    await waitForSnmp(opts.address, opts.port, opts.community, sysDescr, opts.readyTimeoutMs ?? 10_000, () => daemon.exited);
  } catch (err) {
    await stop();
    throw new Error(`snmp-agent: snmpd did not start: ${(err as Error).message}\n${daemon.log().trim()}`);
  }

  return {
    address: opts.address,
    port: opts.port,
    pid: child.pid ?? -1,
    sysDescr,
    sysObjectId,
    sysName,
    exited: daemon.gone,
    entities: () => rows.map((r) => ({ ...r })),
    setEntities: (next) => {
      const text = entityTable(next); // validates before anything changes
      rows = next.map((r) => ({ ...r }));
      writeAtomic(tablePath, text);
    },
    hang: () => {
      if (!daemon.exited) child.kill('SIGSTOP');
    },
    resume: () => {
      if (!daemon.exited) child.kill('SIGCONT');
    },
    stop,
  };
}
