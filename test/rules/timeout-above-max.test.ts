import { rule } from '../../src/rules/timeout-above-max.js';
import { compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, withConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const timeout = (v: unknown) => withConfig(c, compliantConfig({ timeoutInSeconds: v }));

ruleTester(rule, {
  valid: [
    { name: '30', facts: c },
    { name: '1800 (the maximum)', facts: timeout(1800) },
    { name: 'a string "3600" (config-types reports it)', facts: timeout('3600') },
  ],
  invalid: [
    { name: '1801', facts: timeout(1801), findings: [{ messageIncludes: ['timeoutInSeconds is 1801', 'silently uses 1800 s'], severity: 'warning' }] },
    { name: '3600', facts: timeout(3600), findings: [{ messageIncludes: '3600' }] },
    { name: 'Infinity (json.load reads it): min() gives 1800', facts: timeout(Infinity), findings: [{ messageIncludes: 'timeoutInSeconds is Infinity' }] },
    { name: 'NaN: the script runner never times out', facts: timeout(NaN), findings: [{ messageIncludes: ['timeoutInSeconds is NaN', 'never times a script out'] }] },
  ],
});
