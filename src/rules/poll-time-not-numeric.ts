import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import { showValue } from './helpers.js';
import { pyInt } from './python.js';

export const rule = defineRule(
  {
    id: 'poll-time-not-numeric',
    severity: 'error',
    extensionCode: 305,
    portalError: portalErrorFor(305),
    upstream: 'ScriptRunner.py:105, 112-114',
    scope: 'framework',
    title: 'ScriptsExecutionPollTimeSeconds is an integer Python can read',
    why: 'A ScriptsExecutionPollTimeSeconds that Python\'s int() rejects with ValueError (a string that is not an integer, such as "2.5", "1e3" or "0x10"; or NaN) makes the extension fail to read the config (305) and silently take a file-system-consistent backup.',
    fix: 'Write an integer from 1 to 5 without quotes ("ScriptsExecutionPollTimeSeconds": 2), or remove the key for the default 3.',
    fixable: false,
    consequence: CONSEQUENCE.silentFallback,
    silent: true,
  },
  ({ facts, config }) => {
    if (!config || !('ScriptsExecutionPollTimeSeconds' in config)) return [];
    const v = config['ScriptsExecutionPollTimeSeconds'];
    // Python's int() (ScriptRunner.py:105): a ValueError is caught and the config counts as not loaded
    const n = pyInt(v);
    if (n.ok || n.raises !== 'ValueError') return []; // TypeError and OverflowError: config-types (304)
    return [{ message: `ScriptsExecutionPollTimeSeconds is ${typeof v === 'string' ? `the string ${showValue(v)}` : showValue(v)}, which Python's int() cannot read (ValueError): the extension fails to read the config (305)`, path: facts.configPath }];
  },
);
