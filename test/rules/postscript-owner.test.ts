import { rule } from '../../src/rules/postscript-owner.js';
import { POST_SCRIPT } from '../../src/fleet/spec.js';
import { compliantFacts, withScriptStat } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();

ruleTester(rule, {
  valid: [
    { name: 'root', facts: c },
    { name: 'a pre-script owned by azureuser is not this rule', facts: withScriptStat(c, 'pre', { uid: 1000, owner: 'azureuser' }) },
  ],
  invalid: [
    {
      name: 'azureuser',
      facts: withScriptStat(c, 'post', { uid: 1000, owner: 'azureuser' }),
      findings: [{ messageIncludes: 'post-script /etc/azure/postscript.sh is owned by azureuser (uid 1000)', path: POST_SCRIPT }],
    },
    { name: 'an orphan uid', facts: withScriptStat(c, 'post', { uid: 4242, owner: null }), findings: [{ messageIncludes: 'uid 4242' }] },
  ],
});
