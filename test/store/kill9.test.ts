import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// A write the service acknowledged must survive the process being killed without warning.
const ROOT = resolve(import.meta.dirname, '..', '..');
const PASSWORD = 'kill9-admin-pw';
const auth = { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' };

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

interface Server {
  proc: ChildProcess;
  exited: Promise<unknown>;
}

function startServer(dir: string, port: number): Server {
  const config = join(dir, 'shoal.json');
  writeFileSync(config, JSON.stringify({ testActions: true, logLevel: 'warn' }));
  const proc = spawn(
    process.execPath,
    [join(ROOT, 'bin/shoal.js'), 'serve', '--insecure-http', '--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, 'data'), '--config', config],
    { env: { ...process.env, SHOAL_ADMIN_PASSWORD: PASSWORD }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return { proc, exited: new Promise((r) => proc.once('exit', r)) };
}

async function waitReady(base: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/redfish/v1`)).ok) return;
    } catch {
      /* not yet listening */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server did not start');
}

describe('durability under kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-kill9-'));
  let child: Server | undefined;
  afterAll(() => {
    child?.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every account answered 201 during a burst cut by SIGKILL, and settles unfinished tasks', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = startServer(dir, port);
    await waitReady(base);

    // A task that cannot finish before the kill: after restart it must read Interrupted, not Running.
    const started = await fetch(`${base}/redfish/v1/TaskService/Actions/Oem/ShoalTaskService.TestTask`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ DurationMs: 600_000 }),
    });
    expect(started.status).toBe(202);
    const taskUri = ((await started.json()) as { '@odata.id': string })['@odata.id'];

    const acked: string[] = [];
    let sent = 0;
    let killed = false;
    const worker = async () => {
      while (!killed && sent < 400) {
        const name = `burst${sent++}`;
        try {
          const r = await fetch(`${base}/redfish/v1/AccountService/Accounts`, {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ UserName: name, Password: 'burst-password', RoleId: 'ReadOnly' }),
          });
          if (r.status === 201) acked.push(name);
          if (acked.length >= 25 && !killed) {
            killed = true;
            child!.proc.kill('SIGKILL');
          }
        } catch {
          /* connection cut by the kill */
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(killed).toBe(true);
    await child!.exited;

    child = startServer(dir, port);
    await waitReady(base);
    const list = (await (await fetch(`${base}/redfish/v1/AccountService/Accounts?$expand=.&$select=UserName`, { headers: auth })).json()) as {
      Members: { UserName: string }[];
    };
    const names = new Set(list.Members.map((m) => m.UserName));
    const lost = acked.filter((n) => !names.has(n));
    expect(acked.length).toBeGreaterThanOrEqual(25);
    expect(lost).toEqual([]);
    const task = (await (await fetch(`${base}${taskUri}`, { headers: auth })).json()) as { TaskState: string };
    expect(task.TaskState).toBe('Interrupted');
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    child = undefined;
  }, 120_000);
});
