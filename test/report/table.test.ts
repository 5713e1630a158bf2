import { describe, expect, it } from 'vitest';
import type { HostResult } from '../../src/model/report.js';
import { TableReporter } from '../../src/report/table.js';
import { messageShape, rerunCommand } from '../../src/report/table-sections.js';
import { shellWord } from '../../src/util/shell-quote.js';
import { finding, host, MemorySink, mixedReport, report, warning } from './fixtures.js';

function render(r: ReturnType<typeof report>, opts: ConstructorParameters<typeof TableReporter>[1] = {}): string {
  const sink = new MemorySink();
  new TableReporter(sink, { width: 120, ...opts }).onRunEnd(r);
  return sink.text;
}

function bigFleet(n: number): HostResult[] {
  return Array.from({ length: n }, (_, i) => {
    const name = `vm${String(i + 1).padStart(3, '0')}`;
    if (i % 10 === 9) return host(name, 'unreachable');
    if (i % 2 === 0) return host(name, 'noncompliant', [finding({ message: `mode 0${644 + (i % 3)} is wider than 0600` }), warning()]);
    return host(name, 'compliant', [warning()]);
  });
}

describe('TableReporter', () => {
  it('small fleets: one block per host, the rerun command, and the summary last', () => {
    const text = render(mixedReport(), { rerun: { args: ['-i', 'inv.yaml'], jsonPath: '/var/lib/vmsnap/last.json' } });
    expect(text).toContain('db-1 (');
    expect(text).toContain('  error   config-mode [305 IncorrectJSONConfigFile] (fixable)');
    const lines = text.trimEnd().split('\n');
    expect(lines[lines.length - 2]).toBe('Rerun the failures: vmsnap audit -i inv.yaml --rerun-failed /var/lib/vmsnap/last.json');
    expect(lines[lines.length - 1]).toMatch(/^4 hosts, 1 compliant, 1 noncompliant, 2 not audited/);
  });

  it('without a JSON output the rerun command names the hosts with --limit; none when all are compliant', () => {
    const text = render(mixedReport(), { rerun: { args: ['-i', 'my inv.yaml'] } });
    expect(text.trimEnd().split('\n').at(-2)).toBe("Rerun the failures: vmsnap audit -i 'my inv.yaml' --limit db-1,db-2,app-1");
    const ok = render(report([host('a', 'compliant')]), { rerun: { args: ['-i', 'x'] } });
    expect(ok).not.toContain('Rerun');
  });

  it('large fleets (more than 20 hosts): one block per rule and message shape listing the hosts, not one per host', () => {
    const r = report(bigFleet(40));
    const text = render(r);
    expect(text).toContain('Findings across 40 hosts, identical findings grouped:');
    // the 20 noncompliant hosts share one config-mode block, whatever mode each has
    const head = text.split('\n').find((l) => l.includes('config-mode [305'))!;
    expect(head).toMatch(/error +config-mode .* - 20 hosts$/);
    expect(text).toContain('(and 2 variants of this message)');
    expect(text.match(/config-mode \[305/g)).toHaveLength(1);
    expect(text).toMatch(/warning +script-mode-recommended .* - 36 hosts/);
    expect(text).toMatch(/unreachable: ECONNREFUSED - 4 hosts/);
    expect(text).toContain('hosts: vm010, vm020, vm030, vm040');
    expect(text).not.toMatch(/^vm001 \(/m); // no per-host blocks
    // the host table still has every host
    for (const h of r.hosts) expect(text).toContain(h.name);
    const groupedSection = text.slice(text.indexOf('Findings across'), text.indexOf('Explain a rule'));
    for (const l of groupedSection.split('\n')) expect(l.length).toBeLessThanOrEqual(120); // host lists wrap
  });

  it('shows waived findings as waived (not counted) and drift marks, resolved findings and status changes', () => {
    const r = report(
      [
        host('db-1', 'compliant', [finding({ waived: { justification: 'vendor appliance', expires: '2030-01-01' }, drift: 'unchanged' }), warning({ drift: 'new' })], {
          previousStatus: 'noncompliant',
          resolved: [finding({ rule: 'config-owner', message: 'owned by appuser' })],
        }),
      ],
      {
        waivers: {
          file: 'w.yaml',
          expired: [{ source: 'w.yaml:7', rule: 'config-owner', host: 'db-*', justification: 'old', expires: '2020-01-01', matches: 2 }],
          unused: [{ source: 'w.yaml:12', rule: 'config-size', tag: 'legacy', justification: 'x', expires: '2030-01-01', matches: 0 }],
        },
        baseline: { file: 'last.json', startedAt: '2026-02-28T02:00:00.000Z', statusChanges: [{ host: 'db-1', from: 'noncompliant', to: 'compliant' }] },
      },
    );
    r.summary = { ...r.summary, newFindings: 1, resolvedFindings: 1, statusChanged: 1 };
    const text = render(r);
    expect(text).toContain('db-1 (127.0.0.6): compliant (was noncompliant)');
    expect(text).toContain('  waived  config-mode');
    expect(text).toContain('waived error until 2030-01-01: vendor appliance');
    expect(text).toContain('script-mode-recommended (fixable) [new]');
    expect(text).toContain('  resolved config-owner: owned by appuser');
    expect(text).toContain('warning: waiver w.yaml:7 (config-owner on host db-*) expired on 2020-01-01; it no longer waives 2 findings');
    expect(text).toContain('note: waiver w.yaml:12 (config-size on tag legacy) matched no finding in this run');
    expect(text).toContain('since last.json (2026-02-28T02:00:00.000Z): 1 new findings, 1 resolved; 1 host changed status');
    expect(text).toContain('  db-1: noncompliant -> compliant');
    expect(text).toContain('0 errors, 1 warnings (1 waived findings not counted)');
    // the host table counts only what counts
    const row = text.split('\n').find((l) => l.includes('db-1') && l.includes('│'))!;
    expect(row).toMatch(/│ 0 +│ 1 +│/);
  });

  it('message shapes ignore numbers and quoted parts', () => {
    expect(messageShape('mode 0644 is wider than 0600')).toBe(messageShape('mode 0755 is wider than 0600'));
    expect(messageShape('unknown key "foo"')).toBe(messageShape('unknown key "barbaz"'));
    expect(messageShape('owner root')).not.toBe(messageShape('owner appuser'));
  });

  it('quotes shell words only where needed', () => {
    expect(shellWord('/a/b-c_d.json')).toBe('/a/b-c_d.json');
    expect(shellWord("it's here")).toBe(`'it'\\''s here'`);
    expect(rerunCommand(report([host('a b', 'timeout')]), { args: [] })).toBe("vmsnap audit --limit 'a b'");
  });

  it('--local: the same command again (it takes no --limit)', () => {
    expect(rerunCommand(report([host('this-vm', 'noncompliant')]), { args: ['--local', '--format', 'table'] })).toBe('vmsnap audit --local --format table');
  });

  it('past 20 failed hosts: --rerun-failed from a kept JSON report, not a --limit of every name', () => {
    const many = report(Array.from({ length: 21 }, (_, i) => host(`vm-${i}`, 'unreachable')));
    expect(rerunCommand(many, { args: ['-i', 'inv.yaml'] })).toBe(
      "vmsnap audit -i inv.yaml --rerun-failed REPORT.json   (21 hosts: add --output json=REPORT.json to this run's command to keep a report to rerun from)",
    );
    expect(rerunCommand(many, { args: ['-i', 'inv.yaml'], jsonPath: 'last.json' })).toBe('vmsnap audit -i inv.yaml --rerun-failed last.json');
    expect(rerunCommand(report(Array.from({ length: 20 }, (_, i) => host(`vm-${i}`, 'unreachable'))), { args: [] })).toMatch(/--limit vm-0,vm-1,.*,vm-19$/);
  });
});
