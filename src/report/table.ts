// The human report: one row per VM, the findings below, the summary line last.
import Table from 'cli-table3';
import { AUDITED_STATUSES, type Finding, type HostResult, type Report, type Summary } from '../model/report.js';
import { fixLines } from './fix-lines.js';
import type { Reporter, Sink } from './reporter.js';

function firstProblem(h: HostResult): string {
  if (h.error) return `${h.error.code}: ${h.error.message}`;
  const f = h.findings.find((x) => x.severity === 'error') ?? h.findings.find((x) => x.severity === 'warning');
  return f ? `${f.rule}: ${f.message}` : '';
}

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}

function count(h: HostResult, sev: Finding['severity']): string {
  return AUDITED_STATUSES.has(h.status) ? String(h.findings.filter((f) => f.severity === sev).length) : '-';
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
  if (s.fixesPlanned !== undefined) line += `; fixes: ${s.fixesApplied ?? 0} applied of ${s.fixesPlanned}`;
  return line;
}

export class TableReporter implements Reporter {
  constructor(
    private readonly sink: Sink,
    private readonly opts: { width?: number } = {},
  ) {}

  onRunEnd(report: Report): void {
    const width = Math.max(80, this.opts.width ?? 120);
    const problemWidth = Math.max(30, width - 60);
    const table = new Table({
      head: ['Host', 'Address', 'Status', 'Errors', 'Warnings', 'First problem'],
      style: { head: [], border: [] },
      wordWrap: false,
    });
    for (const h of report.hosts) {
      table.push([h.name, h.address, h.status, count(h, 'error'), count(h, 'warning'), clip(firstProblem(h), problemWidth)]);
    }
    const out: string[] = [table.toString(), ''];
    const rulesSeen = new Set<string>();
    for (const h of report.hosts) {
      const fixes = fixLines(h);
      if (h.error) {
        out.push(`${h.name} (${h.address}): ${h.status}: ${h.error.code}: ${h.error.message}`, ...fixes);
        continue;
      }
      const shown = h.findings;
      if (shown.length === 0 && fixes.length === 0) continue;
      out.push(`${h.name} (${h.address}): ${h.status}`);
      for (const f of shown) {
        rulesSeen.add(f.rule);
        const code = f.extensionCode !== null ? ` [${f.extensionCode}${f.portalError ? ' ' + f.portalError : ''}]` : '';
        out.push(`  ${f.severity.padEnd(7)} ${f.rule}${code}${f.fixable ? ' (fixable)' : ''}`);
        out.push(`          ${f.message}`);
        out.push(`          -> ${f.consequence}`);
      }
      out.push(...fixes, '');
    }
    if (rulesSeen.size > 0) out.push(`Explain a rule: vmsnap rules <id>   (e.g. vmsnap rules ${[...rulesSeen][0]})`);
    out.push(summaryLine(report.summary));
    this.sink.write(out.join('\n') + '\n');
  }
}
