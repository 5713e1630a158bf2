// Prometheus text exposition format (0.0.4), for node_exporter's textfile collector: write it with
// `--output prometheus=/var/lib/node_exporter/textfile/vmsnap.prom` (atomically, as the collector
// requires). Every family has HELP and TYPE; all are gauges describing the last run; no sample
// carries a timestamp (the collector rejects them). Findings counts leave waived findings out.
import { AUDITED_STATUSES, HOST_STATUSES, SEVERITIES, type Report } from '../model/report.js';
import type { Reporter, Sink } from './reporter.js';

/** A label value as the exposition format quotes it: backslash, double quote and newline escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text: backslash and newline escaped. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

type Labels = Record<string, string>;

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, help: string, samples: Array<[Labels, number]>): void {
    if (samples.length === 0) return; // a family with no samples says nothing (and parsers drop it)
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) {
      const ls = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
      this.lines.push(`${name}${ls.length ? `{${ls.join(',')}}` : ''} ${formatValue(value)}`);
    }
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

const seconds = (iso: string): number => Date.parse(iso) / 1000;

export function renderPrometheus(report: Report): string {
  const x = new Exposition();
  const s = report.summary;
  const audited = report.hosts.filter((h) => AUDITED_STATUSES.has(h.status));
  const started = seconds(report.startedAt);
  const finished = seconds(report.finishedAt);

  x.family('vmsnap_build_info', 'vmsnap version that wrote these metrics (always 1).', [[{ version: report.tool.version }, 1]]);
  x.family('vmsnap_last_run_timestamp_seconds', 'When the last vmsnap audit run finished, in seconds since the epoch.', [[{}, finished]]);
  x.family('vmsnap_run_duration_seconds', 'How long the last vmsnap audit run took, in seconds.', [[{}, Math.max(0, finished - started)]]);
  x.family(
    'vmsnap_hosts',
    'Hosts in the last run by status (compliant, noncompliant, or why the host could not be audited).',
    HOST_STATUSES.map((st) => [{ status: st }, s[st]]),
  );
  x.family('vmsnap_hosts_silent_fallback', 'Audited hosts whose backups silently fall back to file-system-consistent.', [[{}, s.silentFallback]]);
  x.family(
    'vmsnap_findings',
    'Findings of the last run by severity, over all audited hosts, not counting waived findings.',
    SEVERITIES.map((sev) => [{ severity: sev }, report.hosts.reduce((n, h) => n + h.findings.filter((f) => f.severity === sev && !f.waived).length, 0)]),
  );
  x.family('vmsnap_findings_waived', 'Findings of the last run accepted by a waiver.', [[{}, s.waived ?? 0]]);
  if (report.waivers) {
    x.family('vmsnap_waivers', 'Waivers past their expiry date (they waive nothing any more) and waivers that matched no finding.', [
      [{ state: 'expired' }, report.waivers.expired.length],
      [{ state: 'unused' }, report.waivers.unused.length],
    ]);
  }
  if (report.baseline) {
    x.family('vmsnap_findings_changed', 'Findings new or resolved since the baseline report.', [
      [{ change: 'new' }, s.newFindings ?? 0],
      [{ change: 'resolved' }, s.resolvedFindings ?? 0],
    ]);
    x.family('vmsnap_hosts_status_changed', 'Hosts whose status differs from the baseline report.', [[{}, s.statusChanged ?? 0]]);
  }

  x.family(
    'vmsnap_host_status',
    'Status of each host in the last run: 1 for its status, 0 for the others.',
    report.hosts.flatMap((h) => HOST_STATUSES.map((st): [Labels, number] => [{ host: h.name, status: st }, h.status === st ? 1 : 0])),
  );
  x.family(
    'vmsnap_host_findings',
    'Findings on each audited host by severity, not counting waived findings.',
    audited.flatMap((h) =>
      SEVERITIES.map((sev): [Labels, number] => [{ host: h.name, severity: sev }, h.findings.filter((f) => f.severity === sev && !f.waived).length]),
    ),
  );
  x.family(
    'vmsnap_host_silent_fallback',
    '1 when an audited host\'s backups silently fall back to file-system-consistent (the portal shows success).',
    audited.map((h) => [{ host: h.name }, h.findings.some((f) => f.silent && f.severity === 'error' && !f.waived) ? 1 : 0]),
  );
  x.family(
    'vmsnap_host_audit_duration_seconds',
    'How long auditing each host took, in seconds.',
    report.hosts.map((h) => [{ host: h.name }, h.durationMs / 1000]),
  );
  return x.toString();
}

export class PrometheusReporter implements Reporter {
  constructor(private readonly sink: Sink) {}

  onRunEnd(report: Report): void {
    this.sink.write(renderPrometheus(report));
  }
}
