/** A numbered, forward-only schema change. Never edit a released migration; add a new one. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'settings, accounts, sessions, tasks, audit log',
    sql: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        role_id TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        locked INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        last_failed_at INTEGER,
        password_change_required INTEGER NOT NULL DEFAULT 0,
        revision INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        client_ip TEXT,
        user_agent TEXT,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL
      );
      CREATE TABLE tasks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        state TEXT NOT NULL,
        status TEXT NOT NULL,
        percent INTEGER,
        messages TEXT NOT NULL DEFAULT '[]',
        payload TEXT NOT NULL DEFAULT '{}',
        request TEXT NOT NULL DEFAULT '{}',
        result TEXT,
        created_by TEXT,
        start_time INTEGER NOT NULL,
        end_time INTEGER,
        resumable INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX tasks_state ON tasks(state);
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        username TEXT,
        client_ip TEXT,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        status INTEGER NOT NULL,
        detail TEXT
      );
    `,
  },
  {
    version: 2,
    description: 'managed device endpoints',
    // Managed device endpoints (issue 4). Credentials are sealed by the driver runtime's cipher before they get
    // here; the store never sees them in clear. The pinned certificate lives beside the endpoint it belongs to.
    sql: `
      CREATE TABLE endpoints (
        id TEXT PRIMARY KEY,
        driver TEXT NOT NULL,
        protocol TEXT NOT NULL,
        host TEXT NOT NULL,
        port INTEGER,
        base_url TEXT,
        credentials TEXT NOT NULL,
        tls TEXT NOT NULL,
        tls_pin TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'discovered devices, their identity keys, and the event journal',
    // One row per device identity (issue 5). Every key that names a device (service-root UUID, a serial, a MAC, an
    // LLDP chassis id, an address) points at exactly one device through the primary key of device_keys, which is what
    // makes "one identity per device" a database guarantee rather than a habit of the code.
    sql: `
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        protocol TEXT NOT NULL,
        driver TEXT,
        host TEXT NOT NULL,
        port INTEGER,
        service_root_url TEXT,
        host_name TEXT,
        identity TEXT NOT NULL DEFAULT '{}',
        sources TEXT NOT NULL DEFAULT '{}',
        alternates TEXT NOT NULL DEFAULT '[]',
        carried TEXT NOT NULL DEFAULT '[]',
        parent_id TEXT,
        slot TEXT,
        reachable INTEGER NOT NULL DEFAULT 1,
        offline_since INTEGER,
        problem TEXT,
        revision INTEGER NOT NULL DEFAULT 1,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE device_keys (
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        PRIMARY KEY (kind, value)
      );
      CREATE INDEX device_keys_device ON device_keys(device_id);
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        message TEXT NOT NULL,
        args TEXT NOT NULL DEFAULT '[]',
        origin TEXT,
        detail TEXT
      );
    `,
  },
  {
    version: 4,
    description: 'the aggregated Redfish tree as documents',
    // Reads of the aggregated tree come from here and never wait on a device (ARCHITECTURE §2). One row per
    // document, owned by one device; (collection, uri) serves ordered, paged member lists without a sort.
    sql: `
      CREATE TABLE resources (
        uri TEXT PRIMARY KEY,
        device_id TEXT NOT NULL,
        collection TEXT,
        body TEXT NOT NULL,
        etag TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX resources_device ON resources(device_id);
      CREATE INDEX resources_collection ON resources(collection, uri);
    `,
  },
  {
    version: 5,
    description: 'the last inventory snapshot of each device',
    // A host and its DPU link to each other, so either one's documents are rebuilt when the other's change. Keeping
    // the snapshots here rather than in memory lets that happen without polling the device again, at 10,000 devices
    // without holding every snapshot in the heap, and after a restart.
    sql: `
      CREATE TABLE inventory_snapshots (
        device_id TEXT PRIMARY KEY,
        taken_at INTEGER NOT NULL,
        body TEXT NOT NULL
      );
    `,
  },
  {
    version: 6,
    description: "a device's cards by their host",
    // The API plane reads AggregationSources from the store (the device plane may run in another thread), and each
    // one lists the DPUs it hosts.
    sql: `CREATE INDEX devices_parent ON devices(parent_id) WHERE parent_id IS NOT NULL;`,
  },
];
