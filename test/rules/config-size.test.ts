import { rule } from '../../src/rules/config-size.js';
import { MAX_CONFIG_BYTES } from '../../src/model/facts.js';
import { CONFIG_PATH, compliantConfig, compliantFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor, parseFailure, withConfigParse } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

/** The compliant VM with a config file of exactly `bytes` bytes (padding in appName). */
function configOfSize(bytes: number) {
  const base = JSON.stringify(compliantConfig({ appName: '' }), null, 2).length + 1;
  const facts = factsFor(compliantFiles(compliantConfig({ appName: 'x'.repeat(bytes - base) })));
  if (facts.config.size !== bytes) throw new Error(`built ${facts.config.size} bytes, wanted ${bytes}`);
  return facts;
}

ruleTester(rule, {
  valid: [
    { name: 'a normal config', facts: compliantFacts() },
    { name: 'a syntax error is not a size problem', facts: withConfigParse(compliantFacts(), parseFailure('syntax')) },
    { name: 'exactly 1 MiB is read', facts: configOfSize(MAX_CONFIG_BYTES) },
  ],
  invalid: [
    {
      name: '1 MiB + 1 byte: judged on the VM, a warning',
      facts: configOfSize(MAX_CONFIG_BYTES + 1),
      findings: [{ messageIncludes: [`is ${MAX_CONFIG_BYTES + 1} bytes`, "judged from what Python's json read of it on the VM"], path: CONFIG_PATH, severity: 'warning' }],
    },
    {
      name: 'past the 16 MiB limit: not read, an error',
      facts: withConfigParse(compliantFacts(), parseFailure('too_large')),
      findings: [{ messageIncludes: 'its content is unchecked', path: CONFIG_PATH, severity: 'error' }],
    },
  ],
});
