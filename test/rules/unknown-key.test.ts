import { rule } from '../../src/rules/unknown-key.js';
import { compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, withConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const cfg = (o: Record<string, unknown>) => withConfig(c, compliantConfig(o));

ruleTester(rule, {
  valid: [
    { name: 'the template keys', facts: c },
    { name: 'appName and ScriptsExecutionPollTimeSeconds are known', facts: cfg({ appName: 'erp', ScriptsExecutionPollTimeSeconds: 2 }) },
  ],
  invalid: [
    {
      name: 'a miscased key',
      facts: cfg({ fsfreezeEnabled: false }),
      findings: [{ messageIncludes: ['key "fsfreezeEnabled" is not one the extension reads', 'did you mean "fsFreezeEnabled"?', 'case-sensitive'], severity: 'warning' }],
    },
    { name: 'a typo within 2 edits', facts: cfg({ timeoutInSecond: 60 }), findings: [{ messageIncludes: 'did you mean "timeoutInSeconds"?' }] },
    { name: 'something unrelated', facts: cfg({ database: 'erp' }), findings: [{ messageIncludes: 'key "database"' }] },
    {
      name: 'two unknown keys: one finding naming both',
      facts: cfg({ ScriptsExecutionPollTime: 2, PostScriptLocation: '/x' }),
      findings: [{ messageIncludes: ['2 keys are not ones the extension reads', '"ScriptsExecutionPollTime"', 'did you mean "postScriptLocation"'] }],
    },
    {
      // a VM can write any number of keys: the finding stays one, naming the count and the first five
      name: '55,000 unknown keys: one finding',
      facts: cfg(Object.fromEntries(Array.from({ length: 55_000 }, (_, i) => [`k${i}`, i]))),
      findings: [{ messageIncludes: ['55000 keys are not ones', '"k0"', '"k4"', 'and 54995 more'] }],
    },
    {
      name: 'a very long key is quoted cut',
      facts: cfg({ ['x'.repeat(100_000)]: 1 }),
      findings: [{ messageIncludes: ['(100000 characters)'] }],
    },
  ],
});
