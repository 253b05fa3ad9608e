/** Task states from the DMTF Task schema that Shoal uses. */
export type TaskState =
  | 'New'
  | 'Starting'
  | 'Running'
  | 'Pending'
  | 'Completed'
  | 'Exception'
  | 'Interrupted'
  | 'Cancelling'
  | 'Cancelled'
  | 'Killed';

export type Health = 'OK' | 'Warning' | 'Critical';

export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set([
  'Completed',
  'Exception',
  'Interrupted',
  'Cancelled',
  'Killed',
]);

/** A Redfish Message as stored with a task (MessageId already qualified with its registry). */
export interface TaskMessage {
  MessageId: string;
  Message: string;
  MessageArgs: string[];
  MessageSeverity: Health;
  Resolution?: string;
}

/** What the client asked for, kept for the Task's `Payload` property. */
export interface TaskRequest {
  method: string;
  targetUri: string;
  body?: unknown;
}

/** The final HTTP response a TaskMonitor returns once the task has ended. */
export interface TaskResult {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface TaskRecord {
  id: string;
  kind: string;
  name: string;
  state: TaskState;
  status: Health;
  percent: number | null;
  messages: TaskMessage[];
  payload: unknown;
  request: TaskRequest;
  result: TaskResult | null;
  createdBy: string | null;
  startTime: number;
  endTime: number | null;
  resumable: boolean;
  attempts: number;
}
