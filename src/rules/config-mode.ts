import { CONSEQUENCE, portalErrorFor } from './rule.js';
import { SCRIPT_CONFIG, modeCeilingRule } from './file-rule-factory.js';

export const rule = modeCeilingRule(
  {
    id: 'config-mode',
    severity: 'error',
    extensionCode: 317,
    portalError: portalErrorFor(317),
    upstream: 'PluginHost.py:137-140',
    scope: 'framework',
    title: 'The script config is readable and writable by its owner only',
    why: 'The extension refuses a config with any execute bit or any group/other bit ((mode & 0o177) != 0: 0600, 0400, 0200 and 0000 pass; 0700, 0640 and 0644 fail). It logs a visible warning (317) and the scripts do not run.',
    fix: 'chmod 0600 /etc/azure/VMSnapshotScriptPluginConfig.json',
    fixable: true,
    consequence: CONSEQUENCE.visibleFallback,
    silent: false,
  },
  SCRIPT_CONFIG,
  0o177,
  0o600,
);
