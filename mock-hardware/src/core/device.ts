import { EventEmitter } from 'node:events';
import type { VirtualClock, VirtualTimer } from './clock.js';
import { EventHub } from './events.js';
import { drawLatency, type Fault } from './faults.js';
import { FirmwareInventory, type Activation } from './firmware.js';
import { Log } from './logs.js';
import type { Severity } from './messages.js';
import type { Prng } from './prng.js';
import { SessionStore } from './sessions.js';
import { TaskStore } from './tasks.js';

export type PowerState = 'On' | 'Off' | 'PoweringOn' | 'PoweringOff';

/** DMTF `BootProgressTypes` values the simulator uses. */
export type BootLastState =
  | 'None'
  | 'PrimaryProcessorInitializationStarted'
  | 'BusInitializationStarted'
  | 'MemoryInitializationStarted'
  | 'SecondaryProcessorInitializationStarted'
  | 'PCIResourceConfigStarted'
  | 'SystemHardwareInitializationComplete'
  | 'SetupEntered'
  | 'OSBootStarted'
  | 'OSRunning'
  | 'OEM';

/** One stage of the boot-progress state machine. The last stage is the running state and has no duration. */
export interface BootStage {
  name: string;
  lastState: BootLastState;
  oemLastState?: string;
  durationMs: number;
  /** BIOS POST code a host BMC records when the stage starts. */
  postCode?: number;
}

/** Timing and limits of one device; personas supply defaults and fleet files may override `bootStages` durations. */
export interface DeviceProfile {
  bootStages: BootStage[];
  powerOnMs: number;
  gracefulShutdownMs: number;
  powerCycleOffMs: number;
  bmcBootMs: number;
  sessionCap: number;
  sessionTimeoutS: number;
  subscriptionCap: number;
  /** Minimum virtual time between two system resets; 0 disables the check. */
  minResetIntervalMs: number;
  /** Multipart push cap in bytes; undefined means no cap. */
  maxPushBytes?: number;
  requireSignature: boolean;
  crashDumpMs: number;
  /** Reboot the BMC on its own after a BMC image is installed. */
  bmcRebootAfterUpdate: boolean;
}

export interface DeviceInit {
  id: string;
  persona: string;
  /** Position in the fleet (spec order, each host followed by its DPUs); with `macPrefix` it decides the device's MACs. */
  index: number;
  serial: string;
  uuid: string;
  address: string;
  port: number;
  hostname: string;
  /** BMC management MAC. */
  mac: string;
  /** The fleet's 24-bit MAC prefix; with `index` it decides every MAC of the device (see services/card-identity.ts). */
  macPrefix?: number;
  user: string;
  password: string;
  profile: DeviceProfile;
  /** `@odata.id` of the main ComputerSystem and Manager. */
  systemPath: string;
  managerPath: string;
}

/** A network fault currently in force. */
export interface ActiveNetFault {
  id: number;
  fault: Extract<Fault, { kind: 'latency' | 'error-rate' | 'malformed-json' | 'connection-reset' | 'slow-firmware-inventory' }>;
}

/** Why the boot stopped at a stage. */
export interface BootHold {
  stage: string;
  reason: string;
}

export type BmcState = 'up' | 'down' | 'hung';

/**
 * State and behaviour of one simulated BMC and the system it manages. Personas add resource shapes on top; this class
 * holds everything that has to survive between requests: power, boot progress, firmware, logs, sessions, tasks, events.
 *
 * Emits `bmc` (state), `power` (state), `stage` (BootStage), `prior-boot` (BootStage[]), `reset` (type).
 */
export class Device extends EventEmitter {
  readonly firmware = new FirmwareInventory();
  readonly logs = new Map<string, Log>();
  readonly sessions: SessionStore;
  readonly tasks: TaskStore;
  readonly events: EventHub;
  readonly rng: Prng;
  power: PowerState = 'Off';
  /** Index into `profile.bootStages`; -1 when the system is off. */
  bootIndex = -1;
  /** Overrides `OemLastState` (crash dumps, firmware update in progress). */
  oemOverride: string | undefined;
  health: Severity = 'OK';
  /** Host hard-hung: nothing progresses until a reset. */
  hung = false;
  readonly holds: BootHold[] = [];
  bmc: BmcState = 'up';
  bmcLastReset: number;
  bmcBootCount = 1;
  lastSystemReset = -Infinity;
  bootCount = 0;
  sessionTimeoutS: number;
  powerRestorePolicy: 'AlwaysOn' | 'AlwaysOff' | 'LastState' = 'AlwaysOn';
  bootOverride = { target: 'None', enabled: 'Disabled' };
  assetTag = '';
  readonly netFaults: ActiveNetFault[] = [];
  /** Persona-owned state (slots, DIMMs, host permission, ...). */
  readonly extra: Record<string, unknown> = {};
  private bootTimer: VirtualTimer | undefined;
  private nextFaultId = 1;

  constructor(
    readonly init: DeviceInit,
    readonly clock: VirtualClock,
    rng: Prng,
  ) {
    super();
    this.rng = rng;
    // Fleets start with BMCs that have been up for a while, as in a datacenter, not ones that just booted.
    this.bmcLastReset = clock.now() - rng.int(1, 30) * 86_400_000;
    this.sessionTimeoutS = init.profile.sessionTimeoutS;
    this.sessions = new SessionStore(init.profile.sessionCap, () => this.sessionTimeoutS * 1000, () => clock.now());
    this.tasks = new TaskStore(() => clock.now(), (id, args, sev, t) => this.publish(id, args, sev, `/redfish/v1/TaskService/Tasks/${t.id}`));
    this.events = new EventHub(init.profile.subscriptionCap, () => clock.iso());
  }

  get id(): string {
    return this.init.id;
  }
  get profile(): DeviceProfile {
    return this.init.profile;
  }

  log(name: string, max = 200): Log {
    let l = this.logs.get(name);
    if (!l) {
      l = new Log(max);
      this.logs.set(name, l);
    }
    return l;
  }

  /** Sends a Redfish event to subscribers and SSE streams and records it in the event log. */
  publish(messageId: string, args: string[], severity: Severity, origin?: string, logIt = false): void {
    if (logIt) this.log('EventLog').event(this.clock.now(), messageId, args, severity, origin);
    if (this.bmc === 'up') this.events.publish(messageId, args, severity, origin);
  }

  // ---- boot-progress state machine ----

  get stage(): BootStage | undefined {
    return this.bootIndex >= 0 ? this.profile.bootStages[this.bootIndex] : undefined;
  }

  get booted(): boolean {
    return this.bootIndex === this.profile.bootStages.length - 1 && !this.oemOverride && !this.hung;
  }

  /** Starts booting from the first stage (power on, or any reset of the cores). */
  startBoot(): void {
    this.clock.clearTimeout(this.bootTimer);
    this.oemOverride = undefined;
    this.hung = false;
    this.bootCount++;
    this.bootIndex = 0;
    this.enterStage();
  }

  stopBoot(): void {
    this.clock.clearTimeout(this.bootTimer);
    this.bootTimer = undefined;
    this.bootIndex = -1;
  }

  /** Holds the boot at `stage` (by stage name or LastState). A boot already past it is unaffected until the next boot. */
  addHold(h: BootHold): void {
    this.holds.push(h);
  }

  /** Releases holds matching `reason` and lets a held boot continue. */
  releaseHold(reason: string): void {
    const before = this.holds.length;
    for (let i = this.holds.length - 1; i >= 0; i--) if (this.holds[i]!.reason === reason) this.holds.splice(i, 1);
    if (before !== this.holds.length && this.bootIndex >= 0 && !this.bootTimer && !this.booted && !this.oemOverride) {
      this.scheduleNextStage();
    }
  }

  heldBy(): BootHold | undefined {
    const s = this.stage;
    if (!s) return undefined;
    return this.holds.find((h) => h.stage === s.name || h.stage === s.lastState);
  }

  private enterStage(): void {
    const s = this.stage!;
    this.bootTimer = undefined;
    this.emit('stage', s);
    if (this.bootIndex === this.profile.bootStages.length - 1) {
      this.publish('ResourceEvent.1.4.ResourceStateChanged', [this.init.systemPath, s.oemLastState ?? s.lastState], 'OK', this.init.systemPath);
      return;
    }
    if (this.heldBy()) return;
    this.scheduleNextStage();
  }

  private scheduleNextStage(): void {
    const s = this.stage!;
    this.bootTimer = this.clock.setTimeout(() => {
      this.bootIndex++;
      this.enterStage();
    }, s.durationMs);
  }

  // ---- power ----

  powerOn(): void {
    if (this.power === 'On' || this.power === 'PoweringOn') return;
    this.power = 'PoweringOn';
    this.emit('power', this.power);
    this.clock.setTimeout(() => {
      if (this.power !== 'PoweringOn') return;
      this.power = 'On';
      this.emit('power', this.power);
      this.publish('ResourceEvent.1.4.ResourcePoweredOn', [this.init.systemPath], 'OK', this.init.systemPath, true);
      this.startBoot();
    }, this.profile.powerOnMs);
  }

  /** Starts the system at fleet start without waiting: devices come up already running unless told otherwise. */
  powerOnImmediately(booted: boolean): void {
    this.power = 'On';
    if (booted) {
      this.bootIndex = this.profile.bootStages.length - 1;
      this.bootCount = 1;
      // A running system booted once before the fleet started; personas that keep boot history (a host BMC's POST
      // codes) record that boot, ending now.
      this.emit('prior-boot', this.profile.bootStages);
    } else this.startBoot();
  }

  powerOff(graceful: boolean): void {
    if (this.power === 'Off') return;
    const off = () => {
      this.power = 'Off';
      this.stopBoot();
      this.oemOverride = undefined;
      this.hung = false;
      this.emit('power', this.power);
      this.publish('ResourceEvent.1.4.ResourcePoweredOff', [this.init.systemPath], 'OK', this.init.systemPath, true);
    };
    if (!graceful) return off();
    this.power = 'PoweringOff';
    this.clock.setTimeout(() => this.power === 'PoweringOff' && off(), this.profile.gracefulShutdownMs);
  }

  /** Resets the cores: the system stays powered and boots again. Staged `system-reset` images activate. */
  restart(): void {
    this.lastSystemReset = this.clock.now();
    this.activate('system-reset');
    this.power = 'On';
    this.startBoot();
    this.emit('reset', 'restart');
  }

  powerCycle(): void {
    this.lastSystemReset = this.clock.now();
    this.power = 'Off';
    this.stopBoot();
    this.oemOverride = undefined;
    this.emit('power', this.power);
    this.clock.setTimeout(() => {
      this.activate('power-cycle');
      this.power = 'On';
      this.emit('power', this.power);
      this.startBoot();
    }, this.profile.powerCycleOffMs);
    this.emit('reset', 'power-cycle');
  }

  activate(event: Activation): string[] {
    const changed = this.firmware.activatePending(event);
    for (const id of changed) {
      const c = this.firmware.get(id)!;
      this.publish('Update.1.3.UpdateSuccessful', [id, c.version], 'OK', `/redfish/v1/UpdateService/FirmwareInventory/${id}`, true);
    }
    return changed;
  }

  /**
   * Crash with a dump: `OemLastState` shows the in-progress state, then the complete state, and a diagnostic entry
   * appears in the dump log. With `reboot`, the system boots again after the dump.
   */
  crashWithDump(inProgress: string, complete: string, dumpMs: number, oemType: string, reboot: boolean): void {
    this.clock.clearTimeout(this.bootTimer);
    this.bootTimer = undefined;
    this.oemOverride = inProgress;
    this.health = 'Critical';
    this.publish('Platform.1.3.OperatingSystemCrash', [this.init.systemPath], 'Critical', this.init.systemPath, true);
    this.clock.setTimeout(() => {
      if (this.oemOverride !== inProgress) return;
      this.oemOverride = complete;
      this.log('Dump').add({
        created: this.clock.now(),
        severity: 'Critical',
        message: `${oemType} crash dump collected`,
        entryType: 'Oem',
        oemRecordFormat: 'Crashdump',
        diagnostic: { type: 'OEM', oemType, sizeBytes: 4 * 1024 * 1024 + this.rng.int(0, 1024 * 1024) },
        origin: this.init.systemPath,
      });
      this.publish('LogService.1.1.DiagnosticDataCollected', [oemType], 'OK', this.init.systemPath, true);
      if (reboot) this.clock.setTimeout(() => this.oemOverride === complete && this.startBoot(), 1000);
    }, dumpMs);
  }

  // ---- BMC ----

  /** The BMC goes away for `downMs` and comes back with empty memory: sessions, subscriptions and tasks are lost. */
  rebootBmc(downMs = this.profile.bmcBootMs, reason = 'reboot'): void {
    if (this.bmc === 'down') return;
    this.bmc = 'down';
    this.sessions.clear();
    this.events.reset();
    this.tasks.clear();
    this.emit('bmc', this.bmc);
    this.clock.setTimeout(() => {
      this.bmc = 'up';
      this.bmcLastReset = this.clock.now();
      this.bmcBootCount++;
      this.activate('bmc-reboot');
      this.log('EventLog').event(this.clock.now(), 'ResourceEvent.1.4.ResourceStateChanged', [this.init.managerPath, `Enabled after ${reason}`], 'OK', this.init.managerPath);
      this.emit('bmc', this.bmc);
    }, downMs);
  }

  hangBmc(durationMs?: number): void {
    this.bmc = 'hung';
    this.emit('bmc', this.bmc);
    if (durationMs !== undefined) this.clock.setTimeout(() => this.unhangBmc(), durationMs);
  }

  unhangBmc(): void {
    if (this.bmc !== 'hung') return;
    this.bmc = 'up';
    this.emit('bmc', this.bmc);
  }

  // ---- network faults ----

  addNetFault(fault: ActiveNetFault['fault']): number {
    const f: ActiveNetFault = { id: this.nextFaultId++, fault };
    this.netFaults.push(f);
    if (fault.durationMs !== undefined) this.clock.setTimeout(() => this.removeNetFault(f.id), fault.durationMs);
    return f.id;
  }

  removeNetFault(id: number): void {
    const i = this.netFaults.findIndex((f) => f.id === id);
    if (i >= 0) this.netFaults.splice(i, 1);
  }

  /** What the network-fault layer does to a request for `path`. */
  netDecision(path: string): { latencyMs: number; error?: 500 | 503; malformed: boolean; reset: boolean } {
    const d = { latencyMs: 0, malformed: false, reset: false } as { latencyMs: number; error?: 500 | 503; malformed: boolean; reset: boolean };
    for (const { fault } of this.netFaults) {
      const scope = fault.kind === 'slow-firmware-inventory' ? (fault.resource ?? '/redfish/v1/UpdateService/FirmwareInventory') : fault.resource;
      if (scope && !path.startsWith(scope)) continue;
      switch (fault.kind) {
        case 'latency':
          d.latencyMs += drawLatency(fault, () => this.rng.next(), () => this.rng.normal());
          break;
        case 'slow-firmware-inventory':
          d.latencyMs += 'fixedMs' in fault || 'distribution' in fault ? drawLatency(fault, () => this.rng.next(), () => this.rng.normal()) : 20_000;
          break;
        case 'error-rate':
          if (this.rng.chance(fault.rate)) d.error = fault.status ?? 500;
          break;
        case 'malformed-json':
          if (this.rng.chance(fault.rate ?? 1)) d.malformed = true;
          break;
        case 'connection-reset':
          if (this.rng.chance(fault.rate ?? 1)) d.reset = true;
          break;
      }
    }
    return d;
  }
}
