import { describe, expect, it } from 'vitest';
import { Report } from '../../src/model/report.js';
import { applyWaivers, isExpired, waiveHost } from '../../src/waivers/apply.js';
import type { Waiver, WaiverSet } from '../../src/waivers/load.js';
import { finding, host, report, warning } from '../report/fixtures.js';

const NOW = new Date('2026-06-15T12:00:00Z');
const w = (over: Partial<Waiver>): Waiver => ({ rule: 'config-mode', host: '*', justification: 'accepted', expires: '2026-12-31', source: 'w.yaml:2', ...over });
const set = (...waivers: Waiver[]): WaiverSet => ({ file: 'w.yaml', waivers });

describe('isExpired', () => {
  it('a waiver works through its expiry day (UTC) and stops at the next midnight', () => {
    expect(isExpired({ expires: '2026-06-15' }, new Date('2026-06-15T23:59:59.999Z'))).toBe(false);
    expect(isExpired({ expires: '2026-06-15' }, new Date('2026-06-16T00:00:00.000Z'))).toBe(true);
  });
});

describe('applyWaivers', () => {
  it('marks the finding waived, keeps it in the report, and a host whose only errors are waived is compliant', () => {
    const r = report([host('db-1', 'noncompliant', [finding(), warning()]), host('db-2', 'noncompliant', [finding(), finding({ rule: 'config-owner' })])]);
    const out = applyWaivers(r, set(w({ host: 'db-*', justification: 'vendor appliance' })), NOW);
    Report.parse(out);
    const [a, b] = out.hosts;
    expect(a!.status).toBe('compliant');
    expect(a!.findings[0]!.waived).toEqual({ justification: 'vendor appliance', expires: '2026-12-31' });
    expect(a!.findings[1]!.waived).toBeUndefined();
    expect(b!.status).toBe('noncompliant'); // config-owner is not waived
    expect(out.summary).toMatchObject({ compliant: 1, noncompliant: 1, errors: 1, warnings: 1, waived: 2, silentFallback: 1 });
    expect(out.waivers).toEqual({ file: 'w.yaml', expired: [], unused: [] });
    expect(r.hosts[0]!.status).toBe('noncompliant'); // pure: the input is untouched
  });

  it('selects hosts by glob, group and tag (all given must match)', () => {
    const r = report([host('db-1', 'noncompliant', [finding()]), host('db-2', 'noncompliant', [finding()]), host('web-1', 'noncompliant', [finding()])]);
    const labels = (n: string) => ({ 'db-1': { groups: ['legacy'], tags: ['appliance'] }, 'db-2': { groups: ['legacy'], tags: [] }, 'web-1': { groups: [], tags: ['appliance'] } })[n];
    const out = applyWaivers(r, set(w({ host: 'db-*', group: 'legacy', tag: 'appliance' })), NOW, labels);
    expect(out.hosts.map((h) => h.status)).toEqual(['compliant', 'noncompliant', 'noncompliant']);
    const byTag = applyWaivers(r, set(w({ host: undefined, tag: 'appliance' })), NOW, labels);
    expect(byTag.hosts.map((h) => h.status)).toEqual(['compliant', 'noncompliant', 'compliant']);
    // without inventory labels a group or tag waiver matches nothing
    expect(applyWaivers(r, set(w({ host: undefined, group: 'legacy' })), NOW).hosts.every((h) => h.status === 'noncompliant')).toBe(true);
  });

  it('an expired waiver stops working and is reported with what it would have waived; an unused one is reported', () => {
    const r = report([host('db-1', 'noncompliant', [finding()])]);
    const out = applyWaivers(r, set(w({ expires: '2026-06-14', source: 'w.yaml:2' }), w({ rule: 'config-owner', source: 'w.yaml:7' })), NOW);
    expect(out.hosts[0]!.status).toBe('noncompliant');
    expect(out.hosts[0]!.findings[0]!.waived).toBeUndefined();
    expect(out.waivers!.expired).toEqual([{ source: 'w.yaml:2', rule: 'config-mode', host: '*', justification: 'accepted', expires: '2026-06-14', matches: 1 }]);
    expect(out.waivers!.unused.map((x) => x.source)).toEqual(['w.yaml:7']);
    expect(out.summary.waived).toBe(0);
  });

  it('never turns a host that was not audited into a compliant one', () => {
    const out = applyWaivers(report([host('db-1', 'unreachable')]), set(w({})), NOW);
    expect(out.hosts[0]!.status).toBe('unreachable');
    expect(out.waivers!.unused).toHaveLength(1); // nothing to match on a host that was not audited
  });

  it('is idempotent, and the per-host function agrees with the whole-report one (streamed formats match the final report)', () => {
    const r = report([host('db-1', 'noncompliant', [finding(), warning()]), host('x', 'compliant', [warning()])]);
    const s = set(w({}), w({ rule: 'script-mode-recommended', host: 'x', expires: '2020-01-01' }));
    const once = applyWaivers(r, s, NOW);
    expect(applyWaivers(once, s, NOW)).toEqual(once);
    expect(r.hosts.map((h) => waiveHost(h, s, NOW).host)).toEqual(once.hosts);
  });

  it('keeps baseline counts in the summary when applied after a baseline', () => {
    const r = report([host('a', 'noncompliant', [finding()])]);
    r.summary = { ...r.summary, newFindings: 1, resolvedFindings: 0, statusChanged: 0 };
    expect(applyWaivers(r, set(w({})), NOW).summary).toMatchObject({ newFindings: 1, resolvedFindings: 0, statusChanged: 0, waived: 1 });
  });
});
