import { defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';

export const rule = defineRule(
  {
    id: 'retries-ignored',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'ScriptRunner.py:99-102, 222-229 (a retry runs only after a failure that did not time out)',
    scope: 'framework',
    title: 'No script retries are configured',
    why: 'The doc describes preScriptNoOfRetries and postScriptNoOfRetries, but the extension ignores them: each script runs exactly once (its log still claims retries).',
    fix: 'Set both to 0, and make the scripts retry internally if they need to.',
    fixable: false,
    consequence: 'the script runs exactly once; a failure is not retried',
    silent: false,
  },
  ({ facts, config }) => {
    if (!config) return [];
    const out: RuleFinding[] = [];
    for (const key of ['preScriptNoOfRetries', 'postScriptNoOfRetries']) {
      const v = config[key];
      if (typeof v === 'number' && v > 0) {
        out.push({ message: `${key} is ${v}: the extension ignores it and runs the script exactly once`, path: facts.configPath });
      }
    }
    return out;
  },
);
