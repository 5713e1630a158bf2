import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import { describeNotRegular, isRegularFile } from './helpers.js';

export const rule = defineRule(
  {
    id: 'hostconf-exists',
    severity: 'error',
    extensionCode: 313,
    portalError: portalErrorFor(313),
    upstream: 'PluginHost.py:87-94',
    scope: 'framework',
    title: 'The plugin host conf exists',
    why: 'The extension first looks for /etc/azure/VMSnapshotPluginHost.conf, then for main/VMSnapshotPluginHost.conf in its own folder. With neither it gives up on the scripts (313) and silently takes a file-system-consistent backup.',
    fix: 'Uninstall the VMSnapshotLinux extension (portal: VM > Extensions) so the next backup reinstalls it with its host conf; do not hand-craft an override in /etc/azure unless you must.',
    fixable: false,
    consequence: CONSEQUENCE.silentFallback,
    silent: true,
  },
  ({ facts }) => {
    const hc = facts.hostConf;
    // No extension and no override: extension-installed already says it all.
    if (facts.selectedExtension === null && hc.source === 'none') return [];
    if (hc.source !== 'none' && isRegularFile(hc.file)) return [];
    const path = hc.file?.path ?? hc.extensionPath ?? hc.overridePath;
    const detail = hc.file && !isRegularFile(hc.file) ? `; ${hc.file.path} ${describeNotRegular(hc.file)}` : '';
    const message =
      hc.source === 'none'
        ? `no plugin host conf: neither the override ${hc.overridePath} nor ${hc.extensionPath ?? "the extension's main/VMSnapshotPluginHost.conf"} is a regular file${detail}`
        : `the plugin host conf ${path} is not a regular file${detail}`;
    return [{ message, path }];
  },
);
