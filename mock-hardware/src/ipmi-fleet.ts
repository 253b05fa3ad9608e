import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Device } from './core/device.js';
import type { Fault } from './core/faults.js';

/** Handle the fleet keeps for an ipmi-legacy device (the subset of the persona's `IpmiDevice` it uses). */
interface IpmiHandle {
  state(): { power: 'on' | 'off'; boot: string };
  setState(change: { power?: 'on' | 'off' }): void;
  stop(): Promise<void>;
}

const HANDLE = 'ipmi';

/**
 * Starts the `ipmi_sim` process behind an ipmi-legacy device. The persona module is loaded only when a fleet has such
 * devices, so fleets without them never need Debian's openipmi.
 */
export async function startIpmiBackend(model: Device, options: Record<string, unknown>, stateRoot: string | undefined): Promise<void> {
  const { startIpmiDevice } = await import('./personas/ipmi-legacy/index.js');
  const root = stateRoot ?? mkdtempSync(join(tmpdir(), 'mock-hardware-ipmi-'));
  const h = await startIpmiDevice({
    address: model.init.address,
    port: model.init.port,
    user: model.init.user,
    password: model.init.password,
    serial: model.init.serial,
    stateDir: join(root, model.id),
    initialPower: options.initialPower === 'off' ? 'off' : 'on',
    ...(typeof options.vendor === 'string' ? { vendor: options.vendor } : {}),
    ...(typeof options.product === 'string' ? { product: options.product } : {}),
  });
  model.extra[HANDLE] = h;
}

export async function stopIpmiBackend(model: Device): Promise<void> {
  await (model.extra[HANDLE] as IpmiHandle | undefined)?.stop();
}

/** Faults an IPMI-only BMC can show: power loss (chassis power off behind IPMI's back). */
export function applyIpmiFault(model: Device, f: Fault): boolean {
  const h = model.extra[HANDLE] as IpmiHandle | undefined;
  if (!h) return false;
  if (f.kind === 'power-loss') {
    h.setState({ power: 'off' });
    if (f.restoreAfterMs !== undefined) model.clock.setTimeout(() => h.setState({ power: 'on' }), f.restoreAfterMs);
    return true;
  }
  return false;
}
