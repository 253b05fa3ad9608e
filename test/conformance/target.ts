import type { Endpoint, ProbeCandidate, PowerStateValue, ResetType } from '../../src/drivers/api.js';

/**
 * How the conformance kit starts a simulated device for a driver, and what the simulator says is true about it, so
 * the kit can compare the driver's view with reality. One file per persona in `targets/`.
 */
export interface ConformanceTarget {
  /** Simulator persona name (`bluefield3`, `openbmc-host`, `dmtf-mockup`, `ipmi-legacy`, `snmpd`). */
  persona: string;
  /** Why the target cannot run here (a missing program), or undefined when it can. */
  unavailable?(): string | undefined;
  start(): Promise<StartedTarget>;
}

export interface StartedTarget {
  endpoint: Endpoint;
  /** What discovery would hand the driver's `probe` for this device. */
  candidate: ProbeCandidate;
  truth: {
    /** Serial number of the device's main chassis / FRU, as the simulator configured it. */
    serialNumber: string;
    manufacturer?: string;
    /** Number of computer systems the device has (0 for a chassis-only device). */
    systems: number;
    /** Current power state of the first system, read from the simulator, not through the driver. */
    powerState(): Promise<PowerStateValue | undefined>;
    /** Open Redfish sessions on the device, for the logout check. Undefined where there are no sessions. */
    openSessions?(): Promise<number>;
  };
  /** A reset the kit performs, and the power state to expect once it has settled (after `settle()`). */
  resetCheck?: { type: ResetType; expect: PowerStateValue; settle?(): Promise<void> };
  stop(): Promise<void>;
}
