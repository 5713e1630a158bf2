import { rule } from '../../src/rules/config-mode-recommended.js';
import { CONFIG_PATH } from '../../src/fleet/spec.js';
import { compliantFacts, withConfigMode } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();

ruleTester(rule, {
  valid: [
    { name: '0600', facts: c },
    { name: '0644 fails the extension (config-mode), so no advice here', facts: withConfigMode(c, 0o644) },
    { name: '0700 fails the extension too', facts: withConfigMode(c, 0o700) },
  ],
  invalid: [
    { name: '0400', facts: withConfigMode(c, 0o400), findings: [{ messageIncludes: ['mode is 0400', 'the doc asks for 0600'], severity: 'warning', path: CONFIG_PATH }] },
    { name: '0200', facts: withConfigMode(c, 0o200), findings: [{ messageIncludes: 'mode is 0200' }] },
    { name: '0000', facts: withConfigMode(c, 0o000), findings: [{ messageIncludes: 'mode is 0000' }] },
  ],
});
