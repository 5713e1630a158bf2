import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import { isNumericString, showValue } from './helpers.js';

export const rule = defineRule(
  {
    id: 'poll-time-not-numeric',
    severity: 'error',
    extensionCode: 305,
    portalError: portalErrorFor(305),
    title: 'ScriptsExecutionPollTimeSeconds is a number',
    why: 'A ScriptsExecutionPollTimeSeconds string that is not a number makes the extension fail to read the config (305) and silently take a file-system-consistent backup.',
    fix: 'Write an integer from 1 to 5 without quotes ("ScriptsExecutionPollTimeSeconds": 2), or remove the key for the default 3.',
    fixable: false,
    consequence: CONSEQUENCE.silentFallback,
    silent: true,
  },
  ({ facts, config }) => {
    const v = config?.['ScriptsExecutionPollTimeSeconds'];
    if (typeof v !== 'string' || isNumericString(v)) return [];
    return [{ message: `ScriptsExecutionPollTimeSeconds is the string ${showValue(v)}, which is not a number: the extension fails to read the config (305)`, path: facts.configPath }];
  },
);
