import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import { isRegularFile, ownerViolation } from './helpers.js';

export const rule = defineRule(
  {
    id: 'hostconf-owner',
    severity: 'error',
    extensionCode: 314,
    portalError: portalErrorFor(314),
    title: 'The plugin host conf is owned by root',
    why: "The extension looks up the owner's user name and refuses a host conf not owned by root (a uid with no passwd entry fails too), then silently takes a file-system-consistent backup (314).",
    fix: 'chown root the host conf the extension reads.',
    fixable: true,
    consequence: CONSEQUENCE.silentFallback,
    silent: true,
  },
  ({ facts }) => {
    const file = facts.hostConf.file;
    const message = isRegularFile(file) ? ownerViolation('plugin host conf', file) : null;
    return message && file ? [{ message, path: file.path }] : [];
  },
);
