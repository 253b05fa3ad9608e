import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { load, type LoadResult } from './lib/load.js';

/**
 * GET /redfish/v1/Managers/<id> with an authenticated session, through Shoal's full pipeline, against bare fastify
 * serving the same JSON. Servers run in child processes; rounds alternate so that machine noise hits both alike.
 */
const ROOT = resolve(import.meta.dirname, '..');
const PATH = '/redfish/v1/Managers/Shoal';
const PW = 'bench-admin-pw';
const TOTAL = Number(process.env.BENCH_REQUESTS ?? 20000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });

async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} did not come up`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchRedfishGet(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-'));
  const children: ChildProcess[] = [];
  try {
    const sp = await freePort();
    const shoal = spawn(process.execPath, [join(ROOT, 'bin/shoal.js'), 'serve', '--insecure-http', '--listen', `127.0.0.1:${sp}`, '--data-dir', dir], {
      env: { ...process.env, SHOAL_ADMIN_PASSWORD: PW },
      stdio: 'ignore',
    });
    children.push(shoal);
    const shoalOrigin = `http://127.0.0.1:${sp}`;
    await waitUp(`${shoalOrigin}/redfish/v1`);
    const login = await fetch(`${shoalOrigin}/redfish/v1/SessionService/Sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ UserName: 'admin', Password: PW }),
    });
    const token = login.headers.get('x-auth-token')!;
    const headers = { 'x-auth-token': token };
    const doc = await (await fetch(`${shoalOrigin}${PATH}`, { headers })).text();
    const docFile = join(dir, 'manager.json');
    writeFileSync(docFile, doc);

    const bp = await freePort();
    const bare = fork(join(ROOT, 'bench/lib/bare-server.ts'), [String(bp), PATH, docFile], { stdio: 'ignore', execArgv: ['--import', 'tsx'] });
    children.push(bare);
    const bareOrigin = `http://127.0.0.1:${bp}`;
    await waitUp(`${bareOrigin}${PATH}`);

    // Warm both up so JIT and connection setup are out of the measured rounds.
    await load(shoalOrigin, PATH, headers, 3000);
    await load(bareOrigin, PATH, {}, 3000);
    const s: LoadResult[] = [];
    const b: LoadResult[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      b.push(await load(bareOrigin, PATH, {}, TOTAL));
      s.push(await load(shoalOrigin, PATH, headers, TOTAL));
    }
    const row = (name: string, rs: LoadResult[]) =>
      `${name.padEnd(34)} ${median(rs.map((r) => r.rps)).toFixed(0).padStart(8)} req/s   p50 ${median(rs.map((r) => r.p50ms)).toFixed(2)} ms   p99 ${median(rs.map((r) => r.p99ms)).toFixed(2)} ms   errors ${rs.reduce((a, r) => a + r.errors, 0)}`;
    console.log(`GET ${PATH} (${doc.length} bytes), ${TOTAL} requests x ${ROUNDS} rounds, 16 connections, plain HTTP, medians:`);
    console.log(row('bare fastify, same JSON', b));
    console.log(row('shoal, session auth, full pipeline', s));
    console.log(`ratio shoal/bare: ${(median(s.map((r) => r.rps)) / median(b.map((r) => r.rps))).toFixed(2)}`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
