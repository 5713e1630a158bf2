import { rule } from '../../src/rules/prescript-owner.js';
import { PRE_SCRIPT, SCRIPT_TEXT, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor, withScriptStat } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();

ruleTester(rule, {
  valid: [
    { name: 'root', facts: c },
    { name: 'root, group appuser', facts: withScriptStat(c, 'pre', { gid: 1002, group: 'appuser' }) },
    { name: 'a post-script owned by appuser is not this rule', facts: withScriptStat(c, 'post', { uid: 1002, owner: 'appuser' }) },
  ],
  invalid: [
    {
      name: 'appuser',
      facts: factsFor(withFiles(compliantFiles(), [{ type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o700, owner: 'appuser' }])),
      findings: [{ messageIncludes: 'pre-script /etc/azure/prescript.sh is owned by appuser (uid 1002)', path: PRE_SCRIPT, severity: 'error' }],
    },
    {
      name: 'an orphan uid',
      facts: factsFor(withFiles(compliantFiles(), [{ type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o700, owner: 4242 }])),
      findings: [{ messageIncludes: 'uid 4242 (no passwd entry)' }],
    },
  ],
});
