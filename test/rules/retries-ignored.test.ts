import { rule } from '../../src/rules/retries-ignored.js';
import { compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, withConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const cfg = (o: Record<string, unknown>) => withConfig(c, compliantConfig(o));

ruleTester(rule, {
  valid: [
    { name: 'both 0', facts: c },
    { name: 'negative is also "no retry"', facts: cfg({ preScriptNoOfRetries: -1 }) },
  ],
  invalid: [
    { name: 'pre 1', facts: cfg({ preScriptNoOfRetries: 1 }), findings: [{ messageIncludes: ['preScriptNoOfRetries is 1', 'exactly once'], severity: 'warning' }] },
    {
      name: 'both 3',
      facts: cfg({ preScriptNoOfRetries: 3, postScriptNoOfRetries: 3 }),
      findings: [{ messageIncludes: ['preScriptNoOfRetries is 3', '1 more of this rule in this file', 'postScriptNoOfRetries is 3'] }],
    },
  ],
});
