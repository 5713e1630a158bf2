import { describe, expect, it } from 'vitest';
import { applyBaseline, driftHost } from '../../src/baseline/drift.js';
import { PreviousReport } from '../../src/baseline/load.js';
import { Report } from '../../src/model/report.js';
import { finding, host, report, warning } from '../report/fixtures.js';

const prev = (r: Report): PreviousReport => PreviousReport.parse(JSON.parse(JSON.stringify(r)));

describe('driftHost', () => {
  it('marks new and unchanged findings and lists resolved ones', () => {
    const before = prev(report([host('a', 'noncompliant', [finding(), finding({ rule: 'config-owner', message: 'owned by appuser' })])])).hosts[0]!;
    const now = host('a', 'noncompliant', [finding(), warning()]);
    const out = driftHost(now, before);
    expect(out.findings.map((f) => [f.rule, f.drift])).toEqual([
      ['config-mode', 'unchanged'],
      ['script-mode-recommended', 'new'],
    ]);
    expect(out.resolved!.map((f) => f.rule)).toEqual(['config-owner']);
    expect(out.previousStatus).toBe('noncompliant');
  });

  it('the same problem with other details (rule and path) is unchanged; each baseline finding matches once', () => {
    const before = prev(report([host('a', 'noncompliant', [finding({ message: 'mode 0644 is wider than 0600' })])])).hosts[0]!;
    const out = driftHost(host('a', 'noncompliant', [finding({ message: 'mode 0666 is wider than 0600' }), finding({ message: 'mode 0666 is wider than 0600' })]), before);
    expect(out.findings.map((f) => f.drift)).toEqual(['unchanged', 'new']);
    expect(out.resolved).toEqual([]);
  });

  it('compares nothing when either run could not audit the host, or the baseline did not list it', () => {
    const unreachable = prev(report([host('a', 'unreachable')])).hosts[0]!;
    const out = driftHost(host('a', 'noncompliant', [finding()]), unreachable);
    expect(out.findings[0]!.drift).toBeUndefined();
    expect(out.resolved).toBeUndefined();
    expect(out.previousStatus).toBe('unreachable');
    expect(driftHost(host('a', 'compliant'), undefined).previousStatus).toBeNull();
    const audited = prev(report([host('a', 'noncompliant', [finding()])])).hosts[0]!;
    expect(driftHost(host('a', 'timeout'), audited).resolved).toBeUndefined(); // unknown, not resolved
  });
});

describe('applyBaseline', () => {
  it('counts new and resolved findings and lists hosts whose status changed', () => {
    const last = prev(
      report([host('a', 'noncompliant', [finding()]), host('b', 'compliant'), host('c', 'unreachable'), host('gone', 'compliant')], { startedAt: '2026-02-28T02:00:00.000Z' }),
    );
    const r = report([host('a', 'compliant'), host('b', 'noncompliant', [finding(), warning()]), host('c', 'compliant'), host('new', 'compliant')]);
    const out = applyBaseline(r, last, 'last.json');
    Report.parse(out);
    expect(out.summary).toMatchObject({ newFindings: 2, resolvedFindings: 1, statusChanged: 4 });
    expect(out.baseline).toEqual({
      file: 'last.json',
      startedAt: '2026-02-28T02:00:00.000Z',
      statusChanges: [
        { host: 'a', from: 'noncompliant', to: 'compliant' },
        { host: 'b', from: 'compliant', to: 'noncompliant' },
        { host: 'c', from: 'unreachable', to: 'compliant' },
        { host: 'new', from: null, to: 'compliant' },
      ],
    });
    expect(out.hosts[0]!.resolved!.map((f) => f.rule)).toEqual(['config-mode']);
  });

  it('is pure and idempotent; the per-host function agrees with it', () => {
    const last = prev(report([host('a', 'noncompliant', [finding(), warning()])]));
    const r = report([host('a', 'noncompliant', [finding()])]);
    const once = applyBaseline(r, last, 'l.json');
    expect(applyBaseline(once, last, 'l.json')).toEqual(once);
    expect(r.hosts[0]!.findings[0]!.drift).toBeUndefined();
    expect(r.hosts.map((h) => driftHost(h, last.hosts[0]))).toEqual(once.hosts);
  });
});
