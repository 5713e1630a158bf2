// JSON Lines: one line per host, written the moment the host finishes, and a summary line last.
// A consumer (or `tail -f`) sees each host as soon as it is known; the reporter itself keeps nothing.
//   {"type":"host", ...HostResult}
//   {"type":"summary", ...the Report without its hosts}
// Reassembling the lines (summary fields + hosts: the host lines without "type", in inventory
// order) gives a Report that validates against `vmsnap schema`.
import type { HostResult, Report } from '../model/report.js';
import type { Reporter, Sink } from './reporter.js';

export function jsonlHostLine(result: HostResult): string {
  return JSON.stringify({ type: 'host', ...result }) + '\n';
}

export function jsonlSummaryLine(report: Report): string {
  const { hosts: _hosts, ...rest } = report;
  return JSON.stringify({ type: 'summary', ...rest }) + '\n';
}

export class JsonlReporter implements Reporter {
  private readonly written = new Set<string>();

  constructor(private readonly sink: Sink) {}

  onHostResult(result: HostResult): void {
    this.written.add(result.name);
    this.sink.write(jsonlHostLine(result));
  }

  onRunEnd(report: Report): void {
    // a host the run never announced (it cannot happen today, but the report is the truth): its line now
    for (const h of report.hosts) if (!this.written.has(h.name)) this.sink.write(jsonlHostLine(h));
    this.sink.write(jsonlSummaryLine(report));
  }
}
