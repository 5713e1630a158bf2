import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import { formatMode, isRegularFile } from './helpers.js';

export const rule = defineRule(
  {
    id: 'config-mode-recommended',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: "none: the public doc's recommendation (0600), stricter than PluginHost.py:138",
    scope: 'framework',
    title: 'The script config has the mode the doc asks for (0600)',
    why: 'The extension accepts any mode with (mode & 0o177) == 0, but the public doc asks for exactly 600; a config that drifts from the doc confuses the next person who reads it.',
    fix: 'chmod 0600 /etc/azure/VMSnapshotScriptPluginConfig.json',
    fixable: true,
    consequence: CONSEQUENCE.none,
    silent: false,
  },
  ({ facts }) => {
    const file = facts.config.file;
    if (!isRegularFile(file)) return [];
    const mode = file.stat.mode;
    if ((mode & 0o177) !== 0 || mode === 0o600) return [];
    return [
      {
        message: `script config ${facts.configPath} mode is ${formatMode(mode)}: the extension accepts it ((mode & 0o177) == 0), but the doc asks for 0600`,
        path: facts.configPath,
      },
    ];
  },
);
