import { rule } from '../../src/rules/script-mode-recommended.js';
import { POST_SCRIPT, PRE_SCRIPT } from '../../src/fleet/spec.js';
import { compliantFacts, withScriptStat } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();

ruleTester(rule, {
  valid: [
    { name: 'both 0700', facts: c },
    { name: '0750 fails the extension (prescript-mode), so no advice here', facts: withScriptStat(c, 'pre', { mode: 0o750 }) },
  ],
  invalid: [
    { name: 'pre 0600', facts: withScriptStat(c, 'pre', { mode: 0o600 }), findings: [{ messageIncludes: ['pre-script', 'mode is 0600', 'doc asks for 0700'], path: PRE_SCRIPT, severity: 'warning' }] },
    {
      name: 'pre 0500 and post 0400',
      facts: withScriptStat(withScriptStat(c, 'pre', { mode: 0o500 }), 'post', { mode: 0o400 }),
      findings: [
        { messageIncludes: 'mode is 0500', path: PRE_SCRIPT },
        { messageIncludes: 'mode is 0400', path: POST_SCRIPT },
      ],
    },
    { name: 'setuid 04700', facts: withScriptStat(c, 'post', { mode: 0o4700 }), findings: [{ messageIncludes: 'mode is 4700' }] },
  ],
});
