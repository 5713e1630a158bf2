// The human report: one row per VM, the findings below (grouped across hosts on a large fleet),
// waiver and baseline notes, the command that reruns the failures, and the summary line last.
import { AUDITED_STATUSES, type Finding, type HostResult, type Report, type Summary } from '../model/report.js';
import { fixLines } from './fix-lines.js';
import { forTerminal } from './terminal-text.js';
import { renderTable } from './text-table.js';
import type { Reporter, Sink } from './reporter.js';
import { GROUP_ABOVE_HOSTS, baselineLines, findingLines, groupedDetails, rerunCommand, resolvedLines, waiverLines, type RerunHint } from './table-sections.js';

function firstProblem(h: HostResult): string {
  if (h.error) return `${h.error.code}: ${h.error.message}`;
  const counted = h.findings.filter((x) => !x.waived);
  const f = counted.find((x) => x.severity === 'error') ?? counted.find((x) => x.severity === 'warning');
  return f ? `${f.rule}: ${f.message}` : '';
}

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}

function count(h: HostResult, sev: Finding['severity']): string {
  return AUDITED_STATUSES.has(h.status) ? String(h.findings.filter((f) => f.severity === sev && !f.waived).length) : '-';
}

export function summaryLine(s: Summary): string {
  const parts = [`${s.hosts} hosts`, `${s.compliant} compliant`, `${s.noncompliant} noncompliant`];
  if (s.notAudited > 0) {
    const why = (['unreachable', 'auth_failed', 'hostkey_mismatch', 'sudo_required', 'timeout', 'error', 'interrupted'] as const)
      .filter((k) => s[k] > 0)
      .map((k) => `${s[k]} ${k}`)
      .join(', ');
    parts.push(`${s.notAudited} not audited (${why})`);
  }
  let line = parts.join(', ');
  line += `; ${s.silentFallback} silently fall back to file-system-consistent backups`;
  line += `; ${s.errors} errors, ${s.warnings} warnings`;
  if (s.waived) line += ` (${s.waived} waived findings not counted)`;
  if (s.fixesPlanned !== undefined) line += `; fixes: ${s.fixesApplied ?? 0} applied of ${s.fixesPlanned}`;
  return line;
}

export class TableReporter implements Reporter {
  constructor(
    private readonly sink: Sink,
    private readonly opts: {
      width?: number | undefined;
      /** how to print the rerun command; none when absent */
      rerun?: RerunHint | undefined;
      /** group identical findings across hosts above this many hosts (default 20) */
      groupAbove?: number | undefined;
    } = {},
  ) {}

  onRunEnd(raw: Report): void {
    // everything below may come from a VM: never let it reach the terminal as control characters
    const report = forTerminal({ ...raw, hosts: raw.hosts.map((h) => ({ ...h, facts: null })) });
    const width = Math.max(80, this.opts.width ?? 120);
    const problemWidth = Math.max(30, width - 60);
    const rows = report.hosts.map((h) => [h.name, h.address, h.status, count(h, 'error'), count(h, 'warning'), clip(firstProblem(h), problemWidth)]);
    const out: string[] = [renderTable(['Host', 'Address', 'Status', 'Errors', 'Warnings', 'First problem'], rows), ''];
    const rulesSeen = new Set<string>();
    const grouped = report.hosts.length > (this.opts.groupAbove ?? GROUP_ABOVE_HOSTS);
    if (grouped) {
      out.push(...groupedDetails(report, width));
      for (const h of report.hosts) for (const f of h.findings) rulesSeen.add(f.rule);
    }
    for (const h of report.hosts) {
      const fixes = fixLines(h);
      if (grouped) {
        // findings and failures are in the groups above; only what --fix did stays per host
        if (fixes.length > 0) out.push(`${h.name} (${h.address}): ${h.status}`, ...fixes, '');
        continue;
      }
      if (h.error) {
        out.push(`${h.name} (${h.address}): ${h.status}: ${h.error.code}: ${h.error.message}`, ...fixes);
        continue;
      }
      const shown = h.findings;
      const resolved = resolvedLines(h);
      if (shown.length === 0 && fixes.length === 0 && resolved.length === 0) continue;
      out.push(`${h.name} (${h.address}): ${h.status}${h.previousStatus && h.previousStatus !== h.status ? ` (was ${h.previousStatus})` : ''}`);
      for (const f of shown) {
        rulesSeen.add(f.rule);
        out.push(...findingLines(f));
      }
      out.push(...resolved, ...fixes, '');
    }
    if (rulesSeen.size > 0) out.push(`Explain a rule: vmsnap rules <id>   (e.g. vmsnap rules ${[...rulesSeen][0]})`);
    out.push(...waiverLines(report), ...baselineLines(report));
    // the rerun command right above the summary: the summary stays the last line (scripts and tests read it)
    const rerun = this.opts.rerun ? rerunCommand(report, this.opts.rerun) : null;
    if (rerun) out.push(`Rerun the failures: ${rerun}`);
    out.push(summaryLine(report.summary));
    this.sink.write(out.join('\n') + '\n');
  }
}
