import { defineRule, portalErrorFor } from './rule.js';
import { pythonTruthy, showValue } from './helpers.js';

export const rule = defineRule(
  {
    id: 'fsfreeze-disabled',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'ScriptRunner.py:103-104; handle.py:199 (g_fsfreeze_on)',
    scope: 'framework',
    title: 'fsFreezeEnabled false does not defeat continueBackupOnFailure',
    why: 'With fsFreezeEnabled false the extension fails the whole backup on any script failure, whatever continueBackupOnFailure says, so a config asking to continue on failure does not.',
    fix: 'Set "fsFreezeEnabled": true unless your application cannot stand fsfreeze; if it cannot, expect script failures to fail the backup.',
    fixable: false,
    consequence: 'any script failure fails the whole backup, although continueBackupOnFailure is true',
    silent: false,
  },
  ({ facts, config }) => {
    if (!config || !('fsFreezeEnabled' in config)) return [];
    const freeze = config['fsFreezeEnabled'];
    const cont = 'continueBackupOnFailure' in config ? config['continueBackupOnFailure'] : true;
    if (pythonTruthy(freeze) || !pythonTruthy(cont)) return [];
    return [
      {
        message: `fsFreezeEnabled is ${showValue(freeze)}${freeze === false ? '' : ' (false to the extension)'} while continueBackupOnFailure is ${'continueBackupOnFailure' in config ? showValue(cont) : 'absent (true)'}: any script failure still fails the whole backup`,
        path: facts.configPath,
      },
    ];
  },
);
