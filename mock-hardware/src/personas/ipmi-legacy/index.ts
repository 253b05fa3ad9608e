/**
 * The `ipmi-legacy` persona: a legacy BMC that speaks only IPMI, served by Debian's `ipmi_sim` (package `openipmi`),
 * one process per device. Power and boot device are kept in files in the device's state directory by a
 * `chassis_control` script, so the fleet can read and fault them without IPMI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { bmcEmu, chassisScript, defaultSel, lanConf, sensorFile, type SelEntry } from './config.js';
import { supervise } from '../../discovery/supervised.js';
import { defaultSensors, type ThresholdSensor } from './sdr.js';

export { defaultSel, type SelEntry } from './config.js';
export { encodeFru, type FruIdentity } from './fru.js';
export { defaultSensors, type ThresholdSensor } from './sdr.js';

/** Options for {@link startIpmiDevice}. */
export interface IpmiDeviceOptions {
  /** IPv4 address to listen on (UDP), e.g. `127.1.0.9`. */
  address: string;
  /** UDP port; 623 is the IPMI default. */
  port: number;
  /** Administrator user name (user id 2). */
  user: string;
  password: string;
  /** Serial number written into the FRU chassis, board and product areas. */
  serial: string;
  /** Directory for generated configs, chassis state and ipmi_sim's persistence. Created if missing. */
  stateDir: string;
  /** FRU manufacturer. Default `Contoso`. */
  vendor?: string;
  /** FRU product name. Default `Legacy 1U Server`. */
  product?: string;
  /** FRU part number. */
  partNumber?: string;
  /** Name ipmi_sim reports and the GUID seed. Default `ipmi-<serial>`. */
  name?: string;
  /** SEL records loaded at start. Default {@link defaultSel}. */
  sel?: readonly SelEntry[];
  /** Threshold sensors. Default {@link defaultSensors}: inlet and CPU temperature, one fan. */
  sensors?: readonly ThresholdSensor[];
  /** Power state when the state directory holds none yet. Default `off`. */
  initialPower?: 'on' | 'off';
  /** ipmi_sim binary. Default `ipmi_sim` from PATH. */
  ipmiSimPath?: string;
  /** How long to wait for the LAN channel to answer an RMCP ping. Default 10 s. */
  readyTimeoutMs?: number;
}

/** Chassis state as the `chassis_control` script stores it. */
export interface IpmiChassisState {
  power: 'on' | 'off';
  /** Boot device override ipmi_sim last set: `none`, `pxe`, `disk`, `cdrom`, `bios`, ... */
  boot: string;
}

/** A sensor reading as the device holds it. */
export interface IpmiSensorReading {
  number: number;
  name: string;
  /** Raw reading byte. */
  raw: number;
  /** Reading in the sensor's unit (degrees C, RPM, ...). */
  value: number;
}

/** One `set` the chassis_control script received. */
export interface IpmiChassisEvent {
  /** Unix time in seconds (wall clock of the script). */
  at: number;
  name: string;
  value: string;
}

/** A running legacy BMC. */
export interface IpmiDevice {
  readonly address: string;
  readonly port: number;
  /** Process id of ipmi_sim. */
  readonly pid: number;
  /** Settles when ipmi_sim exits, whether through `stop` or on its own. */
  readonly exited: Promise<void>;
  /** Reads the current chassis state from the state files. */
  state(): IpmiChassisState;
  /**
   * Changes chassis state behind IPMI's back, the way a power loss or a front-panel button does. ipmi_sim asks the
   * script for the state on every query, so the next `chassis power status` sees it.
   */
  setState(change: Partial<IpmiChassisState>): void;
  /** Current sensor readings. */
  sensors(): IpmiSensorReading[];
  /**
   * Sets a sensor (by name or number) to a value in its unit, e.g. `setSensor('CPU Temp', 97)`. ipmi_sim polls the
   * value within 0.5 s and logs SEL events for every threshold it crosses.
   */
  setSensor(sensor: string | number, value: number): void;
  /**
   * Every chassis change ipmi_sim asked for, oldest first: `power` 0/1, `boot`, `reset` 1 (hard reset),
   * `shutdown` 1 (soft off).
   */
  events(): IpmiChassisEvent[];
  /** Stops ipmi_sim (SIGTERM, then SIGKILL after 2 s). The state directory is kept. */
  stop(): Promise<void>;
}

/** Writes a file atomically, so the chassis script never reads a torn value. */
function writeAtomic(path: string, text: string, mode?: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, mode === undefined ? undefined : { mode });
  renameSync(tmp, path);
}

/** RMCP/ASF presence ping (DSP0136): the cheapest way to ask "is the LAN channel up?" without credentials. */
const ASF_PING = Buffer.from([0x06, 0x00, 0xff, 0x06, 0x00, 0x00, 0x11, 0xbe, 0x80, 0x00, 0x00, 0x00]);

/** Resolves once something answers an RMCP ping on address:port, rejects after timeoutMs. */
export function waitForRmcp(address: string, port: number, timeoutMs: number, isDead?: () => boolean): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const sock = createSocket('udp4');
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err?: Error): void => {
      if (timer) clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolvePromise();
    };
    sock.on('message', () => finish());
    sock.on('error', (err) => finish(err));
    const tick = (): void => {
      if (isDead?.()) return finish(new Error('ipmi_sim exited before its LAN channel came up'));
      if (Date.now() > deadline) return finish(new Error(`no RMCP answer from ${address}:${port} in ${timeoutMs} ms`));
      sock.send(ASF_PING, port, address);
      timer = setTimeout(tick, 100);
    };
    sock.bind(0, () => tick());
  });
}

/**
 * Starts one legacy BMC: writes lan.conf, bmc.emu and the chassis_control script into `stateDir`, spawns ipmi_sim
 * with an argument array, and resolves once the LAN channel answers an RMCP ping.
 */
export async function startIpmiDevice(opts: IpmiDeviceOptions): Promise<IpmiDevice> {
  const dir = isAbsolute(opts.stateDir) ? opts.stateDir : resolve(opts.stateDir);
  const stateDir = join(dir, 'state');
  // ipmi_sim replays bmc.emu (including sel_add) on every start; a stale persistence dir would double the SEL.
  const simDir = join(dir, 'ipmi_sim');
  rmSync(simDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(simDir, { recursive: true });

  rmSync(join(dir, 'events.log'), { force: true });
  const script = join(dir, 'chassis-control.sh');
  writeAtomic(script, chassisScript(), 0o755);
  if (!existsSync(join(stateDir, 'power'))) writeAtomic(join(stateDir, 'power'), opts.initialPower === 'on' ? '1\n' : '0\n');
  if (!existsSync(join(stateDir, 'boot'))) writeAtomic(join(stateDir, 'boot'), 'none\n');

  const sensorDir = join(dir, 'sensors');
  mkdirSync(sensorDir, { recursive: true });
  const sensors = opts.sensors ?? defaultSensors();
  for (const sensor of sensors) {
    const file = sensorFile(sensorDir, sensor);
    if (!existsSync(file)) writeAtomic(file, `${sensor.initialRaw}\n`);
  }

  const files = {
    name: opts.name ?? `ipmi-${opts.serial}`,
    address: opts.address,
    port: opts.port,
    user: opts.user,
    password: opts.password,
    chassisScript: script,
    fru: {
      serial: opts.serial,
      vendor: opts.vendor ?? 'Contoso',
      product: opts.product ?? 'Legacy 1U Server',
      ...(opts.partNumber === undefined ? {} : { partNumber: opts.partNumber }),
    },
    sel: opts.sel ?? defaultSel(),
    sensors,
    sensorDir,
  };
  const lanPath = join(dir, 'lan.conf');
  const emuPath = join(dir, 'bmc.emu');
  writeAtomic(lanPath, lanConf(files), 0o600); // holds the password
  writeAtomic(emuPath, bmcEmu(files));

  const child: ChildProcess = spawn(opts.ipmiSimPath ?? 'ipmi_sim', ['-c', lanPath, '-f', emuPath, '-s', simDir, '-n'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const daemon = supervise(child);
  const stop = (): Promise<void> => daemon.stop();

  try {
    await waitForRmcp(opts.address, opts.port, opts.readyTimeoutMs ?? 10_000, () => daemon.exited);
  } catch (err) {
    await stop();
    throw new Error(`ipmi-legacy: ipmi_sim did not start: ${(err as Error).message}\n${daemon.log().trim()}`);
  }

  const readText = (path: string): string => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return '';
    }
  };
  const readState = (name: string, fallback: string): string => readText(join(stateDir, name)) || fallback;

  return {
    address: opts.address,
    port: opts.port,
    pid: child.pid ?? -1,
    exited: daemon.gone,
    state: () => ({ power: readState('power', '0') === '1' ? 'on' : 'off', boot: readState('boot', 'none') }),
    setState: (change) => {
      if (change.power) writeAtomic(join(stateDir, 'power'), change.power === 'on' ? '1\n' : '0\n');
      if (change.boot !== undefined) {
        if (!/^[A-Za-z0-9_.-]+$/.test(change.boot)) throw new Error(`ipmi-legacy: bad boot device ${change.boot}`);
        writeAtomic(join(stateDir, 'boot'), `${change.boot}\n`);
      }
    },
    sensors: () =>
      sensors.map((sensor) => {
        const raw = Number.parseInt(readText(sensorFile(sensorDir, sensor)), 10);
        const value = Number.isFinite(raw) ? raw : sensor.initialRaw;
        return { number: sensor.number, name: sensor.name, raw: value, value: value * sensor.m };
      }),
    setSensor: (which, value) => {
      const sensor = sensors.find((x) => x.name === which || x.number === which);
      if (!sensor) throw new Error(`ipmi-legacy: no sensor ${String(which)}`);
      const raw = Math.max(0, Math.min(255, Math.round(value / sensor.m)));
      writeAtomic(sensorFile(sensorDir, sensor), `${raw}\n`);
    },
    events: () => {
      let text = '';
      try {
        text = readFileSync(join(dir, 'events.log'), 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .map((line) => /^(\d+) set (\S+) (\S+)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ at: Number(m[1]), name: m[2] ?? '', value: m[3] ?? '' }));
    },
    stop,
  };
}
