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
    { name: 'two unknown keys', facts: cfg({ ScriptsExecutionPollTime: 2, PostScriptLocation: '/x' }), findings: [{ messageIncludes: 'ScriptsExecutionPollTime"' }, { messageIncludes: 'did you mean "postScriptLocation"' }] },
  ],
});
