import type { FastifyBaseLogger } from 'fastify';
import { TERMINAL_TASK_STATES, type Health, type TaskMessage, type TaskRecord, type TaskRequest, type TaskResult } from '../model/task.js';
import type { Store } from '../store/index.js';
import { taskEvent } from './messages.js';

const AUTO_DELETE_KEY = 'task-auto-delete-minutes';

/** What a handler gets while it runs. */
export interface TaskRunContext<P> {
  task: TaskRecord;
  payload: P;
  /** Aborted when the service stops or the task is cancelled. */
  signal: AbortSignal;
  /** Records progress (0..100). Persisted, throttled to one write per percent step. */
  progress(percent: number): void;
  /** Appends a message to the task. */
  message(m: TaskMessage): void;
}

/** A kind of long-running work. `resumable` handlers are re-run after a restart; the rest end as Interrupted. */
export interface TaskHandler<P = unknown> {
  kind: string;
  resumable: boolean;
  run(ctx: TaskRunContext<P>): Promise<TaskOutcome>;
}

/** How a handler ended: the HTTP response the TaskMonitor will return, and the task's final health. */
export interface TaskOutcome extends TaskResult {
  health?: Health;
  messages?: TaskMessage[];
}

export interface SubmitOptions {
  name: string;
  request: TaskRequest;
  createdBy: string | null;
}

/**
 * Runs tasks durably: a row is written before any work starts, every state change is written before it is
 * reported, and unfinished rows are settled at start-up (resumed, or ended as Interrupted with a message).
 */
export class TaskRunner {
  private readonly handlers = new Map<string, TaskHandler<never>>();
  private readonly running = new Map<string, { ctrl: AbortController; done: Promise<void>; cancelled: boolean }>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
    private readonly defaultAutoDeleteMinutes: number,
  ) {}

  /** TaskAutoDeleteTimeoutMinutes: the configured default until a PATCH stores another value. */
  autoDeleteMinutes(): number {
    return this.store.settings.get<number>(AUTO_DELETE_KEY) ?? this.defaultAutoDeleteMinutes;
  }

  setAutoDeleteMinutes(minutes: number): void {
    this.store.settings.set(AUTO_DELETE_KEY, minutes);
  }

  register<P>(h: TaskHandler<P>): void {
    this.handlers.set(h.kind, h as TaskHandler<never>);
  }

  /** Settles what the last run left unfinished, and starts the auto-delete sweep. */
  start(): void {
    for (const t of this.store.tasks.unfinished()) {
      const h = this.handlers.get(t.kind);
      if (h?.resumable && t.state !== 'Cancelling') {
        this.log.info({ task: t.id, kind: t.kind }, 'resuming task after restart');
        this.launch(t, h);
      } else {
        const msg = taskEvent('TaskAborted', [t.id]);
        this.finish(t.id, 'Interrupted', 'Critical', {
          status: 500,
          body: undefined,
          messages: [
            msg,
            {
              MessageId: 'Base.1.22.ServiceShuttingDown',
              Message: 'The task was interrupted because the service stopped before it finished.',
              MessageArgs: [],
              MessageSeverity: 'Critical',
            },
          ],
        });
      }
    }
    this.sweepTimer = setInterval(() => this.sweep(), 30_000);
    this.sweepTimer.unref();
  }

  /** Persists a new task, then starts it. The returned record is already durable. */
  submit<P>(kind: string, payload: P, opts: SubmitOptions): TaskRecord {
    if (this.stopping) throw new Error('task runner is stopping');
    const h = this.handlers.get(kind);
    if (!h) throw new Error(`no task handler for kind ${kind}`);
    const t = this.store.tasks.create({
      kind,
      name: opts.name,
      payload,
      request: opts.request,
      createdBy: opts.createdBy,
      resumable: h.resumable,
    });
    this.launch(t, h);
    return this.store.tasks.get(t.id)!;
  }

  get(id: string): TaskRecord | undefined {
    return this.store.tasks.get(id);
  }

  list(): TaskRecord[] {
    return this.store.tasks.list();
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** Requests cancellation; the task ends as Cancelled once its handler returns. */
  cancel(id: string): boolean {
    const r = this.running.get(id);
    if (!r) return false;
    r.cancelled = true;
    this.store.tasks.update(id, { state: 'Cancelling' });
    r.ctrl.abort(new Error('cancelled'));
    return true;
  }

  /** Deletes a task; a running one is cancelled first. */
  async delete(id: string): Promise<boolean> {
    const r = this.running.get(id);
    if (r) {
      this.cancel(id);
      await r.done;
    }
    return this.store.tasks.delete(id);
  }

  /** Deletes ended tasks older than TaskAutoDeleteTimeoutMinutes. */
  sweep(): string[] {
    const removed = this.store.tasks.deleteEndedBefore(Date.now() - this.autoDeleteMinutes() * 60_000);
    if (removed.length) this.log.debug({ removed }, 'auto-deleted tasks');
    return removed;
  }

  /** Stops every running task. Resumable ones stay Running in the store so that the next start resumes them. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    const all = [...this.running.values()];
    for (const r of all) r.ctrl.abort(new Error('service stopping'));
    await Promise.all(all.map((r) => r.done));
  }

  private launch(t: TaskRecord, h: TaskHandler<never>): void {
    const ctrl = new AbortController();
    const entry = { ctrl, done: Promise.resolve(), cancelled: false };
    this.running.set(t.id, entry);
    entry.done = this.execute(t, h, ctrl.signal, entry).finally(() => this.running.delete(t.id));
  }

  private async execute(t: TaskRecord, h: TaskHandler<never>, signal: AbortSignal, entry: { cancelled: boolean }): Promise<void> {
    // Yield first so that submit() returns (and the client gets its 202) before the handler does any work.
    await new Promise((r) => setImmediate(r));
    const messages = [...t.messages];
    if (t.attempts === 0) messages.push(taskEvent('TaskStarted', [t.id]));
    this.store.tasks.update(t.id, { state: 'Running', attempts: t.attempts + 1, messages });
    let lastPercent = t.percent ?? 0;
    const ctx: TaskRunContext<never> = {
      task: t,
      payload: t.payload as never,
      signal,
      progress: (p) => {
        const pct = Math.max(0, Math.min(100, Math.floor(p)));
        if (pct === lastPercent || signal.aborted) return;
        lastPercent = pct;
        this.store.tasks.update(t.id, { percent: pct });
      },
      message: (m) => {
        messages.push(m);
        this.store.tasks.update(t.id, { messages });
      },
    };
    try {
      const out = await h.run(ctx);
      if (entry.cancelled) return this.finishCancelled(t.id, messages);
      if (signal.aborted && this.stopping) return this.onStopped(t, h, messages);
      const health = out.health ?? (out.status < 400 ? 'OK' : 'Critical');
      const state = out.status < 400 ? 'Completed' : 'Exception';
      const done = out.status < 400 ? taskEvent('TaskCompletedOK', [t.id]) : taskEvent('TaskAborted', [t.id]);
      this.finish(t.id, state, health, { ...out, messages: [...messages, ...(out.messages ?? []), done] });
    } catch (err) {
      if (entry.cancelled) return this.finishCancelled(t.id, messages);
      if (signal.aborted && this.stopping) return this.onStopped(t, h, messages);
      this.log.error({ err, task: t.id }, 'task failed');
      this.finish(t.id, 'Exception', 'Critical', {
        status: 500,
        messages: [...messages, taskEvent('TaskAborted', [t.id])],
      });
    }
  }

  private onStopped(t: TaskRecord, h: TaskHandler<never>, messages: TaskMessage[]): void {
    if (h.resumable) return; // left Running on purpose: start() resumes it
    this.finish(t.id, 'Interrupted', 'Critical', {
      status: 503,
      messages: [...messages, taskEvent('TaskAborted', [t.id])],
    });
  }

  private finishCancelled(id: string, messages: TaskMessage[]): void {
    this.finish(id, 'Cancelled', 'Warning', { status: 500, messages: [...messages, taskEvent('TaskCancelled', [id])] });
  }

  private finish(id: string, state: TaskRecord['state'], health: Health, out: TaskOutcome): void {
    if (!TERMINAL_TASK_STATES.has(state)) throw new Error(`not a terminal state: ${state}`);
    const result: TaskResult = { status: out.status };
    if (out.headers) result.headers = out.headers;
    if (out.body !== undefined) result.body = out.body;
    this.store.tasks.update(id, {
      state,
      status: health,
      percent: state === 'Completed' ? 100 : undefined,
      messages: out.messages ?? [],
      result,
      endTime: Date.now(),
    });
  }
}
