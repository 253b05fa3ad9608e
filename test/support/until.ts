/** Polling helpers for end-to-end tests that wait on a gateway working in the background. */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Calls `fn` every 100 ms until it gives something other than undefined, and returns that; throws after `ms`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The `@odata.id` of each member of a Redfish collection body. */
export const memberIds = (c: Record<string, unknown>) => (c.Members as { '@odata.id': string }[]).map((m) => m['@odata.id']);
