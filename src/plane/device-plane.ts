/**
 * The device plane: everything that talks to devices (drivers and their connections, discovery, the inventory
 * coordinators). The API plane (HTTP, accounts, sessions, tasks) reaches it only through this port, so the plane can
 * run on the main thread or in a worker thread of its own without the Redfish layer knowing which.
 */
import type { Credentials } from '../drivers/api.js';
import type { DiscoveredDevice } from '../model/discovery.js';
import type { ManualAddResult, ManualSource, SweepHooks, SweepReport, SweepRequest } from '../discovery/index.js';

/** Where the device plane runs: on the main thread beside HTTP, or in a worker thread with its own event loop and heap. */
export type PlaneMode = 'inline' | 'worker';

/** Figures about the plane's work, for operators and the benchmarks. Counters run from the plane's start. */
export interface PlaneStatus {
  mode: PlaneMode;
  /** Devices in the directory (every state), and how many are registered. */
  devices: number;
  registered: number;
  /** Devices with a coordinator; of those, how many have a stored snapshot (shown) and how many their coordinator has read (whole). */
  polled: number;
  shown: number;
  whole: number;
  /** The poll gate now: polls holding a slot and polls waiting for one. */
  inFlight: number;
  queued: number;
  /** The cadence governor's stretch of every poll interval (1 = the drivers' own pace). */
  stretch: number;
  /** Polls finished since start, by kind, and failed polls. */
  polls: { inventory: number; state: number; failed: number };
  /** The plane thread's own event loop: utilisation over the last status interval, and its V8 heap. */
  loop?: { utilisation: number; heapUsedBytes: number; heapTotalBytes: number; nice?: number };
  /** Times the worker was restarted after it died (worker mode). */
  restarts?: number;
}

/** Hooks of a sweep run on the plane: discovery's, less per-sighting outcomes (which stay in the plane's thread). */
export type PlaneSweepHooks = Pick<SweepHooks, 'signal' | 'progress'>;

/** What the API plane asks of the device plane. Reads of devices and documents go to the store, not here. */
export interface DevicePlane {
  readonly mode: PlaneMode;
  /** Adds a device by hand (AggregationSources POST); answers once the record is written. */
  add(input: ManualSource): Promise<ManualAddResult>;
  /** New credentials or approval (AggregationSource PATCH); answers once the change is written. */
  update(id: string, change: { credentials?: Credentials; approve?: boolean }): Promise<DiscoveredDevice | undefined>;
  /** Takes a device out of management (AggregationSource DELETE). */
  remove(id: string): Promise<boolean>;
  /** Runs one sweep and reports it. */
  sweep(req: SweepRequest, hooks?: PlaneSweepHooks): Promise<SweepReport>;
  /** The sweep started with the plane when discovery is enabled; undefined when there is none. */
  firstSweep(): Promise<SweepReport | undefined>;
  status(): Promise<PlaneStatus>;
  /** Stops polling and discovery, logs sessions out, and (worker mode) ends the thread. */
  close(): Promise<void>;
}
