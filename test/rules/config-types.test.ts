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
    { name: 'timeoutInSeconds NaN, Infinity, true: min() takes them', facts: cfg({ timeoutInSeconds: NaN, fsFreezeEnabled: Infinity, continueBackupOnFailure: true }) },
    { name: 'poll time "2.5": int() raises ValueError, which is caught (305, poll-time-not-numeric)', facts: cfg({ ScriptsExecutionPollTimeSeconds: '2.5' }) },
    { name: 'a pluginName that is not a string, in a config that loads', facts: cfg({ pluginName: 3 }) },
  ],
  invalid: [
    { name: 'poll time []: int() raises TypeError', facts: cfg({ ScriptsExecutionPollTimeSeconds: [] }), findings: [{ messageIncludes: ['ScriptsExecutionPollTimeSeconds is []', "int() raises TypeError"] }] },
    { name: 'poll time {}', facts: cfg({ ScriptsExecutionPollTimeSeconds: {} }), findings: [{ messageIncludes: 'raises TypeError' }] },
    { name: 'poll time 1e400 (inf): int() raises OverflowError', facts: cfg({ ScriptsExecutionPollTimeSeconds: Infinity }), findings: [{ messageIncludes: 'raises OverflowError' }] },
    {
      name: "pluginName 3 and no postScriptLocation: the KeyError handler adds pluginName to a str, TypeError",
      facts: withConfig(c, { pluginName: 3, preScriptLocation: '/etc/azure/prescript.sh' }),
      findings: [{ messageIncludes: ['postScriptLocation is missing (KeyError)', 'raises TypeError'] }],
    },
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
