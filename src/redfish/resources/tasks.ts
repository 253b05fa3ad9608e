import type { TaskRecord } from '../../model/task.js';
import { RedfishError } from '../errors.js';
import { collection, isoTime, link, ROOT, TYPES, type Json } from '../odata.js';
import type { RawReply, RequestContext, ResourceDef } from '../types.js';

const SVC = `${ROOT}/TaskService`;
const TASKS = `${SVC}/Tasks`;
export const MONITORS = `${SVC}/TaskMonitors`;

/** Seconds a client should wait before polling a running task again. */
export const RETRY_AFTER_SECONDS = 1;

export function buildTask(t: TaskRecord): Json {
  const body: Json = {
    '@odata.id': `${TASKS}/${t.id}`,
    '@odata.type': TYPES.Task,
    Id: t.id,
    Name: t.name,
    TaskState: t.state,
    TaskStatus: t.status,
    StartTime: isoTime(t.startTime),
    Messages: t.messages,
    TaskMonitor: `${MONITORS}/${t.id}`,
    HidePayload: false,
    Payload: {
      HttpOperation: t.request.method,
      TargetUri: t.request.targetUri,
      JsonBody: t.request.body === undefined ? '' : JSON.stringify(t.request.body),
      HttpHeaders: [],
    },
  };
  if (t.percent !== null) body.PercentComplete = t.percent;
  if (t.endTime !== null) body.EndTime = isoTime(t.endTime);
  return body;
}

function findTask(ctx: RequestContext, id = ctx.params.taskId ?? ''): TaskRecord {
  const t = ctx.services.tasks.get(id);
  if (!t) throw RedfishError.of(404, 'ResourceNotFound', ['Task', id]);
  return t;
}

/** The 202 answer for a long action: Location is the TaskMonitor; the body is the Task. */
export function accepted(t: TaskRecord): { status: number; body: Json; headers: Record<string, string> } {
  return {
    status: 202,
    body: buildTask(t),
    headers: { Location: `${MONITORS}/${t.id}`, 'Retry-After': String(RETRY_AFTER_SECONDS) },
  };
}

/**
 * A TaskMonitor answers 202 while the task runs and the operation's own response once it has ended; after the
 * task is deleted it is gone (404).
 */
function monitor(ctx: RequestContext): RawReply {
  const t = ctx.services.tasks.get(ctx.params.taskId ?? '');
  if (!t) throw RedfishError.of(404, 'ResourceNotFound', ['TaskMonitor', ctx.params.taskId ?? '']);
  if (t.endTime === null || !t.result) return accepted(t);
  const r: RawReply = { status: t.result.status };
  if (t.result.headers) r.headers = t.result.headers;
  if (t.result.body !== undefined) r.body = t.result.body;
  else if (t.result.status >= 400) {
    r.body = { error: { code: t.messages.at(-1)?.MessageId ?? 'Base.1.22.GeneralError', message: t.messages.at(-1)?.Message ?? 'The task failed.', '@Message.ExtendedInfo': t.messages } };
  }
  return r;
}

export const taskResources: ResourceDef[] = [
  {
    path: SVC,
    entity: 'TaskService',
    get: (ctx) => ({
      '@odata.id': SVC,
      '@odata.type': TYPES.TaskService,
      Id: 'TaskService',
      Name: 'Task Service',
      ServiceEnabled: true,
      CompletedTaskOverWritePolicy: 'Oldest',
      LifeCycleEventOnTaskStateChange: false,
      TaskAutoDeleteTimeoutMinutes: ctx.services.tasks.autoDeleteMinutes(),
      Tasks: link(TASKS),
      Status: { State: 'Enabled', Health: 'OK' },
    }),
    patch: {
      props: { TaskAutoDeleteTimeoutMinutes: { type: 'integer', min: 1, max: 525600 } },
      apply: (ctx, v) => ctx.services.tasks.setAutoDeleteMinutes(v.TaskAutoDeleteTimeoutMinutes as number),
    },
  },
  {
    path: TASKS,
    entity: 'TaskCollection',
    collection: true,
    get: (ctx) => collection('TaskCollection', TASKS, 'Task Collection', ctx.services.tasks.list().map((t) => `${TASKS}/${t.id}`)),
  },
  {
    path: `${TASKS}/:taskId`,
    entity: 'Task',
    get: (ctx) => buildTask(findTask(ctx)),
    delete: async (ctx) => {
      const t = findTask(ctx);
      await ctx.services.tasks.delete(t.id);
      return { status: 204 };
    },
  },
  {
    path: `${MONITORS}/:taskId`,
    entity: 'Task',
    raw: true,
    get: (ctx) => monitor(ctx) as unknown as Json,
    // DSP0266: a DELETE on the task monitor cancels the operation.
    delete: (ctx) => {
      const t = findTask(ctx);
      if (!ctx.services.tasks.cancel(t.id)) throw RedfishError.of(409, 'ResourceInUse');
      return { status: 202, headers: { Location: `${MONITORS}/${t.id}`, 'Retry-After': String(RETRY_AFTER_SECONDS) } };
    },
  },
];

/** The hidden test action (only with `testActions`): a task that sleeps, reports progress, and can fail. */
export const testTaskResource: ResourceDef = {
  path: `${SVC}/Actions/Oem/ShoalTaskService.TestTask`,
  entity: 'TaskService',
  action: {
    name: '#ShoalTaskService.TestTask',
    parameters: {
      DurationMs: { type: 'integer', min: 0, max: 600_000, required: true },
      Resumable: { type: 'boolean' },
      Fail: { type: 'boolean' },
    },
    run: (ctx, p) => {
      const kind = p.Resumable ? 'test-resumable' : 'test';
      const t = ctx.services.tasks.submit(kind, { durationMs: p.DurationMs, fail: p.Fail === true }, {
        name: 'Test task',
        request: { method: 'POST', targetUri: testTaskResource.path, body: p },
        createdBy: ctx.principal?.username ?? null,
      });
      return accepted(t);
    },
  },
};
