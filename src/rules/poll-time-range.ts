import { defineRule, portalErrorFor } from './rule.js';
import { isNumericString, showValue } from './helpers.js';

export const rule = defineRule(
  {
    id: 'poll-time-range',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    title: 'ScriptsExecutionPollTimeSeconds is an integer from 1 to 5',
    why: 'The doc says ScriptsExecutionPollTimeSeconds must be an integer from 1 to 5; the extension silently ignores any other value and polls every 3 seconds.',
    fix: 'Set "ScriptsExecutionPollTimeSeconds" to an integer from 1 to 5, or remove it for the default 3.',
    fixable: false,
    consequence: 'ignored: the extension polls every 3 s',
    silent: false,
  },
  ({ facts, config }) => {
    if (!config || !('ScriptsExecutionPollTimeSeconds' in config)) return [];
    const v = config['ScriptsExecutionPollTimeSeconds'];
    const n = typeof v === 'number' ? v : typeof v === 'string' && isNumericString(v) ? Number(v.trim()) : null;
    if (n !== null && typeof v === 'string' && Number.isInteger(n) && n >= 1 && n <= 5) {
      return [{ message: `ScriptsExecutionPollTimeSeconds is the string ${showValue(v)}: the extension reads it as ${n}, but the doc asks for an integer; write ${n} without quotes`, path: facts.configPath }];
    }
    if (n === null || (Number.isInteger(n) && n >= 1 && n <= 5)) return [];
    return [
      {
        message: `ScriptsExecutionPollTimeSeconds is ${showValue(v)}: not an integer from 1 to 5, so the extension ignores it and polls every 3 s`,
        path: facts.configPath,
      },
    ];
  },
);
