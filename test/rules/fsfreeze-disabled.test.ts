import { rule } from '../../src/rules/fsfreeze-disabled.js';
import { compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, withConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const cfg = (o: Record<string, unknown>) => withConfig(c, compliantConfig(o));
const { continueBackupOnFailure: _c, ...noContinue } = compliantConfig({ fsFreezeEnabled: false });

ruleTester(rule, {
  valid: [
    { name: 'fsFreezeEnabled true', facts: c },
    { name: 'both false: the config already asks to fail', facts: cfg({ fsFreezeEnabled: false, continueBackupOnFailure: false }) },
    { name: '"false" as a string is truthy (boolean-as-string reports it)', facts: cfg({ fsFreezeEnabled: 'false' }) },
  ],
  invalid: [
    { name: 'false while continuing', facts: cfg({ fsFreezeEnabled: false }), findings: [{ messageIncludes: ['fsFreezeEnabled is false while continueBackupOnFailure is true', 'still fails the whole backup'], severity: 'warning' }] },
    { name: '0 (falsy)', facts: cfg({ fsFreezeEnabled: 0 }), findings: [{ messageIncludes: 'fsFreezeEnabled is 0 (false to the extension)' }] },
    { name: 'continueBackupOnFailure absent (defaults to true)', facts: withConfig(c, noContinue), findings: [{ messageIncludes: 'absent (true)' }] },
  ],
});
