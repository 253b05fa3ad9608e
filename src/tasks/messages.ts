import type { TaskMessage } from '../model/task.js';

/** TaskEvent 1.0 messages (facts from the DMTF TaskEvent registry). */
const TASK_EVENTS = {
  TaskStarted: { text: 'The task with Id \'%1\' has started.', severity: 'OK' },
  TaskCompletedOK: { text: 'The task with Id \'%1\' has completed.', severity: 'OK' },
  TaskCompletedWarning: { text: 'The task with Id \'%1\' has completed with warnings.', severity: 'Warning' },
  TaskAborted: { text: 'The task with Id \'%1\' has completed with errors.', severity: 'Critical' },
  TaskCancelled: { text: 'Work on the task with Id \'%1\' was halted prior to completion due to an explicit request.', severity: 'Warning' },
  TaskRemoved: { text: 'The task with Id \'%1\' was removed.', severity: 'Warning' },
} as const;

export const TASK_EVENT_REGISTRY = 'TaskEvent.1.0';

export type TaskEventId = keyof typeof TASK_EVENTS;

export function taskEvent(id: TaskEventId, args: string[]): TaskMessage {
  const def = TASK_EVENTS[id];
  return {
    MessageId: `${TASK_EVENT_REGISTRY}.${id}`,
    Message: def.text.replace(/%(\d+)/g, (_, n: string) => args[Number(n) - 1] ?? ''),
    MessageArgs: args,
    MessageSeverity: def.severity,
  };
}

export const TASK_EVENT_TEXTS = TASK_EVENTS;
