import type { Health, TaskMessage, TaskRecord, TaskRequest, TaskResult, TaskState } from '../model/task.js';
import { prep, type Db } from './db.js';

interface Row {
  id: number;
  kind: string;
  name: string;
  state: string;
  status: string;
  percent: number | null;
  messages: string;
  payload: string;
  request: string;
  result: string | null;
  created_by: string | null;
  start_time: number;
  end_time: number | null;
  resumable: number;
  attempts: number;
}

const toTask = (r: Row): TaskRecord => ({
  id: String(r.id),
  kind: r.kind,
  name: r.name,
  state: r.state as TaskState,
  status: r.status as Health,
  percent: r.percent,
  messages: JSON.parse(r.messages) as TaskMessage[],
  payload: JSON.parse(r.payload) as unknown,
  request: JSON.parse(r.request) as TaskRequest,
  result: r.result ? (JSON.parse(r.result) as TaskResult) : null,
  createdBy: r.created_by,
  startTime: r.start_time,
  endTime: r.end_time,
  resumable: r.resumable === 1,
  attempts: r.attempts,
});

export type NewTask = Pick<TaskRecord, 'kind' | 'name' | 'payload' | 'request' | 'createdBy' | 'resumable'>;

/** Durable task rows: a task is written here before any work for it starts. */
export class TasksRepo {
  constructor(private readonly db: Db) {}

  create(t: NewTask): TaskRecord {
    const info = prep(this.db, 
        `INSERT INTO tasks (kind, name, state, status, percent, payload, request, created_by, start_time, resumable)
         VALUES (?, ?, 'New', 'OK', 0, ?, ?, ?, ?, ?)`,
      )
      .run(t.kind, t.name, JSON.stringify(t.payload ?? {}), JSON.stringify(t.request), t.createdBy, Date.now(), t.resumable ? 1 : 0);
    return this.get(String(info.lastInsertRowid))!;
  }

  get(id: string): TaskRecord | undefined {
    if (!/^\d+$/.test(id)) return undefined;
    const r = prep(this.db, 'SELECT * FROM tasks WHERE id = ?').get(Number(id)) as Row | undefined;
    return r && toTask(r);
  }

  list(): TaskRecord[] {
    return (prep(this.db, 'SELECT * FROM tasks ORDER BY id').all() as Row[]).map(toTask);
  }

  /** Tasks that were not finished when the service last stopped. */
  unfinished(): TaskRecord[] {
    return (
      prep(this.db, `SELECT * FROM tasks WHERE state IN ('New','Starting','Running','Pending','Cancelling') ORDER BY id`)
        .all() as Row[]
    ).map(toTask);
  }

  update(
    id: string,
    patch: Partial<Pick<TaskRecord, 'state' | 'status' | 'percent' | 'messages' | 'result' | 'endTime' | 'attempts'>>,
  ): void {
    const cols: [keyof typeof patch, string, (v: unknown) => unknown][] = [
      ['state', 'state', (v) => v],
      ['status', 'status', (v) => v],
      ['percent', 'percent', (v) => v],
      ['messages', 'messages', (v) => JSON.stringify(v)],
      ['result', 'result', (v) => (v === null ? null : JSON.stringify(v))],
      ['endTime', 'end_time', (v) => v],
      ['attempts', 'attempts', (v) => v],
    ];
    const sets: string[] = [];
    const vals: unknown[] = [];
    for (const [key, col, enc] of cols) {
      if (patch[key] === undefined) continue;
      sets.push(`${col} = ?`);
      vals.push(enc(patch[key]));
    }
    if (sets.length) prep(this.db, `UPDATE tasks SET ${sets.join(', ')} WHERE id = ?`).run(...vals, Number(id));
  }

  delete(id: string): boolean {
    return prep(this.db, 'DELETE FROM tasks WHERE id = ?').run(Number(id)).changes > 0;
  }

  /** Deletes ended tasks whose end time is older than `before` (ms since epoch); returns their ids. */
  deleteEndedBefore(before: number): string[] {
    const rows = prep(this.db, `SELECT id FROM tasks WHERE end_time IS NOT NULL AND end_time < ?`)
      .all(before) as { id: number }[];
    const del = prep(this.db, 'DELETE FROM tasks WHERE id = ?');
    this.db.transaction(() => rows.forEach((r) => del.run(r.id)))();
    return rows.map((r) => String(r.id));
  }
}
