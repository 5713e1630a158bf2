import { rule } from '../../src/rules/boolean-as-string.js';
import { compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, withConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const cfg = (o: Record<string, unknown>) => withConfig(c, compliantConfig(o));

ruleTester(rule, {
  valid: [
    { name: 'JSON booleans', facts: c },
    { name: 'numbers (0 and 1 work by truthiness)', facts: cfg({ continueBackupOnFailure: 1, fsFreezeEnabled: 0 }) },
  ],
  invalid: [
    {
      name: '"false" is truthy',
      facts: cfg({ fsFreezeEnabled: 'false' }),
      findings: [{ messageIncludes: ['fsFreezeEnabled is the string "false", which is truthy', 'the opposite'], severity: 'warning' }],
    },
    { name: '"False"', facts: cfg({ continueBackupOnFailure: 'False' }), findings: [{ messageIncludes: '"False"', severity: 'warning' }] },
    { name: '"0"', facts: cfg({ continueBackupOnFailure: '0' }), findings: [{ severity: 'warning' }] },
    { name: '"no" and "off"', facts: cfg({ continueBackupOnFailure: 'no', fsFreezeEnabled: 'off' }), findings: [{ messageIncludes: ['1 more of this rule in this file', 'fsFreezeEnabled'], severity: 'warning' }] },
    { name: '"" is falsy', facts: cfg({ continueBackupOnFailure: '' }), findings: [{ messageIncludes: 'the empty string "": the extension reads it as false', severity: 'warning' }] },
    { name: '"true" works by luck: a warning', facts: cfg({ continueBackupOnFailure: 'true' }), findings: [{ messageIncludes: 'the string "true"', severity: 'warning' }] },
  ],
});
