// The JSON report: the contract dashboards read (see model/report.ts for the field names).
// Written host by host, byte for byte what JSON.stringify(report, null, 2) gives, so a fleet of
// thousands never needs the whole document as one string in memory.
import { randomUUID } from 'node:crypto';
import type { Report } from '../model/report.js';
import type { Reporter, Sink } from './reporter.js';

const INDENT = '    '; // a host object sits two levels deep: report > hosts > host

export function writeJsonReport(report: Report, sink: Sink): void {
  if (report.hosts.length === 0) {
    sink.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  // the report with one placeholder host, keys in their own order; hosts are written in its place
  const placeholder = `vmsnap-hosts-${randomUUID()}`;
  const skeleton = JSON.stringify({ ...report, hosts: [placeholder] }, null, 2);
  const at = `${INDENT}${JSON.stringify(placeholder)}`;
  const cut = skeleton.indexOf(at);
  sink.write(skeleton.slice(0, cut));
  report.hosts.forEach((h, i) => {
    // JSON strings hold no raw newline, so every newline is a line break of the layout
    sink.write(`${i > 0 ? ',\n' : ''}${INDENT}${JSON.stringify(h, null, 2).replace(/\n/g, `\n${INDENT}`)}`);
  });
  sink.write(skeleton.slice(cut + at.length) + '\n');
}

export class JsonReporter implements Reporter {
  constructor(private readonly sink: Sink) {}

  onRunEnd(report: Report): void {
    writeJsonReport(report, this.sink);
  }
}
