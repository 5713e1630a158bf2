import { rule } from '../../src/rules/plugin-name.js';
import { CONFIG_PATH, compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, parseFailure, withConfig, withConfigParse } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const { pluginName: _p, ...noName } = compliantConfig();

ruleTester(rule, {
  valid: [
    { name: '"ScriptRunner"', facts: c },
    { name: 'config not parsed (other rules report it)', facts: withConfigParse(c, parseFailure('syntax')) },
  ],
  invalid: [
    { name: 'missing', facts: withConfig(c, noName), findings: [{ messageIncludes: 'pluginName is missing', severity: 'warning', path: CONFIG_PATH }] },
    { name: 'miscased', facts: withConfig(c, compliantConfig({ pluginName: 'scriptrunner' })), findings: [{ messageIncludes: 'pluginName is "scriptrunner"' }] },
    { name: 'another name', facts: withConfig(c, compliantConfig({ pluginName: 'MyPlugin' })), findings: [{ messageIncludes: '"MyPlugin"' }] },
    { name: 'not a string', facts: withConfig(c, compliantConfig({ pluginName: null })), findings: [{ messageIncludes: 'pluginName is null' }] },
  ],
});
