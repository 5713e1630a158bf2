import { defineRule, portalErrorFor } from './rule.js';

export const MAX_TIMEOUT_SECONDS = 1800;

export const rule = defineRule(
  {
    id: 'timeout-above-max',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'ScriptRunner.py:86, 216; PluginHost.py:67, 120',
    scope: 'framework',
    title: 'timeoutInSeconds is at most 1800',
    why: 'The extension silently clamps timeoutInSeconds to 1800 (the doc\'s maximum): a script that needs longer is reported as timed out after 30 minutes.',
    fix: 'Set "timeoutInSeconds" to 1800 or less and make the scripts finish within it.',
    fixable: false,
    consequence: 'the extension uses 1800 s',
    silent: false,
  },
  ({ facts, config }) => {
    const v = config?.['timeoutInSeconds'];
    if (typeof v === 'number' && Number.isNaN(v)) {
      // min(nan, 1800) is nan: the script runner's `curr >= nan` never holds, so only the host conf's timeout ends a hung script
      return [{ message: `timeoutInSeconds is NaN: the script runner never times a script out, so the extension waits for the host conf's timeout (${MAX_TIMEOUT_SECONDS} s)`, path: facts.configPath }];
    }
    if (typeof v !== 'number' || v <= MAX_TIMEOUT_SECONDS) return [];
    return [{ message: `timeoutInSeconds is ${v}: above the maximum of ${MAX_TIMEOUT_SECONDS}, so the extension silently uses ${MAX_TIMEOUT_SECONDS} s`, path: facts.configPath }];
  },
);
