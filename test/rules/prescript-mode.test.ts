import { rule } from '../../src/rules/prescript-mode.js';
import { PRE_SCRIPT, SCRIPT_TEXT, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor, withScriptStat } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();

ruleTester(rule, {
  valid: [
    { name: '0700', facts: c },
    { name: '0600', facts: withScriptStat(c, 'pre', { mode: 0o600 }) },
    { name: '0500', facts: withScriptStat(c, 'pre', { mode: 0o500 }) },
    { name: 'a bad post-script mode is not this rule', facts: withScriptStat(c, 'post', { mode: 0o755 }) },
    { name: 'missing (prescript-exists reports it)', facts: factsFor(withFiles(compliantFiles(), [], [PRE_SCRIPT])) },
  ],
  invalid: [
    {
      name: '0750',
      facts: withScriptStat(c, 'pre', { mode: 0o750 }),
      findings: [{ messageIncludes: 'pre-script /etc/azure/prescript.sh mode is 0750: the extension requires (mode & 0o077) == 0, e.g. 0700', path: PRE_SCRIPT, severity: 'error' }],
    },
    { name: '0755', facts: withScriptStat(c, 'pre', { mode: 0o755 }), findings: [{ messageIncludes: 'mode is 0755' }] },
    { name: '0701', facts: withScriptStat(c, 'pre', { mode: 0o701 }), findings: [{ messageIncludes: 'mode is 0701' }] },
    {
      name: "a symlink whose target is 0755 (the link's own 0777 does not matter)",
      facts: factsFor(
        withFiles(compliantFiles(), [
          { type: 'file', path: '/opt/app/pre.sh', content: SCRIPT_TEXT, mode: 0o755 },
          { type: 'symlink', path: PRE_SCRIPT, target: '/opt/app/pre.sh' },
        ]),
      ),
      findings: [{ messageIncludes: ['mode is 0755', 'a symlink: /etc/azure/prescript.sh -> /opt/app/pre.sh'] }],
    },
  ],
});
