import type { Severity } from './messages.js';
import { messageText } from './messages.js';

/** One log record. Shapes map onto Redfish `LogEntry`. */
export interface LogRecord {
  id: number;
  created: number;
  severity: Severity;
  message: string;
  messageId?: string;
  messageArgs?: string[];
  entryType: 'Event' | 'SEL' | 'Oem';
  oemRecordFormat?: string;
  /** Set on diagnostic data (crash dump) entries. */
  diagnostic?: { type: 'OS' | 'Manager' | 'OEM'; oemType?: string; sizeBytes: number };
  /** `@odata.id` of the resource the entry is about. */
  origin?: string;
}

/** A bounded log, like a BMC's SEL or journal: the oldest entries fall off. */
export class Log {
  private entries: LogRecord[] = [];
  private nextId = 1;
  constructor(readonly max = 200) {}

  add(rec: Omit<LogRecord, 'id'>): LogRecord {
    const r = { ...rec, id: this.nextId++ };
    this.entries.push(r);
    if (this.entries.length > this.max) this.entries.shift();
    return r;
  }

  event(created: number, messageId: string, args: string[], severity: Severity, origin?: string): LogRecord {
    return this.add({ created, severity, messageId, messageArgs: args, message: messageText(messageId, args), entryType: 'Event', ...(origin ? { origin } : {}) });
  }

  list(): readonly LogRecord[] {
    return this.entries;
  }

  get(id: number): LogRecord | undefined {
    return this.entries.find((e) => e.id === id);
  }

  clear(): void {
    this.entries = [];
  }
}
