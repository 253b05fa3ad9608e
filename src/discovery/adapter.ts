import type { Credentials } from '../drivers/api.js';
import type { DiscoveredDevice, DiscoverySourceName, SightingProtocol } from '../model/discovery.js';
import type { TaskRecord } from '../model/task.js';
import type { DevicePlane } from '../plane/device-plane.js';
import type { TaskHandler } from '../tasks/runner.js';
import { visible, type SweepReport, type SweepRequest } from './index.js';
import { expandRanges } from './sources/cidr-ranges.js';

/** Credentials as a client gives them in an AggregationSource. */
export interface ClientCredentials {
  username?: string;
  password?: string;
  community?: string;
}

function toCredentials(c: ClientCredentials | undefined): Credentials | undefined {
  if (!c) return undefined;
  if (c.community) return { kind: 'snmp-v2c', community: c.community };
  if (c.username && c.password) return { kind: 'basic', username: c.username, password: c.password };
  return undefined;
}

export const SWEEP_TASK = 'discovery-sweep';

/** Checks a sweep request before it becomes a task, so a bad range is a 400 and not a failed task. */
export function checkSweepRequest(req: SweepRequest): void {
  if (req.cidr?.length) expandRanges(req.cidr, []);
}

/** The task that runs a sweep: progress follows the address sweep; the result is the sweep's report. */
export function sweepTaskHandler(plane: Pick<DevicePlane, 'sweep'>): TaskHandler<SweepRequest> {
  return {
    kind: SWEEP_TASK,
    // A sweep is idempotent: after a restart it simply runs again.
    resumable: true,
    async run({ payload, signal, progress }) {
      const report: SweepReport = await plane.sweep(payload, {
        signal,
        progress: (source, done, total) => {
          if (source === 'cidr' && total > 0) progress(Math.floor((done / total) * 90));
        },
      });
      progress(100);
      const success = { MessageId: 'Base.1.22.Success', Message: 'The request completed successfully.', MessageArgs: [], MessageSeverity: 'OK', Resolution: 'None.' };
      return {
        status: 200,
        health: report.failed.length ? 'Warning' : 'OK',
        body: {
          '@Message.ExtendedInfo': [success],
          Sightings: report.sightings,
          Created: report.created,
          Updated: report.updated,
          Unreachable: report.unreachable,
          Unmatched: report.unmatched,
          Failed: report.failed,
          Devices: report.devices,
          Registered: report.registered,
          Paired: report.paired,
        },
      };
    },
  };
}

/** Device records as the API plane reads them: from the store, wherever the device plane runs. */
export interface StoredDevices {
  get(id: string): DiscoveredDevice | undefined;
  list(): DiscoveredDevice[];
  children(parentId: string): string[];
}

/**
 * What the Redfish AggregationService needs (types match `AggregationPort`): reads from the store, changes through the
 * device plane, which answers once they are written.
 */
export function aggregationAdapter(
  plane: DevicePlane,
  deps: {
    devices: StoredDevices;
    credentialsOf(id: string): Credentials | undefined;
    drivers(): { id: string; name: string; protocol: SightingProtocol }[];
    submit(kind: string, payload: unknown, opts: { name: string; request: { method: string; targetUri: string; body?: unknown }; createdBy: string | null }): TaskRecord;
  },
) {
  return {
    list: (): DiscoveredDevice[] => deps.devices.list().filter(visible),
    get: (id: string): DiscoveredDevice | undefined => {
      const d = deps.devices.get(id);
      return d && visible(d) ? d : undefined;
    },
    children: (id: string): string[] => deps.devices.children(id),
    userName: (id: string): string | undefined => {
      const c = deps.credentialsOf(id);
      return c?.kind === 'basic' ? c.username : c?.kind === 'snmp-v3' ? c.user : undefined;
    },
    connectionMethods: () => deps.drivers(),
    add: (input: { protocol: SightingProtocol; host: string; port?: number; serviceRootUrl?: string; driver?: string; credentials?: ClientCredentials }) => {
      const { credentials: given, ...rest } = input;
      const credentials = toCredentials(given);
      return plane.add({ ...rest, ...(credentials ? { credentials } : {}) });
    },
    update: (id: string, change: { credentials?: ClientCredentials; approve?: boolean }) => {
      const credentials = toCredentials(change.credentials);
      return plane.update(id, { ...(credentials ? { credentials } : {}), ...(change.approve ? { approve: true } : {}) });
    },
    remove: (id: string) => plane.remove(id),
    sweep: (req: { sources?: DiscoverySourceName[]; cidr?: string[]; targets?: string[] }, createdBy: string | null, targetUri: string, body: unknown): TaskRecord => {
      checkSweepRequest(req);
      return deps.submit(SWEEP_TASK, req, { name: 'Discovery sweep', request: { method: 'POST', targetUri, body }, createdBy });
    },
  };
}
