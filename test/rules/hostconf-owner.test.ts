import { rule } from '../../src/rules/hostconf-owner.js';
import { compliantFacts, withHostConfStat } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();

ruleTester(rule, {
  valid: [
    { name: 'root', facts: c },
    { name: 'root with a non-root group (the group is not checked)', facts: withHostConfStat(c, { gid: 1002, group: 'appuser' }) },
  ],
  invalid: [
    {
      name: 'appuser',
      facts: withHostConfStat(c, { uid: 1002, owner: 'appuser' }),
      findings: [{ messageIncludes: ['owned by appuser (uid 1002)', 'root'], path: c.hostConf.file!.path, severity: 'error' }],
    },
    {
      name: 'a uid with no passwd entry',
      facts: withHostConfStat(c, { uid: 4242, owner: null }),
      findings: [{ messageIncludes: 'uid 4242 (no passwd entry)' }],
    },
  ],
});
