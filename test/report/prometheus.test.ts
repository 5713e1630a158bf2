import { describe, expect, it } from 'vitest';
import { HOST_STATUSES } from '../../src/model/report.js';
import { escapeLabelValue, renderPrometheus } from '../../src/report/prometheus.js';
import { finding, host, mixedReport, report, warning } from './fixtures.js';
import { parsePrometheusText, type PromFamily } from './validators.js';

const byName = (fams: PromFamily[], name: string): PromFamily => {
  const f = fams.find((x) => x.name === name);
  if (!f) throw new Error(`no family ${name}`);
  return f;
};
const value = (fams: PromFamily[], name: string, labels: Record<string, string> = {}): number | undefined =>
  byName(fams, name).samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value;

describe('Prometheus textfile', () => {
  it('is valid exposition text: every family has HELP and TYPE, gauges, names by convention, no timestamps', () => {
    const fams = parsePrometheusText(renderPrometheus(mixedReport()));
    for (const f of fams) {
      expect(f.type).toBe('gauge');
      expect(f.name).toMatch(/^vmsnap_[a-z_]+$/);
      expect(f.help.length).toBeGreaterThan(10);
    }
    expect(fams.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'vmsnap_host_status',
        'vmsnap_host_findings',
        'vmsnap_host_silent_fallback',
        'vmsnap_hosts',
        'vmsnap_last_run_timestamp_seconds',
        'vmsnap_run_duration_seconds',
      ]),
    );
  });

  it('has one-hot host status, per-host findings and silent fallback, fleet totals and run timing', () => {
    const r = report([
      host('web-1', 'compliant', [warning()]),
      host('db-1', 'noncompliant', [finding(), finding({ rule: 'config-owner' }), warning(), finding({ rule: 'config-json-valid', waived: { justification: 'j', expires: '2030-01-01' } })]),
      host('db-2', 'unreachable'),
    ]);
    const fams = parsePrometheusText(renderPrometheus(r));
    const status = byName(fams, 'vmsnap_host_status');
    expect(status.samples).toHaveLength(3 * HOST_STATUSES.length);
    for (const h of r.hosts) {
      const mine = status.samples.filter((s) => s.labels['host'] === h.name);
      expect(mine.filter((s) => s.value === 1).map((s) => s.labels['status'])).toEqual([h.status]);
    }
    expect(value(fams, 'vmsnap_host_findings', { host: 'db-1', severity: 'error' })).toBe(2); // the waived one does not count
    expect(value(fams, 'vmsnap_host_findings', { host: 'db-1', severity: 'warning' })).toBe(1);
    expect(value(fams, 'vmsnap_host_findings', { host: 'web-1', severity: 'error' })).toBe(0);
    expect(value(fams, 'vmsnap_host_findings', { host: 'db-2', severity: 'error' })).toBeUndefined(); // not audited: unknown, not 0
    expect(value(fams, 'vmsnap_host_silent_fallback', { host: 'db-1' })).toBe(1);
    expect(value(fams, 'vmsnap_host_silent_fallback', { host: 'web-1' })).toBe(0);
    expect(value(fams, 'vmsnap_hosts', { status: 'compliant' })).toBe(1);
    expect(value(fams, 'vmsnap_hosts', { status: 'unreachable' })).toBe(1);
    expect(value(fams, 'vmsnap_hosts', { status: 'timeout' })).toBe(0);
    expect(value(fams, 'vmsnap_findings_waived')).toBe(1);
    expect(value(fams, 'vmsnap_last_run_timestamp_seconds')).toBe(Date.parse(r.finishedAt) / 1000);
    expect(value(fams, 'vmsnap_run_duration_seconds')).toBe(12.5);
    expect(value(fams, 'vmsnap_host_audit_duration_seconds', { host: 'web-1' })).toBe(1.234);
  });

  it('escapes label values (backslash, quote, newline) so the collector reads them back exactly', () => {
    const name = 'we\\ird "host"\nname';
    expect(escapeLabelValue(name)).toBe('we\\\\ird \\"host\\"\\nname');
    const fams = parsePrometheusText(renderPrometheus(report([host(name, 'compliant')])));
    expect(byName(fams, 'vmsnap_host_status').samples[0]!.labels['host']).toBe(name);
  });

  it('adds waiver and baseline gauges only when those were used', () => {
    const plain = parsePrometheusText(renderPrometheus(mixedReport())).map((f) => f.name);
    expect(plain).not.toContain('vmsnap_waivers');
    expect(plain).not.toContain('vmsnap_findings_changed');
    const r = report([host('a', 'compliant')], {
      waivers: { file: 'w.yaml', expired: [{ source: 'w.yaml:2', rule: 'config-mode', host: '*', justification: 'j', expires: '2020-01-01', matches: 0 }], unused: [] },
      baseline: { file: 'last.json', startedAt: '2026-02-28T00:00:00.000Z', statusChanges: [] },
    });
    r.summary = { ...r.summary, newFindings: 3, resolvedFindings: 2, statusChanged: 1 };
    const fams = parsePrometheusText(renderPrometheus(r));
    expect(value(fams, 'vmsnap_waivers', { state: 'expired' })).toBe(1);
    expect(value(fams, 'vmsnap_waivers', { state: 'unused' })).toBe(0);
    expect(value(fams, 'vmsnap_findings_changed', { change: 'new' })).toBe(3);
    expect(value(fams, 'vmsnap_hosts_status_changed')).toBe(1);
  });

  it('the validator itself rejects what the textfile collector rejects', () => {
    const ok = '# HELP m help\n# TYPE m gauge\nm{a="b"} 1\n';
    expect(() => parsePrometheusText(ok)).not.toThrow();
    expect(() => parsePrometheusText('m 1\n')).toThrow(/before its HELP/);
    expect(() => parsePrometheusText(ok + 'm{a="b"} 2\n')).toThrow(/duplicate/);
    expect(() => parsePrometheusText('# HELP m h\n# TYPE m gauge\nm 1 1700000000000\n')).toThrow(/timestamp/);
    expect(() => parsePrometheusText('# HELP m h\n# TYPE m gauge\nm{a="x\ny"} 1\n')).toThrow();
    expect(() => parsePrometheusText('# HELP m h\n# TYPE m gauge\nm{a="\\q"} 1\n')).toThrow(/escape/);
    expect(() => parsePrometheusText(ok.trimEnd())).toThrow(/newline/);
    expect(() => parsePrometheusText(ok + '# HELP n h\n# TYPE n gauge\nn 1\nm{a="c"} 1\n')).toThrow(/again/);
  });
});
