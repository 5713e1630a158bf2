import { rule } from '../../src/rules/config-types.js';
import { CONFIG_PATH, compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, withConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const cfg = (o: Record<string, unknown>) => withConfig(c, compliantConfig(o));

ruleTester(rule, {
  valid: [
    { name: 'the template', facts: c },
    { name: 'a numeric poll time and a numeric-string poll time', facts: cfg({ ScriptsExecutionPollTimeSeconds: 2 }) },
    { name: 'timeoutInSeconds a float', facts: cfg({ timeoutInSeconds: 29.5 }) },
    { name: 'a missing timeout (timeout-missing reports it)', facts: withConfig(c, { preScriptLocation: '/a', postScriptLocation: '/b' }) },
    { name: 'empty locations (the script rules report them)', facts: cfg({ preScriptLocation: '', postScriptLocation: '' }) },
  ],
  invalid: [
    { name: 'a top-level array', facts: withConfig(c, [compliantConfig()]), findings: [{ messageIncludes: 'is a JSON array at the top level', path: CONFIG_PATH }] },
    { name: 'a top-level string', facts: withConfig(c, 'config'), findings: [{ messageIncludes: 'is a JSON string at the top level' }] },
    { name: 'a top-level null', facts: withConfig(c, null), findings: [{ messageIncludes: 'is a JSON null' }] },
    { name: 'preScriptLocation null', facts: cfg({ preScriptLocation: null }), findings: [{ messageIncludes: 'preScriptLocation is null', severity: 'error' }] },
    {
      name: 'both locations wrong',
      facts: cfg({ preScriptLocation: null, postScriptLocation: ['/etc/azure/postscript.sh'] }),
      findings: [{ messageIncludes: ['preScriptLocation is null', '1 more of this rule in this file', 'postScriptLocation is a array'] }],
    },
    { name: 'timeoutInSeconds "60"', facts: cfg({ timeoutInSeconds: '60' }), findings: [{ messageIncludes: 'timeoutInSeconds is the string "60"' }] },
    { name: 'timeoutInSeconds null', facts: cfg({ timeoutInSeconds: null }), findings: [{ messageIncludes: 'timeoutInSeconds is null' }] },
    { name: 'poll time null', facts: cfg({ ScriptsExecutionPollTimeSeconds: null }), findings: [{ messageIncludes: 'ScriptsExecutionPollTimeSeconds is null' }] },
  ],
});
