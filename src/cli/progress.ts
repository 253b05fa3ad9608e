/**
 * A progress display for long CLI operations, written to stderr only. On a terminal it is one bar redrawn in place
 * (`\r[#####.....] 45% 1234/2730 addresses, 12 found`), at most ten times a second, and wiped when done; elsewhere
 * (a pipe, a log file) it is a plain line each time another tenth of the work is done.
 */

/** Where progress goes: stderr, or anything shaped like it. */
export interface ProgressStream {
  write(chunk: string): unknown;
  /** True on a terminal (Node sets it on process.stderr). */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
}

export interface ProgressOptions {
  /** Cells of the bar. Default 30. */
  width?: number;
  /** Least time between two redraws on a terminal. Default 100 ms (10 per second). */
  minIntervalMs?: number;
  /** Prefix of the plain lines written when the stream is not a terminal. */
  label?: string;
  now?: () => number;
}

export class ProgressBar {
  private readonly tty: boolean;
  private readonly width: number;
  private readonly minIntervalMs: number;
  private readonly label: string;
  private readonly now: () => number;
  private lastDraw = -Infinity;
  /** Characters on the terminal line now (0 when nothing is shown). */
  private shown = 0;
  /** Last tenth written as a plain line. */
  private lastTenth = -1;
  private pending: { fraction: number; detail: string } | undefined;

  constructor(
    private readonly out: ProgressStream,
    opts: ProgressOptions = {},
  ) {
    this.tty = out.isTTY === true;
    this.width = opts.width ?? 30;
    this.minIntervalMs = opts.minIntervalMs ?? 100;
    this.label = opts.label ?? 'progress';
    this.now = opts.now ?? Date.now;
  }

  /** Reports `fraction` (0 to 1) done; `detail` follows the percentage, e.g. `1234/2730 addresses, 12 found`. */
  update(fraction: number, detail = ''): void {
    const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
    if (!this.tty) {
      const tenth = Math.floor(f * 10);
      if (tenth <= this.lastTenth) return;
      this.lastTenth = tenth;
      this.out.write(`${this.label}: ${percent(f)}%${detail ? ` ${detail}` : ''}\n`);
      return;
    }
    this.pending = { fraction: f, detail };
    const t = this.now();
    // The last step is always drawn, so the bar never stops short of what was done.
    if (t - this.lastDraw < this.minIntervalMs && f < 1) return;
    this.draw(t);
  }

  /** Wipes the bar from the terminal (nothing to do for plain lines). Call before printing results. */
  finish(): void {
    this.pending = undefined;
    if (!this.tty || this.shown === 0) return;
    this.out.write(`\r${' '.repeat(this.shown)}\r`);
    this.shown = 0;
  }

  private draw(t: number): void {
    const p = this.pending;
    if (!p) return;
    this.lastDraw = t;
    const filled = Math.round(p.fraction * this.width);
    let line = `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${percent(p.fraction)}%${p.detail ? ` ${p.detail}` : ''}`;
    // Never wrap: a wrapped line cannot be redrawn with a carriage return.
    const max = (this.out.columns ?? 0) > 1 ? this.out.columns! - 1 : Infinity;
    if (line.length > max) line = line.slice(0, max);
    const pad = this.shown > line.length ? ' '.repeat(this.shown - line.length) : '';
    this.out.write(`\r${line}${pad}`);
    this.shown = line.length;
  }
}

function percent(f: number): number {
  return Math.floor(f * 100);
}
