import { rule } from '../../src/rules/poll-time-range.js';
import { compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, withConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const poll = (v: unknown) => withConfig(c, compliantConfig({ ScriptsExecutionPollTimeSeconds: v }));

ruleTester(rule, {
  valid: [
    { name: 'absent (default 3)', facts: c },
    { name: '1', facts: poll(1) },
    { name: '5', facts: poll(5) },
    { name: 'a non-numeric string (poll-time-not-numeric reports it)', facts: poll('fast') },
    { name: 'null (config-types reports it)', facts: poll(null) },
  ],
  invalid: [
    { name: 'the numeric string "2": works, but the doc wants an integer', facts: poll('2'), findings: [{ messageIncludes: ['the string "2"', 'reads it as 2', 'write 2 without quotes'], severity: 'warning' }] },
    { name: '0', facts: poll(0), findings: [{ messageIncludes: ['ScriptsExecutionPollTimeSeconds is 0', 'polls every 3 s'], severity: 'warning' }] },
    { name: '6', facts: poll(6), findings: [{ messageIncludes: 'is 6' }] },
    { name: '2.5 (not an integer)', facts: poll(2.5), findings: [{ messageIncludes: 'is 2.5' }] },
    { name: 'the string "10"', facts: poll('10'), findings: [{ messageIncludes: 'is "10"' }] },
  ],
});
