import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatDuration, ProgressReporter } from '../../src/report/progress.js';
import { host, MemorySink } from './fixtures.js';

const CLEAR = '\r\x1b[2K';

describe('ProgressReporter', () => {
  // fake timers move the clock (Date.now) and fire timers together
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => vi.useRealTimers());

  const now = () => Date.now();
  const advance = (ms: number) => vi.advanceTimersByTime(ms);

  it('shows done/total, outcomes, in flight, rate and ETA on one line', () => {
    const sink = new MemorySink();
    const p = new ProgressReporter(sink, { now, columns: 200 });
    p.onRunStart({ total: 10 });
    for (const n of ['a', 'b', 'c']) p.onHostStart({ name: n });
    advance(2000);
    p.onHostResult(host('a', 'compliant'), { done: 1, total: 10 });
    p.onHostResult(host('b', 'noncompliant'), { done: 2, total: 10 });
    p.onHostResult(host('c', 'unreachable'), { done: 3, total: 10 });
    advance(1000);
    const line = p.line();
    expect(line).toBe('vmsnap  3/10 done, 0 in flight, 1.0 hosts/s, ETA 7s | 1 compliant, 1 noncompliant, 1 failed');
    expect(sink.chunks.every((c) => c.startsWith(CLEAR))).toBe(true);
    expect(sink.text).not.toContain('\n'); // one live line, never scrolling
  });

  it('repaints at most every 100 ms however fast hosts finish, and catches up after', () => {
    const sink = new MemorySink();
    const p = new ProgressReporter(sink, { now });
    p.onRunStart({ total: 1000 });
    const first = sink.chunks.length;
    for (let i = 1; i <= 1000; i++) {
      p.onHostStart({ name: `h${i}` });
      p.onHostResult(host(`h${i}`, 'compliant'), { done: i, total: 1000 });
      if (i % 10 === 0) advance(1); // 1000 hosts in 100 ms
    }
    advance(200);
    const paints = sink.chunks.length - first;
    expect(paints).toBeGreaterThanOrEqual(1);
    expect(paints).toBeLessThanOrEqual(4); // ~10 a second at most
    expect(sink.chunks[sink.chunks.length - 1]).toContain('1000/1000 done'); // the trailing repaint shows the latest state
  });

  it('ticks once a second while nothing finishes, and clears the line at the end, then stays silent', () => {
    const sink = new MemorySink();
    const p = new ProgressReporter(sink, { now });
    p.onRunStart({ total: 2 });
    p.onHostStart({ name: 'slow' });
    advance(150); // the host start's own (throttled) repaint
    const before = sink.chunks.length;
    advance(3000);
    expect(sink.chunks.length - before).toBe(3);
    expect(sink.chunks[sink.chunks.length - 1]).toContain('1 in flight');
    expect(sink.chunks[sink.chunks.length - 1]).toContain('3s elapsed');
    p.onRunEnd();
    expect(sink.chunks[sink.chunks.length - 1]).toBe(CLEAR);
    const after = sink.chunks.length;
    advance(5000);
    p.onHostResult(host('slow', 'compliant'), { done: 1, total: 2 });
    expect(sink.chunks.length).toBe(after);
  });

  it('fits the terminal width', () => {
    const p = new ProgressReporter(new MemorySink(), { now, columns: 40 });
    p.onRunStart({ total: 100000 });
    expect(p.line().length).toBeLessThanOrEqual(39);
    p.onRunEnd();
  });

  it('clears itself around writes to another stream on the same terminal', () => {
    const term: string[] = [];
    const p = new ProgressReporter({ write: (s) => void term.push(`ERR:${s}`) }, { now });
    const out = p.wrap({ write: (s) => void term.push(`OUT:${s}`) });
    p.onRunStart({ total: 2 });
    out.write('{"type":"host"}\n');
    expect(term.slice(-2)).toEqual([`ERR:${CLEAR}`, 'OUT:{"type":"host"}\n']);
    advance(150);
    expect(term[term.length - 1]!.startsWith(`ERR:${CLEAR}vmsnap 0/2 done`)).toBe(true); // repainted after
    p.onRunEnd();
  });

  it('through a pipe, waits before repainting so the other program prints its line first', () => {
    const term: string[] = [];
    const p = new ProgressReporter({ write: (s) => void term.push(`ERR:${s}`) }, { now });
    const out = p.wrap({ write: (s) => void term.push(`OUT:${s}`) }, { holdMs: 250 });
    p.onRunStart({ total: 3 });
    advance(500);
    out.write('line\n');
    const n = term.length;
    p.onHostResult(host('a', 'compliant'), { done: 1, total: 3 }); // would repaint at once without the hold
    advance(200);
    expect(term.length).toBe(n);
    advance(100);
    expect(term.length).toBe(n + 1);
    expect(term[n]).toContain('1/3 done');
    p.onRunEnd();
  });

  it('formats durations', () => {
    expect([formatDuration(0), formatDuration(59.4), formatDuration(61), formatDuration(3725), formatDuration(Infinity)]).toEqual(['0s', '59s', '1m01s', '1h02m', '?']);
  });
});
