// The engine: every rule run over one host's facts, severities and the workload bypass applied.
import { describe, expect, it } from 'vitest';
import { isNoncompliant, judge, oneFindingPerFile } from '../../src/rules/engine.js';
import { allRules } from '../../src/rules/index.js';
import { compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, withConfig, withConfigMode, withWorkload } from '../helpers/facts.js';

const { timeoutInSeconds: _t, ...noTimeout } = compliantConfig();
/** config-mode (an error) and timeout-missing (a warning) */
const brokenConfig = () => withConfigMode(withConfig(compliantFacts(), noTimeout), 0o644);

describe('judge', () => {
  it('errors first, then warnings', () => {
    const f = judge(brokenConfig(), allRules);
    const rank = { error: 0, warning: 1, info: 2 } as const;
    expect(f.map((x) => x.rule)).toEqual(expect.arrayContaining(['config-mode', 'timeout-missing']));
    expect(f.map((x) => rank[x.severity])).toEqual(f.map((x) => rank[x.severity]).sort());
    expect(isNoncompliant(f)).toBe(true);
  });

  it('a severity override replaces the rule severity; off drops the rule', () => {
    const f = judge(brokenConfig(), allRules, { 'config-mode': 'warning', 'timeout-missing': 'off' });
    expect(f.find((x) => x.rule === 'config-mode')?.severity).toBe('warning');
    expect(f.some((x) => x.rule === 'timeout-missing')).toBe(false);
  });

  it('workload.conf naming a database flow makes the framework findings moot (info), keeps its own warning', () => {
    const f = judge(withWorkload(brokenConfig(), 'mysql'), allRules);
    expect(f.find((x) => x.rule === 'workload-bypass')?.severity).toBe('warning');
    const mode = f.find((x) => x.rule === 'config-mode')!;
    expect(mode).toMatchObject({ severity: 'info', silent: false });
    expect(mode.consequence).toContain('workload_name = mysql');
    expect(isNoncompliant(f)).toBe(false);
  });

  it('a workload that is not bypassed changes nothing', () => {
    const f = judge(withWorkload(brokenConfig(), 'Oracle'), allRules);
    expect(f.find((x) => x.rule === 'config-mode')?.severity).toBe('error');
    expect(f.some((x) => x.rule === 'workload-bypass')).toBe(false);
  });
});

describe('oneFindingPerFile: at most one finding per rule per file', () => {
  it('keeps findings on different files apart and merges those on one file into the most severe', () => {
    const many = [
      { message: 'a warning', path: '/f', severity: 'warning' as const },
      ...Array.from({ length: 9 }, (_, i) => ({ message: `problem ${i} ${'x'.repeat(i === 1 ? 500 : 1)}`, path: '/f' })),
      { message: 'elsewhere', path: '/g' },
    ];
    const out = oneFindingPerFile(many);
    expect(out).toHaveLength(2);
    expect(out[0]!.severity).toBeUndefined(); // the rule's own severity: the most severe
    // the others are quoted, each cut to 200 characters, the first three only
    expect(out[0]!.message).toBe(`problem 0 x (9 more of this rule in this file: problem 1 ${'x'.repeat(190)}…; problem 2 x; problem 3 x; and 6 more)`);
    expect(out[1]).toEqual({ message: 'elsewhere', path: '/g' });
  });

  it('leaves one finding per file as it is', () => {
    const one = [{ message: 'm', path: '/a' }, { message: 'n', path: '/b' }];
    expect(oneFindingPerFile(one)).toEqual(one);
  });
});
