import { describe, expect, it } from 'vitest';
import { PreviousReport } from '../../src/baseline/load.js';
import { failedHostNames, selectRerun } from '../../src/baseline/rerun.js';
import { finding, host, report } from '../report/fixtures.js';

describe('--rerun-failed selection', () => {
  it('takes every host that was not compliant, and keeps inventory order', () => {
    const last = PreviousReport.parse(
      report([host('a', 'compliant'), host('b', 'noncompliant', [finding()]), host('c', 'timeout'), host('d', 'interrupted'), host('old', 'unreachable')]),
    );
    const names = failedHostNames(last);
    expect(names).toEqual(['b', 'c', 'd', 'old']);
    const inventory = [{ name: 'd' }, { name: 'a' }, { name: 'c' }, { name: 'b' }, { name: 'e' }];
    expect(selectRerun(inventory, names)).toEqual({ selected: [{ name: 'd' }, { name: 'c' }, { name: 'b' }], missing: ['old'] });
  });

  it('nothing to rerun when everything was compliant', () => {
    expect(failedHostNames(PreviousReport.parse(report([host('a', 'compliant')])))).toEqual([]);
  });
});
