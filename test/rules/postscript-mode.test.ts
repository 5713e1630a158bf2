import { rule } from '../../src/rules/postscript-mode.js';
import { POST_SCRIPT } from '../../src/fleet/spec.js';
import { compliantFacts, withScriptStat } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();

ruleTester(rule, {
  valid: [
    { name: '0700', facts: c },
    { name: '0600', facts: withScriptStat(c, 'post', { mode: 0o600 }) },
    { name: '0500', facts: withScriptStat(c, 'post', { mode: 0o500 }) },
    { name: 'a bad pre-script mode is not this rule', facts: withScriptStat(c, 'pre', { mode: 0o750 }) },
  ],
  invalid: [
    { name: '0750', facts: withScriptStat(c, 'post', { mode: 0o750 }), findings: [{ messageIncludes: 'post-script /etc/azure/postscript.sh mode is 0750', path: POST_SCRIPT }] },
    { name: '0755', facts: withScriptStat(c, 'post', { mode: 0o755 }), findings: [{ messageIncludes: 'mode is 0755' }] },
    { name: '0707', facts: withScriptStat(c, 'post', { mode: 0o707 }), findings: [{ messageIncludes: 'mode is 0707' }] },
  ],
});
