import { defineRule, portalErrorFor } from './rule.js';
import { backupAfterScriptFailure } from './helpers.js';

export const rule = defineRule(
  {
    id: 'timeout-nonpositive',
    severity: 'error',
    extensionCode: 308,
    portalError: portalErrorFor(308),
    upstream: 'ScriptRunner.py:86, 107, 216',
    scope: 'framework',
    title: 'timeoutInSeconds is positive',
    why: 'The extension declares a script timed out as soon as its elapsed time reaches the timeout: with 0 or less, every script times out at the first poll (308 for the pre-script) and is left running.',
    fix: 'Set "timeoutInSeconds" to the time your scripts need, between 1 and 1800 (the template uses 30).',
    fixable: false,
    consequence: 'every script times out at the first poll (Pre-ScriptTimeout, 308) and is not killed; continueBackupOnFailure and fsFreezeEnabled decide the backup',
    silent: false,
  },
  ({ facts, config }) => {
    const v = config?.['timeoutInSeconds'];
    if (typeof v !== 'number' || v > 0 || Number.isNaN(v)) return [];
    return [
      {
        message: `timeoutInSeconds is ${v}: the extension requires a positive number, or every script times out at the first poll`,
        path: facts.configPath,
        consequence: `every script times out at the first poll (Pre-ScriptTimeout, 308) and is not killed; ${backupAfterScriptFailure(config ?? null)}`,
      },
    ];
  },
);
