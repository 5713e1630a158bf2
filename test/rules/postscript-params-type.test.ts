import { rule } from '../../src/rules/postscript-params-type.js';
import { compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, withConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const params = (v: unknown) => withConfig(c, compliantConfig({ postScriptParams: v }));

ruleTester(rule, {
  valid: [
    { name: 'the template', facts: c },
    { name: 'a list of strings', facts: params(['--thaw', 'db1']) },
  ],
  invalid: [
    { name: 'a string', facts: params('x'), findings: [{ messageIncludes: ['postScriptParams is the string "x"', 'post-script gets "x"'] }] },
    { name: 'a boolean', facts: params(true), findings: [{ messageIncludes: ['boolean', '311 (Post-ScriptTimeout)'] }] },
    { name: 'null inside the list', facts: params([null]), findings: [{ messageIncludes: 'non-string elements' }] },
  ],
});
