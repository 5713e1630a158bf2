import { defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';
import { pythonTruthy, showValue } from './helpers.js';

/** Strings that read as "no" to a person; the extension sees only non-empty, i.e. true. */
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'n', 'f']);

export const rule = defineRule(
  {
    id: 'boolean-as-string',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'ScriptRunner.py:97-98, 103-104, 158 (used by truthiness)',
    scope: 'framework',
    title: 'continueBackupOnFailure and fsFreezeEnabled are JSON booleans',
    why: 'The extension uses these values by Python truthiness: any non-empty string is true, so "false" means true; only "" is false. The backup still runs (a warning), but not the way the value says.',
    fix: 'Write true or false without quotes, e.g. "fsFreezeEnabled": true.',
    fixable: false,
    consequence: 'the extension does the opposite of what the value says',
    silent: false,
  },
  ({ facts, config }) => {
    if (!config) return [];
    const out: RuleFinding[] = [];
    for (const key of ['continueBackupOnFailure', 'fsFreezeEnabled']) {
      const v = config[key];
      if (typeof v !== 'string') continue;
      const path = facts.configPath;
      if (!pythonTruthy(v)) {
        out.push({
          message: `${key} is the empty string "": the extension reads it as false; write true or false without quotes`,
          path,
          consequence: `the extension treats ${key} as false`,
        });
      } else if (FALSE_WORDS.has(v.trim().toLowerCase())) {
        out.push({
          message: `${key} is the string ${showValue(v)}, which is truthy: the extension treats it as true, the opposite of what it says; write false without quotes`,
          path,
          consequence: `the extension treats ${key} as true`,
        });
      } else {
        out.push({
          message: `${key} is the string ${showValue(v)}: the extension treats any non-empty string as true; write true or false without quotes`,
          path,
          consequence: `the extension treats ${key} as true`,
        });
      }
    }
    return out;
  },
);
