import { execFile } from 'node:child_process';
import { DriverError, type CommandRunner } from '../api.js';
import type { EndpointGuard } from './guard.js';

/** Program output is small (ipmitool, snmp tools); a runaway child is cut off rather than buffered without limit. */
const MAX_OUTPUT = 8 * 1024 * 1024;

/**
 * Runs programs with an argument array and no shell, under the endpoint's guard. The environment is replaced, not
 * inherited, apart from PATH and locale, so that secrets passed through it (IPMI_PASSWORD) reach only that child.
 */
export function commandRunner(guard: EndpointGuard): CommandRunner {
  return {
    run(file, args, opts = {}) {
      return guard.run(
        (signal) =>
          new Promise((resolve, reject) => {
            execFile(
              file,
              [...args],
              {
                signal,
                maxBuffer: MAX_OUTPUT,
                windowsHide: true,
                env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C', ...opts.env },
              },
              (err, stdout, stderr) => {
                if (!err) return resolve({ stdout, stderr });
                if (signal.aborted) return reject(err);
                const code = (err as { code?: unknown }).code;
                if (code === 'ENOENT') return reject(new DriverError('NotSupported', `${file} is not installed`, { cause: err }));
                reject(classifyExit(file, stderr || err.message, err));
              },
            );
          }),
        { idempotent: opts.idempotent ?? false, timeoutMs: opts.timeoutMs, signal: opts.signal },
      );
    },
  };
}

/** Tools print why they failed; a few phrases mean the device did not answer at all. */
function classifyExit(file: string, stderr: string, cause: unknown): DriverError {
  const text = stderr.trim().split('\n').slice(-3).join(' ');
  // Authentication first: ipmitool prints "Unable to establish ... session" for a bad password too, and counting a
  // bad password as a dead device would open the breaker and, through retries, lock the BMC account.
  if (/HMAC is invalid|unauthorized name|invalid role|password|authenticat|unauthori[sz]ed|invalid user/i.test(text)) {
    return new DriverError('AuthenticationFailed', `${file}: ${text}`, { cause });
  }
  if (/unable to establish|no response|timeout|timed out|connection refused|insufficient resources for session/i.test(text)) {
    return new DriverError('Unavailable', `${file}: ${text}`, { cause });
  }
  return new DriverError('Rejected', `${file}: ${text}`, { cause });
}
