import { prep, type Db } from './db.js';

/** One journalled event: a registry message about a resource. */
export interface EventRow {
  id: number;
  at: number;
  /** Registry-qualified, e.g. `ResourceEvent.1.4.ResourceCreated`. */
  messageId: string;
  severity: 'OK' | 'Warning' | 'Critical';
  message: string;
  args: string[];
  /** `@odata.id` of the resource the event is about. */
  origin?: string;
  /** Anything else worth keeping (the sources that saw a device, what changed). */
  detail?: unknown;
}

interface Raw {
  id: number;
  at: number;
  message_id: string;
  severity: string;
  message: string;
  args: string;
  origin: string | null;
  detail: string | null;
}

const fromRaw = (r: Raw): EventRow => ({
  id: r.id,
  at: r.at,
  messageId: r.message_id,
  severity: r.severity as EventRow['severity'],
  message: r.message,
  args: JSON.parse(r.args) as string[],
  ...(r.origin !== null ? { origin: r.origin } : {}),
  ...(r.detail !== null ? { detail: JSON.parse(r.detail) as unknown } : {}),
});

/** The event journal: append-only, read in id order. Delivery (SSE, push) reads from here. */
export class EventsRepo {
  constructor(private readonly db: Db) {}

  append(e: Omit<EventRow, 'id'>): number {
    const r = prep(this.db, 'INSERT INTO events (at, message_id, severity, message, args, origin, detail) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      e.at,
      e.messageId,
      e.severity,
      e.message,
      JSON.stringify(e.args),
      e.origin ?? null,
      e.detail === undefined ? null : JSON.stringify(e.detail),
    );
    return Number(r.lastInsertRowid);
  }

  /** Events after `afterId`, oldest first. */
  list(opts: { afterId?: number; limit?: number } = {}): EventRow[] {
    return (prep(this.db, 'SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?').all(opts.afterId ?? 0, opts.limit ?? 1000) as Raw[]).map(fromRaw);
  }

  /** The newest `limit` events, newest first. */
  latest(limit: number): EventRow[] {
    return (prep(this.db, 'SELECT * FROM events ORDER BY id DESC LIMIT ?').all(limit) as Raw[]).map(fromRaw);
  }

  get(id: number): EventRow | undefined {
    const r = prep(this.db, 'SELECT * FROM events WHERE id = ?').get(id) as Raw | undefined;
    return r ? fromRaw(r) : undefined;
  }

  count(): number {
    return (prep(this.db, 'SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  }
}
