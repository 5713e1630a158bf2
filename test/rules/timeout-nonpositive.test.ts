import { rule } from '../../src/rules/timeout-nonpositive.js';
import { compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, withConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const timeout = (v: unknown, extra: Record<string, unknown> = {}) => withConfig(c, compliantConfig({ timeoutInSeconds: v, ...extra }));

ruleTester(rule, {
  valid: [
    { name: '30', facts: c },
    { name: '1', facts: timeout(1) },
    { name: '0.5', facts: timeout(0.5) },
    { name: 'a string "0" (config-types reports it)', facts: timeout('0') },
  ],
  invalid: [
    { name: '0', facts: timeout(0), findings: [{ messageIncludes: 'timeoutInSeconds is 0', severity: 'error', consequenceIncludes: 'Pre-ScriptTimeout, 308' }] },
    { name: '-1', facts: timeout(-1), findings: [{ messageIncludes: 'timeoutInSeconds is -1' }] },
    { name: '0 with continueBackupOnFailure false', facts: timeout(0, { continueBackupOnFailure: false }), findings: [{ consequenceIncludes: 'the backup fails' }] },
  ],
});
