import { defineRule, portalErrorFor } from './rule.js';
import { showValue } from './helpers.js';
import { pyInt } from './python.js';

export const rule = defineRule(
  {
    id: 'poll-time-range',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'ScriptRunner.py:105-106',
    scope: 'framework',
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
    // the extension uses int(v) when it is 1..5 (ScriptRunner.py:105); int() failures are other rules'
    const int = pyInt(v);
    if (!int.ok) return [];
    const n = int.value;
    if (n >= 1 && n <= 5) {
      if (typeof v === 'number' && Number.isInteger(v)) return [];
      return [{ message: `ScriptsExecutionPollTimeSeconds is ${typeof v === 'string' ? 'the string ' : ''}${showValue(v)}: the extension reads it as ${n}, but the doc asks for an integer; write ${n} without quotes`, path: facts.configPath }];
    }
    return [
      {
        message: `ScriptsExecutionPollTimeSeconds is ${showValue(v)}: not an integer from 1 to 5, so the extension ignores it and polls every 3 s`,
        path: facts.configPath,
      },
    ];
  },
);
