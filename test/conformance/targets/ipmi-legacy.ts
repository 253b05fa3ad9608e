import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from '../../../mock-hardware/src/discovery/ports.js';
import { startIpmiDevice, type IpmiDevice } from '../../../mock-hardware/src/personas/ipmi-legacy/index.js';
import type { ConformanceTarget, StartedTarget } from '../target.js';

/** Where a program would be found on PATH, or undefined. Sync, because `unavailable()` is. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Why the IPMI persona cannot run here, or undefined: it needs Debian's `openipmi` (ipmi_sim) and `ipmitool`. */
export function ipmiToolsMissing(): string | undefined {
  const missing = ['ipmi_sim', 'ipmitool'].filter((p) => !onPath(p));
  return missing.length ? `${missing.join(' and ')} not installed (apt-get install openipmi ipmitool)` : undefined;
}

/** What the kit's target configures, so tests can compare against it. */
export const IPMI_LEGACY_TRUTH = { serial: 'LEG-KIT-0001', vendor: 'Contoso', product: 'Legacy 1U Server', user: 'admin', password: 'kit-pw-1' } as const;

/**
 * Starts one legacy BMC on 127.0.0.1 and a free UDP port. The port is only free "a moment ago", so a start that
 * loses the race to another process is retried on a new port.
 */
export async function startLegacyBmc(opts: { serial?: string; password?: string; initialPower?: 'on' | 'off' } = {}): Promise<{ bmc: IpmiDevice; dir: string }> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-ipmi-'));
    try {
      const port = await freePort('127.0.0.1');
      const bmc = await startIpmiDevice({
        address: '127.0.0.1',
        port,
        user: IPMI_LEGACY_TRUTH.user,
        password: opts.password ?? IPMI_LEGACY_TRUTH.password,
        serial: opts.serial ?? IPMI_LEGACY_TRUTH.serial,
        vendor: IPMI_LEGACY_TRUTH.vendor,
        product: IPMI_LEGACY_TRUTH.product,
        stateDir: dir,
        initialPower: opts.initialPower ?? 'off',
      });
      return { bmc, dir };
    } catch (e) {
      last = e;
      rmSync(dir, { recursive: true, force: true });
    }
  }
  throw last;
}

/** The `ipmi-legacy` persona for the conformance kit: one ipmi_sim process, powered off, checked with `On`. */
export const ipmiLegacyTarget: ConformanceTarget = {
  persona: 'ipmi-legacy',
  unavailable: ipmiToolsMissing,
  async start(): Promise<StartedTarget> {
    const { bmc, dir } = await startLegacyBmc({ initialPower: 'off' });
    return {
      endpoint: {
        id: `ipmi-legacy-${bmc.port}`,
        protocol: 'ipmi',
        host: bmc.address,
        port: bmc.port,
        credentials: { kind: 'basic', username: IPMI_LEGACY_TRUTH.user, password: IPMI_LEGACY_TRUTH.password },
      },
      candidate: { host: bmc.address, port: bmc.port, protocol: 'ipmi' },
      truth: {
        serialNumber: IPMI_LEGACY_TRUTH.serial,
        manufacturer: IPMI_LEGACY_TRUTH.vendor,
        systems: 1,
        // Read from the chassis_control state file, not through IPMI.
        powerState: async () => (bmc.state().power === 'on' ? 'On' : 'Off'),
      },
      // The device starts powered off, so On is a visible change; ipmi_sim applies it before ipmitool returns.
      resetCheck: { type: 'On', expect: 'On' },
      async stop() {
        await bmc.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
