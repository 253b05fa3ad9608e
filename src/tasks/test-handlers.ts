import type { TaskHandler } from './runner.js';

interface TestPayload {
  durationMs: number;
  fail: boolean;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason as Error)), { once: true });
  });
}

/**
 * Test-only tasks that exercise the runner's semantics before real actions exist: progress, success, failure,
 * cancellation, and restart (interrupt or resume).
 */
function make(kind: string, resumable: boolean): TaskHandler<TestPayload> {
  return {
    kind,
    resumable,
    async run({ payload, signal, progress }) {
      const steps = 10;
      for (let i = 1; i <= steps; i++) {
        await sleep(payload.durationMs / steps, signal);
        progress((i * 100) / steps);
      }
      if (payload.fail) return { status: 500, health: 'Critical' };
      const success = { MessageId: 'Base.1.22.Success', Message: 'The request completed successfully.', MessageArgs: [], MessageSeverity: 'OK', Resolution: 'None.' };
      return { status: 200, body: { '@Message.ExtendedInfo': [success] } };
    },
  };
}

export const testTaskHandlers = [make('test', false), make('test-resumable', true)];
