import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { build, type Shoal } from '../../src/app.js';
import { ADMIN_PASSWORD, basic, testApp } from '../support/app.js';

const ACTION = '/redfish/v1/TaskService/Actions/Oem/ShoalTaskService.TestTask';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await sleep(20);
  }
}

describe('TaskService: durable tasks and task monitors', () => {
  const open: Shoal[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const app = async () => {
    const s = await testApp();
    open.push(s);
    return s;
  };
  const onDisk = async (dir: string) =>
    build({ dataDir: dir, tls: { enabled: false }, testActions: true, adminPassword: ADMIN_PASSWORD }, { logger: false });

  it('answers a long action with 202, a TaskMonitor Location and Retry-After, then the final response', async () => {
    const s = await app();
    const r = await s.app.inject({ method: 'POST', url: ACTION, headers: basic(), payload: { DurationMs: 300 } });
    expect(r.statusCode).toBe(202);
    const mon = r.headers.location as string;
    expect(mon).toMatch(/^\/redfish\/v1\/TaskService\/TaskMonitors\/\d+$/);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    const taskUri = r.json()['@odata.id'] as string;
    const running = await s.app.inject({ url: mon, headers: basic() });
    expect(running.statusCode).toBe(202);
    expect(running.headers.location).toBe(mon);
    const done = await until(() => s.app.inject({ url: mon, headers: basic() }), (x) => x.statusCode !== 202);
    expect(done.statusCode).toBe(200);
    expect(done.json()['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.22.Success');
    const task = (await s.app.inject({ url: taskUri, headers: basic() })).json();
    expect(task).toMatchObject({ TaskState: 'Completed', TaskStatus: 'OK', PercentComplete: 100, TaskMonitor: mon });
    expect(task.Messages.map((m: { MessageId: string }) => m.MessageId)).toEqual(['TaskEvent.1.0.TaskStarted', 'TaskEvent.1.0.TaskCompletedOK']);
    expect(task.Payload).toMatchObject({ HttpOperation: 'POST', TargetUri: ACTION });
    // Deleting the task makes its monitor go away.
    expect((await s.app.inject({ method: 'DELETE', url: taskUri, headers: basic() })).statusCode).toBe(204);
    expect((await s.app.inject({ url: mon, headers: basic() })).statusCode).toBe(404);
  });

  it('reports progress while running and ends a failing task as Exception', async () => {
    const s = await app();
    const r = await s.app.inject({ method: 'POST', url: ACTION, headers: basic(), payload: { DurationMs: 400, Fail: true } });
    const uri = r.json()['@odata.id'] as string;
    const mid = await until(() => s.app.inject({ url: uri, headers: basic() }), (x) => (x.json().PercentComplete ?? 0) > 0);
    expect(mid.json().TaskState).toBe('Running');
    const end = await until(() => s.app.inject({ url: uri, headers: basic() }), (x) => x.json().TaskState !== 'Running');
    expect(end.json()).toMatchObject({ TaskState: 'Exception', TaskStatus: 'Critical' });
    const mon = await s.app.inject({ url: r.headers.location as string, headers: basic() });
    expect(mon.statusCode).toBe(500);
    expect(mon.json().error['@Message.ExtendedInfo'].length).toBeGreaterThan(0);
  });

  it('cancels a running task when its monitor is deleted', async () => {
    const s = await app();
    const r = await s.app.inject({ method: 'POST', url: ACTION, headers: basic(), payload: { DurationMs: 5000 } });
    await sleep(50);
    expect((await s.app.inject({ method: 'DELETE', url: r.headers.location as string, headers: basic() })).statusCode).toBe(202);
    const t = await until(() => s.app.inject({ url: r.json()['@odata.id'], headers: basic() }), (x) => x.json().TaskState === 'Cancelled');
    expect(t.json().TaskState).toBe('Cancelled');
  });

  it('validates action parameters', async () => {
    const s = await app();
    const r = await s.app.inject({ method: 'POST', url: ACTION, headers: basic(), payload: { Fail: 'yes', Extra: 1 } });
    expect(r.statusCode).toBe(400);
    const ids = r.json().error['@Message.ExtendedInfo'].map((m: { MessageId: string }) => m.MessageId).sort();
    expect(ids).toEqual(['Base.1.22.ActionParameterMissing', 'Base.1.22.ActionParameterUnknown', 'Base.1.22.ActionParameterValueTypeError']);
  });

  it('after a restart, ends an unfinished task as Interrupted and resumes a resumable one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-tasks-'));
    dirs.push(dir);
    const a = await onDisk(dir);
    const plain = await a.app.inject({ method: 'POST', url: ACTION, headers: basic(), payload: { DurationMs: 10_000 } });
    const resumable = await a.app.inject({ method: 'POST', url: ACTION, headers: basic(), payload: { DurationMs: 400, Resumable: true } });
    await sleep(100);
    await a.close();

    const b = await onDisk(dir);
    open.push(b);
    const p = (await b.app.inject({ url: plain.json()['@odata.id'], headers: basic() })).json();
    expect(p.TaskState).toBe('Interrupted');
    expect(p.Messages.map((m: { MessageId: string }) => m.MessageId)).toContain('TaskEvent.1.0.TaskAborted');
    const done = await until(
      () => b.app.inject({ url: resumable.json()['@odata.id'], headers: basic() }),
      (x) => x.json().TaskState === 'Completed',
    );
    expect(done.json().TaskState).toBe('Completed');
    expect((await b.app.inject({ url: resumable.headers.location as string, headers: basic() })).statusCode).toBe(200);
  });

  it('honours TaskAutoDeleteTimeoutMinutes', async () => {
    const s = await app();
    const p = await s.app.inject({ method: 'PATCH', url: '/redfish/v1/TaskService', headers: basic(), payload: { TaskAutoDeleteTimeoutMinutes: 1 } });
    expect(p.json().TaskAutoDeleteTimeoutMinutes).toBe(1);
    const r = await s.app.inject({ method: 'POST', url: ACTION, headers: basic(), payload: { DurationMs: 0 } });
    const id = r.json().Id as string;
    await until(async () => s.services.tasks.get(id)?.endTime, (x) => x !== null && x !== undefined);
    expect(s.services.tasks.sweep()).toEqual([]);
    const realNow = Date.now;
    Date.now = () => realNow() + 61_000;
    try {
      expect(s.services.tasks.sweep()).toEqual([id]);
    } finally {
      Date.now = realNow;
    }
    expect((await s.app.inject({ url: `/redfish/v1/TaskService/Tasks/${id}`, headers: basic() })).statusCode).toBe(404);
  });
});
