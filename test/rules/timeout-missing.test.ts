import { rule } from '../../src/rules/timeout-missing.js';
import { CONFIG_PATH, compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, parseFailure, withConfig, withConfigParse } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const { timeoutInSeconds: _t, ...noTimeout } = compliantConfig();

ruleTester(rule, {
  valid: [
    { name: 'timeoutInSeconds 30', facts: c },
    { name: 'present but null (config-types reports it)', facts: withConfig(c, compliantConfig({ timeoutInSeconds: null })) },
    { name: 'config not parsed', facts: withConfigParse(c, parseFailure('bom')) },
  ],
  invalid: [
    { name: 'absent', facts: withConfig(c, noTimeout), findings: [{ messageIncludes: ['timeoutInSeconds is missing', '10 s'], path: CONFIG_PATH, severity: 'warning' }] },
    { name: 'miscased', facts: withConfig(c, { ...noTimeout, TimeoutInSeconds: 60 }), findings: [{ messageIncludes: 'case-sensitive' }] },
  ],
});
