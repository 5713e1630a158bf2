import { CONSEQUENCE, portalErrorFor } from './rule.js';
import { SCRIPT_CONFIG, rootOwnerRule } from './file-rule-factory.js';

export const rule = rootOwnerRule(
  {
    id: 'config-owner',
    severity: 'error',
    extensionCode: 317,
    portalError: portalErrorFor(317),
    upstream: 'PluginHost.py:141-143, 173-181',
    scope: 'framework',
    title: 'The script config is owned by root',
    why: "The extension looks up the config owner's user name and refuses anything but root (a uid with no passwd entry fails too; the group is never checked). It logs a visible warning (317) and the scripts do not run.",
    fix: 'Review the config and the scripts it names (its owner could have written anything), then chown root /etc/azure/VMSnapshotScriptPluginConfig.json; --fix does this only with --fix-adopt.',
    fixable: true,
    consequence: CONSEQUENCE.visibleFallback,
    silent: false,
  },
  SCRIPT_CONFIG,
);
