import { rule } from '../../src/rules/prescript-params-type.js';
import { CONFIG_PATH, compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, withConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const params = (v: unknown) => withConfig(c, compliantConfig({ preScriptParams: v }));
const { preScriptParams: _p, ...noParams } = compliantConfig();

ruleTester(rule, {
  valid: [
    { name: 'the template ["", ""]', facts: c },
    { name: 'an empty list', facts: params([]) },
    { name: 'an empty string: no characters, no arguments', facts: params('') },
    { name: 'an empty object: nothing to iterate', facts: params({}) },
    { name: 'absent', facts: withConfig(c, noParams) },
    { name: 'a bad post-script list is not this rule', facts: withConfig(c, compliantConfig({ postScriptParams: 3 })) },
  ],
  invalid: [
    {
      name: 'a string is split into characters',
      facts: params('--full'),
      findings: [{ messageIncludes: ['preScriptParams is the string "--full"', 'splits it into characters', '"-" "-" "f" "u" "l" "l"', 'write ["--full"]'], path: CONFIG_PATH, severity: 'warning' }],
    },
    { name: 'a number crashes the worker', facts: params(5), findings: [{ messageIncludes: ['is a number (5)', 'about 1800 s', '310 (Pre-ScriptTimeout)'] }] },
    { name: 'null', facts: params(null), findings: [{ messageIncludes: 'preScriptParams is null', consequenceIncludes: 'never runs' }] },
    { name: 'an object: its keys become the arguments', facts: params({ a: '1' }), findings: [{ messageIncludes: ['JSON object', 'key names as arguments'], severity: 'warning' }] },
    { name: 'a list with a number: str() makes it text', facts: params(['--db', 3]), findings: [{ messageIncludes: ['non-string elements', 'str()'], severity: 'warning' }] },
    { name: 'true crashes the worker', facts: params(true), findings: [{ messageIncludes: 'is a boolean (true)', severity: 'error' }] },
  ],
});
