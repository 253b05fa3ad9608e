import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Device } from './core/device.js';
import type { Fault } from './core/faults.js';

/** Handle the fleet keeps for an snmp-agent device (the subset of the persona's `SnmpDevice` it uses). */
interface SnmpHandle {
  hang(): void;
  resume(): void;
  stop(): Promise<void>;
}

const HANDLE = 'snmp';

/** The v2c community of fleet SNMP devices unless `options.community` says otherwise. */
export const DEFAULT_COMMUNITY = 'public';

/**
 * Starts the `snmpd` process behind an snmp-agent device: the device's user is the SNMPv3 user and its password is
 * both the auth and the privacy passphrase. The persona module is loaded only when a fleet has such devices, so
 * fleets without them never need Debian's snmpd.
 */
export async function startSnmpBackend(model: Device, options: Record<string, unknown>, stateRoot: string | undefined): Promise<void> {
  const { startSnmpDevice } = await import('./personas/snmp-agent/index.js');
  const root = stateRoot ?? mkdtempSync(join(tmpdir(), 'mock-hardware-snmp-'));
  const str = (k: string): Record<string, string> => (typeof options[k] === 'string' ? { [k]: options[k] as string } : {});
  const h = await startSnmpDevice({
    address: model.init.address,
    port: model.init.port,
    stateDir: join(root, model.id),
    community: typeof options.community === 'string' ? options.community : DEFAULT_COMMUNITY,
    v3User: model.init.user,
    authKey: model.init.password,
    privKey: model.init.password,
    serial: model.init.serial,
    sysName: model.init.hostname,
    ...str('vendor'),
    ...str('model'),
    ...str('firmware'),
    ...str('bmcFirmware'),
  });
  model.extra[HANDLE] = h;
  // The agent follows the model's BMC state, so `bmc-hang` with `durationMs` runs on the virtual clock and the
  // fleet's `clear` (which un-hangs the model) wakes the agent too.
  model.on('bmc', (state: string) => (state === 'hung' ? h.hang() : state === 'up' ? h.resume() : undefined));
}

/** Stops the device's snmpd, if it was started. */
export async function stopSnmpBackend(model: Device): Promise<void> {
  await (model.extra[HANDLE] as SnmpHandle | undefined)?.stop();
}

/** Faults an SNMP-only device can show: a hung agent (no answers until `durationMs` passes or the fault is cleared). */
export function applySnmpFault(model: Device, f: Fault): boolean {
  if (!model.extra[HANDLE]) return false;
  if (f.kind === 'bmc-hang') {
    model.hangBmc(f.durationMs);
    return true;
  }
  return false;
}
