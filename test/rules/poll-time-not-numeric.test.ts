import { rule } from '../../src/rules/poll-time-not-numeric.js';
import { compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, withConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const poll = (v: unknown) => withConfig(c, compliantConfig({ ScriptsExecutionPollTimeSeconds: v }));

ruleTester(rule, {
  valid: [
    { name: 'absent', facts: c },
    { name: 'a number', facts: poll(2) },
    { name: 'a numeric string', facts: poll(' 3 ') },
    { name: 'an out-of-range number (poll-time-range reports it)', facts: poll(9) },
  ],
  invalid: [
    { name: '"fast"', facts: poll('fast'), findings: [{ messageIncludes: ['the string "fast"', '305'], severity: 'error' }] },
    { name: '"2s"', facts: poll('2s'), findings: [{ messageIncludes: '"2s"' }] },
    { name: 'the empty string', facts: poll(''), findings: [{ messageIncludes: 'the string ""' }] },
  ],
});
