import { defineRule, portalErrorFor } from './rule.js';

export const rule = defineRule(
  {
    id: 'timeout-missing',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'ScriptRunner.py:59, 85-86',
    scope: 'framework',
    title: 'timeoutInSeconds is set',
    why: 'Without timeoutInSeconds the extension gives each script 10 seconds (not the template\'s 30), then reports a timeout and leaves the script running.',
    fix: 'Add "timeoutInSeconds": 30 (or what your scripts need, at most 1800) to the config.',
    fixable: false,
    consequence: 'each script gets 10 s; a slower one is reported as timed out (Pre-/Post-ScriptTimeout) and left running',
    silent: false,
  },
  ({ facts, config }) => {
    if (!config || 'timeoutInSeconds' in config) return [];
    return [{ message: 'timeoutInSeconds is missing: the extension uses 10 s for each script (key names are case-sensitive)', path: facts.configPath }];
  },
);
