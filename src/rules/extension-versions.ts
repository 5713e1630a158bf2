import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import { baseName } from './helpers.js';
import { ignoredBecause } from './extension-installed.js';

export const rule = defineRule(
  {
    id: 'extension-versions',
    severity: 'info',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'none: the agent (WALinuxAgent) picks the extension folder, outside VMBackup/main',
    scope: 'outside',
    title: 'Which of several extension folders the agent uses',
    why: 'With more than one VMSnapshotLinux folder only one is used: the newest eligible version in numeric order. Its host conf and its folder (for relative script paths) are the ones that count.',
    fix: 'Nothing to fix. Old folders are removed by the agent; a folder stuck in FailedUpgrade goes away when the extension is uninstalled and reinstalled by the next backup.',
    fixable: false,
    consequence: CONSEQUENCE.none,
    silent: false,
  },
  ({ facts }) => {
    if (facts.extensions.length < 2) return [];
    const list = facts.extensions
      .map((e) => `${e.version} (${e.eligible ? `HandlerState ${e.handlerState}` : `ignored: ${ignoredBecause(e)}`})`)
      .join(', ');
    const used = facts.selectedExtension
      ? `the agent uses ${baseName(facts.selectedExtension)}, the newest eligible version compared numerically (1.0.10000.0 is newer than 1.0.9225.0)`
      : 'the agent uses none of them: none is eligible';
    return [{ message: `${facts.extensions.length} VMSnapshotLinux folders in ${facts.waagent.libDir}: ${list}; ${used}`, path: facts.waagent.libDir }];
  },
);
