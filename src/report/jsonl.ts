// JSON Lines: one line per host, written the moment the host finishes, and a summary line last.
// A consumer (or `tail -f`) sees each host as soon as it is known; the reporter itself keeps nothing.
//   {"type":"host", ...HostResult}
//   {"type":"summary", ...the Report without its hosts}
// Reassembling the lines (summary fields + hosts: the host lines without "type", in inventory
// order) gives a Report that validates against `vmsnap schema`.
import type { HostResult, Report } from '../model/report.js';
import type { Reporter, Sink } from './reporter.js';
import { InputError } from '../errors.js';

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

/** A JSON Lines report's text is recognised by its first line: an object with a "type". */
export function looksLikeJsonl(text: string): boolean {
  const firstLine = text.trimStart().split('\n', 1)[0] ?? '';
  try {
    return typeof (JSON.parse(firstLine) as { type?: unknown } | null)?.type === 'string';
  } catch {
    return false;
  }
}

/** A JSON Lines report that cannot be read back; `line` is the 1-based line to blame, when one is. */
export class JsonlReportError extends InputError {
  constructor(message: string, line: number | null) {
    super('REPORT_INVALID', message, { line });
  }
}

/**
 * A JSON Lines report reassembled as the JSON report's data: the summary line's fields, and the
 * host lines without their "type", in file order. Throws JsonlReportError; validation is the caller's.
 */
export function reassembleJsonl(text: string): Record<string, unknown> & { hosts: Record<string, unknown>[] } {
  const hosts: Record<string, unknown>[] = [];
  let summary: Record<string, unknown> | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new JsonlReportError(`not a vmsnap report: neither JSON nor JSON Lines (${(e as Error).message})`, i + 1);
    }
    const { type, ...rest } = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
    if (type === 'host') hosts.push(rest);
    else if (type === 'summary') summary = rest;
    else throw new JsonlReportError('not a vmsnap JSON Lines report (a line without "type": "host" or "summary")', i + 1);
  }
  if (summary === null) throw new JsonlReportError('the JSON Lines report has no summary line (the run that wrote it did not finish)', null);
  return { ...summary, hosts };
}
