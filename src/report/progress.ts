// The live progress line on stderr for a person at a terminal: done/total, how the finished hosts
// went, hosts in flight, rate and ETA. Repainted at most every `intervalMs` (default 100 ms: ~10
// times a second) and once a second while nothing finishes, cleared at the end so the report is
// left alone on the screen. The CLI only creates it when stderr is a TTY and --quiet is not given.
import { AUDITED_STATUSES, type HostResult } from '../model/report.js';
import type { Reporter, Sink } from './reporter.js';

export interface ProgressOptions {
  /** terminal width; the line is cut to fit one row (default 80) */
  columns?: number | undefined;
  /** minimum time between repaints, ms (default 100) */
  intervalMs?: number;
  /** clock, ms (default Date.now) */
  now?: () => number;
}

const CLEAR = '\r\x1b[2K';

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '?';
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export class ProgressReporter implements Reporter {
  private total = 0;
  private done = 0;
  private compliant = 0;
  private noncompliant = 0;
  private failed = 0;
  private readonly inFlight = new Set<string>();
  private startedAt = 0;
  private lastPaint = -Infinity;
  /** no repaint before this time: output on another stream is still reaching the terminal */
  private holdUntil = -Infinity;
  private shown = false;
  private ended = false;
  private pending: ReturnType<typeof setTimeout> | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private readonly now: () => number;
  private readonly intervalMs: number;

  constructor(
    private readonly sink: Sink,
    private readonly opts: ProgressOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.intervalMs = opts.intervalMs ?? 100;
  }

  onRunStart(info: { total: number }): void {
    this.total = info.total;
    this.startedAt = this.now();
    // elapsed time and ETA move even while every host in flight is slow
    this.ticker = setInterval(() => this.schedule(), 1000);
    this.ticker.unref?.();
    this.schedule();
  }

  onHostStart(target: { name: string }): void {
    this.inFlight.add(target.name);
    this.schedule();
  }

  onHostResult(result: HostResult, progress: { done: number; total: number }): void {
    this.inFlight.delete(result.name);
    this.done = progress.done;
    this.total = progress.total;
    if (result.status === 'compliant') this.compliant += 1;
    else if (result.status === 'noncompliant') this.noncompliant += 1;
    else if (!AUDITED_STATUSES.has(result.status)) this.failed += 1;
    this.schedule();
  }

  onRunEnd(): void {
    this.ended = true;
    if (this.pending) clearTimeout(this.pending);
    if (this.ticker) clearInterval(this.ticker);
    this.pending = this.ticker = null;
    this.clear();
  }

  /** The line as it would be painted now: progress and timing first (they survive a narrow terminal), outcomes after. */
  line(): string {
    const elapsed = (this.now() - this.startedAt) / 1000;
    const width = String(this.total).length;
    const head = [`vmsnap ${String(this.done).padStart(width)}/${this.total} done`, `${this.inFlight.size} in flight`];
    if (this.done > 0 && elapsed > 0) {
      const rate = this.done / elapsed;
      head.push(`${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)} hosts/s`);
      head.push(this.done < this.total ? `ETA ${formatDuration((this.total - this.done) / rate)}` : `${formatDuration(elapsed)} elapsed`);
    } else {
      head.push(`${formatDuration(elapsed)} elapsed`);
    }
    const text = `${head.join(', ')} | ${this.compliant} compliant, ${this.noncompliant} noncompliant, ${this.failed} failed`;
    const max = Math.max(20, (this.opts.columns ?? 80) - 1);
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  /**
   * A sink for another stream that may reach the same terminal: the progress line is cleared before
   * the chunk is written and repainted after, so the two never mix on one row. `holdMs`: repaint no
   * sooner than this after the write, for a stream that reaches the terminal later through another
   * program (`vmsnap ... --format jsonl | jq`).
   */
  wrap(inner: Sink, opts: { holdMs?: number } = {}): Sink {
    return {
      write: (chunk: string) => {
        this.clear();
        inner.write(chunk);
        if (opts.holdMs) this.holdUntil = this.now() + opts.holdMs;
        if (!this.ended) this.schedule();
      },
    };
  }

  private schedule(): void {
    if (this.ended) return;
    const wait = Math.max(this.lastPaint + this.intervalMs, this.holdUntil) - this.now();
    if (wait <= 0) {
      this.paint();
      return;
    }
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.schedule();
    }, wait);
    this.pending.unref?.();
  }

  private paint(): void {
    if (this.ended) return;
    this.lastPaint = this.now();
    this.sink.write(CLEAR + this.line());
    this.shown = true;
  }

  private clear(): void {
    if (!this.shown) return;
    this.sink.write(CLEAR);
    this.shown = false;
  }
}
