import { Pool } from 'undici';

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
}

/**
 * Closed-loop load: `connections` clients each send one request at a time until `total` are done.
 * Latencies are measured per request with hrtime.
 */
export async function load(origin: string, path: string, headers: Record<string, string>, total: number, connections = 16): Promise<LoadResult> {
  const pool = new Pool(origin, { connections, pipelining: 1, connect: { rejectUnauthorized: false } });
  const lat: number[] = [];
  let errors = 0;
  let issued = 0;
  const t0 = process.hrtime.bigint();
  const client = async () => {
    while (issued < total) {
      issued++;
      const s = process.hrtime.bigint();
      const r = await pool.request({ path, method: 'GET', headers });
      await r.body.dump();
      if (r.statusCode !== 200) errors++;
      lat.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await pool.close();
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
  return { requests: lat.length, seconds, rps: lat.length / seconds, p50ms: q(0.5), p99ms: q(0.99), errors };
}
