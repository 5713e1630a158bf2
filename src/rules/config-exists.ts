import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import { describeNotRegular, isRegularFile } from './helpers.js';

export const rule = defineRule(
  {
    id: 'config-exists',
    severity: 'error',
    extensionCode: 316,
    portalError: portalErrorFor(316),
    upstream: 'PluginHost.py:136, 144-146',
    scope: 'framework',
    title: 'The script config file exists',
    why: "The extension reads the config named by the host conf's pluginConfigPath0 (default /etc/azure/VMSnapshotScriptPluginConfig.json), following symlinks. When it is not a regular file the extension fails with 316 and silently takes a file-system-consistent backup.",
    fix: 'Download VMSnapshotScriptPluginConfig.json from github.com/MicrosoftAzureBackup/VMSnapshotPluginConfig to /etc/azure, fill in the script paths, then chown root and chmod 0600 it.',
    fixable: false,
    consequence: CONSEQUENCE.silentFallback,
    silent: true,
  },
  ({ facts }) => {
    const file = facts.config.file;
    if (isRegularFile(file)) return [];
    return [{ message: `script config ${facts.configPath} ${describeNotRegular(file)}: the extension needs a regular file there`, path: facts.configPath }];
  },
);
