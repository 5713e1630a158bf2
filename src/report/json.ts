// The JSON report: the contract dashboards read (see model/report.ts for the field names).
import type { Report } from '../model/report.js';
import type { Reporter, Sink } from './reporter.js';

export class JsonReporter implements Reporter {
  constructor(private readonly sink: Sink) {}

  onRunEnd(report: Report): void {
    this.sink.write(JSON.stringify(report, null, 2) + '\n');
  }
}
