import { defineRule, portalErrorFor } from './rule.js';
import { baseName } from './helpers.js';
import type { ExtensionFolder } from '../model/facts.js';

const CONSEQUENCE_NO_EXTENSION =
  'no backup extension: nothing runs the scripts (the extension is installed by the first backup of the VM)';

/** Why the agent ignores a folder, from its HandlerState. */
export function ignoredBecause(e: ExtensionFolder): string {
  if (e.handlerState === null) return 'HandlerState missing';
  return `HandlerState ${e.handlerState}`;
}

export const rule = defineRule(
  {
    id: 'extension-installed',
    severity: 'error',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'none: the agent (WALinuxAgent) picks the extension folder, outside VMBackup/main',
    scope: 'outside',
    title: 'The VMSnapshotLinux extension is installed',
    why: 'Without an eligible Microsoft.Azure.RecoveryServices.VMSnapshotLinux-* folder the agent has no backup extension to run, so nothing runs the pre- and post-scripts.',
    fix: 'Run (or let the schedule run) a backup of the VM: the first backup installs the extension. If a folder is stuck in FailedUpgrade or NotInstalled, uninstall the extension from the portal and back up again.',
    fixable: false,
    consequence: CONSEQUENCE_NO_EXTENSION,
    silent: false,
  },
  ({ facts }) => {
    if (facts.selectedExtension !== null) return [];
    const where = `${facts.waagent.libDir} (Lib.Dir, ${facts.waagent.libDirSource === 'default' ? 'the default' : 'from /etc/waagent.conf'})`;
    const message =
      facts.extensions.length === 0
        ? `no Microsoft.Azure.RecoveryServices.VMSnapshotLinux-* folder in ${where}`
        : `no eligible Microsoft.Azure.RecoveryServices.VMSnapshotLinux-* folder in ${where}: ` +
          facts.extensions.map((e) => `${baseName(e.dir)} is ignored (${ignoredBecause(e)})`).join('; ') +
          '; the agent ignores folders whose HandlerState is missing, NotInstalled or FailedUpgrade';
    return [{ message, path: facts.waagent.libDir }];
  },
);
