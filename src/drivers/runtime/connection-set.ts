import { Client, type Dispatcher } from 'undici';

/** Options of a {@link ConnectionSet}: undici's per-connection options, minus what the set decides itself. */
export interface ConnectionSetOptions {
  /** At most this many connections (the endpoint guard's in-flight cap). */
  connections: number;
  connect: import('undici').buildConnector.connector;
  /** How long the first connection stays open idle (ms); undici shortens it to 2 s under what the device announces. */
  keepAliveTimeout: number;
  keepAliveMaxTimeout: number;
  /** How long every other connection stays open idle (default 1 s). */
  extraKeepAliveTimeout?: number;
  headersTimeout: number;
  bodyTimeout: number;
}

interface Slot {
  client: Client;
  running: number;
  connected: boolean;
}

/**
 * The HTTP connections to one endpoint: up to `connections` undici Clients, opened on demand and forgotten once their
 * socket has closed with nothing running.
 *
 * An undici Pool would do the same job, but every Pool allocates a 2,048-entry request queue up front (16 KiB) and
 * keeps each Client object it ever made. Across 10,000 mostly idle devices, whose sockets the BMCs close between polls,
 * that was 160 MiB of heap holding nothing. Here an idle endpoint whose connections have closed holds no object at all.
 */
export class ConnectionSet {
  private readonly slots: Slot[] = [];
  private closed = false;

  constructor(
    private readonly origin: string,
    private readonly o: ConnectionSetOptions,
  ) {}

  /** Connections currently held (open, or opened and not yet forgotten). */
  get size(): number {
    return this.slots.length;
  }

  async request(opts: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
    if (this.closed) throw new Error('the connection set is closed');
    const slot = this.pick();
    slot.running++;
    try {
      const res = await slot.client.request(opts);
      // The body is the caller's to read; the connection is busy until it has been read ('end', which comes before the
      // reader's promise settles) or dropped ('close').
      let released = false;
      const release = () => {
        if (!released) this.done(slot);
        released = true;
      };
      res.body.once('end', release).once('close', release);
      return res;
    } catch (e) {
      this.done(slot);
      throw e;
    }
  }

  /**
   * Closes the connections with nothing running. The caller knows its next request is further off than the keep-alive:
   * kept open, such a socket would only time out unused, holding its buffers here and a connection slot on the BMC.
   */
  closeIdle(): void {
    for (const s of this.slots.filter((x) => x.running === 0)) this.forget(s);
  }

  /** Closes every connection, letting requests in flight finish. */
  async close(): Promise<void> {
    this.closed = true;
    const all = this.slots.splice(0);
    await Promise.all(all.map((s) => s.client.close().catch(() => s.client.destroy())));
  }

  /** An idle connection if there is one, a new one while under the cap, else the least busy (undici queues on it). */
  private pick(): Slot {
    let best: Slot | undefined;
    for (const s of this.slots) {
      if (s.running === 0) return s;
      if (!best || s.running < best.running) best = s;
    }
    if (this.slots.length < this.o.connections || !best) return this.open();
    return best;
  }

  private open(): Slot {
    // One connection is worth keeping between polls; the others exist for a crawl's parallel requests, and each open TLS
    // socket holds tens of KiB of native buffers, so they close soon after the burst that needed them.
    const idle = this.slots.length === 0 ? this.o.keepAliveTimeout : Math.min(this.o.keepAliveTimeout, this.o.extraKeepAliveTimeout ?? 1000);
    const client = new Client(this.origin, {
      connect: this.o.connect,
      keepAliveTimeout: idle,
      keepAliveMaxTimeout: Math.min(idle, this.o.keepAliveMaxTimeout),
      headersTimeout: this.o.headersTimeout,
      bodyTimeout: this.o.bodyTimeout,
    });
    const slot: Slot = { client, running: 0, connected: false };
    client.on('connect', () => {
      slot.connected = true;
    });
    // A socket closed by the peer's keep-alive timeout (or by ours) leaves an idle Client that would only reconnect;
    // dropping it costs one connect later, which the next request would have paid anyway.
    client.on('disconnect', () => {
      slot.connected = false;
      if (slot.running === 0) this.forget(slot);
    });
    this.slots.push(slot);
    return slot;
  }

  private done(slot: Slot): void {
    if (slot.running > 0) slot.running--;
    // Its socket closed while a request ran (a reset, a refused connect): nothing is left to keep.
    if (slot.running === 0 && !slot.connected) this.forget(slot);
  }

  private forget(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    slot.client.destroy().catch(() => {});
  }
}
