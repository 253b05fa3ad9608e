/**
 * How the driver runs ipmitool: always through the runtime's {@link CommandRunner} (argument array, no shell, under
 * the endpoint's queue, timeout, retries and breaker), always over RMCP+ with an explicit cipher suite, and always
 * with the password in the environment, never on the command line where `ps` would show it.
 */
import { DriverError, type CommandRunner } from '../api.js';

/** Where and as whom to talk to one BMC. */
export interface IpmiTarget {
  host: string;
  port: number;
  username: string;
  password: string;
}

/**
 * Failure text ipmitool prints with `-v` when RAKP authentication fails. Without `-v` a wrong password and a dead BMC
 * both end in "Unable to establish IPMI v2 / RMCP+ session", so only the verbose login check can tell them apart.
 */
const AUTH_FAILURE = /HMAC is invalid|unauthori[sz]ed (name|role)|invalid (role|user ?name|password)/i;

/** A thin ipmitool front end for one endpoint. */
export class Ipmitool {
  constructor(
    private readonly exec: CommandRunner,
    private readonly target: IpmiTarget,
    /** Timeout for long reads (a full SEL over LAN is one round trip per record). */
    private readonly longTimeoutMs: number,
  ) {}

  /**
   * The connection options. `-C 3` because without an explicit cipher suite ipmitool first spends ~10 s on
   * discovery; `-R 1 -N 1` because the runtime already retries idempotent calls with backoff, and ipmitool's own
   * default of 4 retries would keep a dead BMC's caller waiting ~20 s per attempt.
   */
  private args(extra: readonly string[]): string[] {
    const t = this.target;
    return ['-I', 'lanplus', '-C', '3', '-H', t.host, '-p', String(t.port), '-U', t.username, '-E', '-R', '1', '-N', '1', ...extra];
  }

  private async run(args: readonly string[], opts: { idempotent: boolean; signal?: AbortSignal; timeoutMs?: number }): Promise<{ stdout: string; stderr: string }> {
    try {
      return await this.exec.run('ipmitool', this.args(args), {
        // TZ: the runner replaces the environment, and SEL times must print in a zone the parser knows.
        env: { IPMI_PASSWORD: this.target.password, TZ: 'UTC' },
        idempotent: opts.idempotent,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      });
    } catch (e) {
      if (e instanceof DriverError && e.code !== 'AuthenticationFailed' && AUTH_FAILURE.test(e.message)) {
        throw new DriverError('AuthenticationFailed', `${this.target.host}: the BMC refused the user name or password`, { cause: e });
      }
      throw e;
    }
  }

  /** A read: safe to repeat, so the runtime retries it on a transient failure. */
  async read(args: readonly string[], signal?: AbortSignal, opts: { long?: boolean } = {}): Promise<string> {
    const out = await this.run(args, { idempotent: true, signal, ...(opts.long ? { timeoutMs: this.longTimeoutMs } : {}) });
    return out.stdout;
  }

  /**
   * A change (power, boot device): never repeated, since a repeated `power cycle` is a second cycle. Some ipmitool
   * commands report a refused change on stderr and still exit 0 (`chassis bootdev` does); `failText` catches those.
   */
  async write(args: readonly string[], signal?: AbortSignal, failText?: RegExp): Promise<string> {
    const out = await this.run(args, { idempotent: false, signal });
    const complaint = out.stderr.trim();
    if (failText && failText.test(complaint)) {
      throw new DriverError('Rejected', `ipmitool ${args.join(' ')}: ${complaint.split('\n').slice(-1)[0]}`);
    }
    return out.stdout;
  }

  /**
   * Opens one RMCP+ session with `-v` to learn whether the credentials work: a wrong password becomes
   * `AuthenticationFailed` instead of looking like a dead device. Not retried, because BMCs lock accounts out after
   * a few failed logins. Returns the power status text, which the caller may use.
   */
  async login(signal?: AbortSignal): Promise<string> {
    const out = await this.run(['-v', 'chassis', 'power', 'status'], { idempotent: false, signal });
    return out.stdout;
  }
}
