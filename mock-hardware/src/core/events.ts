import type { ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import type { Severity } from './messages.js';
import { messageText } from './messages.js';

export interface Subscription {
  id: string;
  destination: string;
  context?: string;
  protocol: 'Redfish';
  registryPrefixes?: string[];
  /** Deliveries that failed, for the subscription's diagnostics. */
  failures: number;
}

export interface RedfishEventRecord {
  messageId: string;
  args: string[];
  severity: Severity;
  origin?: string;
  timestamp: string;
}

// Push targets are test receivers with self-signed certificates; the simulator is not a security boundary for them.
const pushAgent = new Agent({ connect: { rejectUnauthorized: false }, connections: 4, headersTimeout: 5000, bodyTimeout: 5000 });

/**
 * Event subscriptions (push) and SSE streams of one BMC. Both live in BMC memory: a BMC reboot drops them, which is
 * the behaviour clients must cope with on real hardware.
 */
export class EventHub {
  private readonly subs = new Map<string, Subscription>();
  private readonly streams = new Set<ServerResponse>();
  private nextSub = 1;
  private nextEvent = 1;

  constructor(
    readonly cap: number,
    private readonly iso: () => string,
  ) {}

  subscribe(s: Omit<Subscription, 'id' | 'failures'>): Subscription | undefined {
    if (this.subs.size >= this.cap) return undefined;
    const sub: Subscription = { ...s, id: String(this.nextSub++), failures: 0 };
    this.subs.set(sub.id, sub);
    return sub;
  }

  get(id: string): Subscription | undefined {
    return this.subs.get(id);
  }

  list(): Subscription[] {
    return [...this.subs.values()];
  }

  unsubscribe(id: string): boolean {
    return this.subs.delete(id);
  }

  /** Registers an open SSE response; it is closed on BMC reboot. */
  addStream(res: ServerResponse): void {
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
  }

  get streamCount(): number {
    return this.streams.size;
  }

  publish(messageId: string, args: string[], severity: Severity, origin?: string): void {
    if (this.subs.size === 0 && this.streams.size === 0) return;
    const id = String(this.nextEvent++);
    const ev: Record<string, unknown> = {
      EventType: 'Other',
      EventId: id,
      EventTimestamp: this.iso(),
      MemberId: '0',
      MessageId: messageId,
      MessageArgs: args,
      Message: messageText(messageId, args),
      MessageSeverity: severity,
    };
    if (origin) ev.OriginOfCondition = { '@odata.id': origin };
    const payload = (context?: string) => ({
      '@odata.type': '#Event.v1_13_0.Event',
      Id: id,
      Name: 'Event',
      ...(context !== undefined ? { Context: context } : {}),
      Events: [ev],
    });
    const prefix = messageId.split('.')[0]!;
    for (const s of this.subs.values()) {
      if (s.registryPrefixes?.length && !s.registryPrefixes.includes(prefix)) continue;
      void this.push(s, JSON.stringify(payload(s.context)));
    }
    const data = JSON.stringify(payload());
    for (const r of this.streams) r.write(`id: ${id}\ndata: ${data}\n\n`);
  }

  /** BMC reboot: every subscription and stream is gone. */
  reset(): void {
    this.subs.clear();
    for (const r of this.streams) r.destroy();
    this.streams.clear();
  }

  private async push(s: Subscription, body: string): Promise<void> {
    try {
      const res = await request(s.destination, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: pushAgent });
      await res.body.dump();
      if (res.statusCode >= 300) s.failures++;
    } catch {
      s.failures++;
    }
  }
}
