// Every output format is a Reporter fed by the same run events and the same Report model
// (after Vitest's reporters). Reporters write to a Sink they are given; they never reach back
// into SSH or the inventory, and never touch the terminal themselves.
import type { HostResult, Report } from '../model/report.js';

export interface Sink {
  write(chunk: string): void;
}

export interface Reporter {
  onRunStart?(info: { total: number; startedAt: string }): void;
  /** a host's audit begins (the progress line counts hosts in flight) */
  onHostStart?(target: { name: string }): void;
  onHostResult?(result: HostResult, progress: { done: number; total: number }): void;
  onRunEnd(report: Report): void;
}

/** A finished report fed to a reporter as a run would have fed it, host by host (merge, `vmsnap report`). */
export function replayReport(report: Report, r: Reporter): void {
  const total = report.hosts.length;
  r.onRunStart?.({ total, startedAt: report.startedAt });
  report.hosts.forEach((h, i) => r.onHostResult?.(h, { done: i + 1, total }));
  r.onRunEnd(report);
}

export const FORMATS = ['table', 'json', 'jsonl', 'junit', 'prometheus', 'html'] as const;
export type Format = (typeof FORMATS)[number];
