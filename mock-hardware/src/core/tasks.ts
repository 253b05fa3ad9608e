import type { Severity } from './messages.js';
import { message } from './messages.js';

export type TaskState = 'New' | 'Running' | 'Completed' | 'Exception' | 'Killed' | 'Cancelled';

export interface Task {
  id: string;
  name: string;
  state: TaskState;
  status: Severity;
  percent: number;
  start: number;
  end?: number;
  messages: Record<string, unknown>[];
  /** The request that started the task, echoed in `Payload`. */
  payload?: { uri: string; method: string; body?: string };
}

/** In-memory task list of one BMC. Like bmcweb's, it is bounded and vanishes when the BMC reboots. */
export class TaskStore {
  private readonly tasks = new Map<string, Task>();
  private nextId = 0;

  constructor(
    private readonly now: () => number,
    private readonly onEvent: (messageId: string, args: string[], severity: Severity, task: Task) => void,
    readonly max = 64,
  ) {}

  create(name: string, payload?: Task['payload']): Task {
    const t: Task = { id: String(this.nextId++), name, state: 'Running', status: 'OK', percent: 0, start: this.now(), messages: [] };
    if (payload) t.payload = payload;
    this.tasks.set(t.id, t);
    while (this.tasks.size > this.max) {
      const oldest = [...this.tasks.values()].find((x) => x.state !== 'Running');
      if (!oldest) break;
      this.tasks.delete(oldest.id);
    }
    t.messages.push(message('TaskEvent.1.0.TaskStarted', [t.id]));
    this.onEvent('TaskEvent.1.0.TaskStarted', [t.id], 'OK', t);
    return t;
  }

  progress(t: Task, percent: number, msg?: Record<string, unknown>): void {
    if (t.state !== 'Running') return;
    const p = Math.max(t.percent, Math.min(100, Math.floor(percent)));
    if (msg) t.messages.push(msg);
    if (p !== t.percent) {
      t.percent = p;
      this.onEvent('TaskEvent.1.0.TaskProgressChanged', [t.id, String(p)], 'OK', t);
    }
  }

  complete(t: Task, msg?: Record<string, unknown>): void {
    if (t.state !== 'Running') return;
    t.state = 'Completed';
    t.percent = 100;
    t.end = this.now();
    if (msg) t.messages.push(msg);
    t.messages.push(message('TaskEvent.1.0.TaskCompletedOK', [t.id]));
    this.onEvent('TaskEvent.1.0.TaskCompletedOK', [t.id], 'OK', t);
  }

  fail(t: Task, msg: Record<string, unknown>): void {
    if (t.state !== 'Running') return;
    t.state = 'Exception';
    t.status = 'Critical';
    t.end = this.now();
    t.messages.push(msg);
    t.messages.push(message('TaskEvent.1.0.TaskAborted', [t.id], 'Critical'));
    this.onEvent('TaskEvent.1.0.TaskAborted', [t.id], 'Critical', t);
  }

  get(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  list(): Task[] {
    return [...this.tasks.values()];
  }

  /** BMC reboot: running tasks die with the BMC's memory. */
  clear(): void {
    for (const t of this.tasks.values()) if (t.state === 'Running') t.state = 'Killed';
    this.tasks.clear();
  }
}
