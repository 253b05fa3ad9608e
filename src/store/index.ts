import { join } from 'node:path';
import { AccountsRepo } from './accounts-repo.js';
import { AuditRepo } from './audit-repo.js';
import { DevicesRepo } from './devices-repo.js';
import { EndpointsRepo } from './endpoints-repo.js';
import { EventsRepo } from './events-repo.js';
import { openDatabase, schemaVersion, type Db } from './db.js';
import { ResourcesRepo } from './resources-repo.js';
import { SessionsRepo } from './sessions-repo.js';
import { SettingsRepo } from './settings-repo.js';
import { SnapshotsRepo } from './snapshots-repo.js';
import { TasksRepo } from './tasks-repo.js';

/** The store: one SQLite database and one repository per aggregate. Nothing outside `store/` writes SQL. */
export interface Store {
  accounts: AccountsRepo;
  sessions: SessionsRepo;
  tasks: TasksRepo;
  settings: SettingsRepo;
  audit: AuditRepo;
  endpoints: EndpointsRepo;
  devices: DevicesRepo;
  events: EventsRepo;
  /** The aggregated Redfish tree, one document per resource (the inventory service's {@link ResourcesRepo}). */
  resources: ResourcesRepo;
  /** The last inventory snapshot of each device, for rebuilding its documents without polling it again. */
  snapshots: SnapshotsRepo;
  /** Runs `fn` in one transaction: a state change and the event that journals it commit together or not at all. */
  transaction<T>(fn: () => T): T;
  schemaVersion(): number;
  close(): void;
}

export function openStore(dataDir: string | ':memory:', synchronous: 'FULL' | 'NORMAL' = 'FULL'): Store {
  const db: Db = openDatabase(dataDir === ':memory:' ? ':memory:' : join(dataDir, 'shoal.db'), synchronous);
  const version = schemaVersion(db); // migrations ran in openDatabase; it cannot change while open
  return {
    accounts: new AccountsRepo(db),
    sessions: new SessionsRepo(db),
    tasks: new TasksRepo(db),
    settings: new SettingsRepo(db),
    audit: new AuditRepo(db),
    endpoints: new EndpointsRepo(db),
    devices: new DevicesRepo(db),
    events: new EventsRepo(db),
    resources: new ResourcesRepo(db),
    snapshots: new SnapshotsRepo(db),
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    schemaVersion: () => version,
    close: () => db.close(),
  };
}

export { UsernameTaken } from './accounts-repo.js';
export type { EndpointRow } from './endpoints-repo.js';
export type { EventRow } from './events-repo.js';
