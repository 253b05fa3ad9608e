import type { EventRow } from '../store/events-repo.js';
import { RESOURCE_EVENT_REGISTRY, RESOURCE_EVENT_TEXTS, type ResourceEventId } from './resource-events.js';

/** What the journal needs from the store. */
export interface JournalStore {
  append(e: Omit<EventRow, 'id'>): number;
}

/** Subscribers hear each event after it is written (SSE and push delivery attach here). */
export type JournalListener = (e: EventRow) => void;

/**
 * The event journal. Callers write the state change and the event inside one store transaction, so neither exists
 * without the other; listeners hear the event only after that write.
 */
export class Journal {
  private readonly listeners = new Set<JournalListener>();

  constructor(private readonly store: JournalStore, private readonly now: () => number = Date.now) {}

  /** Appends a ResourceEvent message about `origin` (an `@odata.id`). Returns the stored row. */
  resourceEvent(id: ResourceEventId, origin: string, args: string[] = [], detail?: unknown): EventRow {
    const def = RESOURCE_EVENT_TEXTS[id];
    const row: Omit<EventRow, 'id'> = {
      at: this.now(),
      messageId: `${RESOURCE_EVENT_REGISTRY}.${id}`,
      severity: def.severity,
      message: def.text.replace(/%(\d+)/g, (_, n: string) => args[Number(n) - 1] ?? ''),
      args,
      origin,
      ...(detail !== undefined ? { detail } : {}),
    };
    const full = { ...row, id: this.store.append(row) };
    for (const l of this.listeners) {
      try {
        l(full);
      } catch {
        // a listener's failure is its own; the journal has already recorded the event
      }
    }
    return full;
  }

  subscribe(l: JournalListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
