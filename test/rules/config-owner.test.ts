import { rule } from '../../src/rules/config-owner.js';
import { CONFIG_PATH } from '../../src/fleet/spec.js';
import { compliantFacts, withConfigStat } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();

ruleTester(rule, {
  valid: [
    { name: 'root:root', facts: c },
    { name: 'root with group appuser (the group is never checked)', facts: withConfigStat(c, { gid: 1002, group: 'appuser' }) },
  ],
  invalid: [
    {
      name: 'appuser',
      facts: withConfigStat(c, { uid: 1002, owner: 'appuser', gid: 1002, group: 'appuser' }),
      findings: [{ messageIncludes: ['owned by appuser (uid 1002)', "owner's user name to be root"], path: CONFIG_PATH, severity: 'error' }],
    },
    {
      name: 'a uid with no passwd entry',
      facts: withConfigStat(c, { uid: 4242, owner: null }),
      findings: [{ messageIncludes: 'uid 4242 (no passwd entry)' }],
    },
    {
      name: 'uid 0 under another name is not "root" to the extension',
      facts: withConfigStat(c, { uid: 0, owner: 'toor' }),
      findings: [{ messageIncludes: 'owned by toor (uid 0)' }],
    },
  ],
});
