import { CONSEQUENCE, portalErrorFor } from './rule.js';
import { HOST_CONF, rootOwnerRule } from './file-rule-factory.js';

export const rule = rootOwnerRule(
  {
    id: 'hostconf-owner',
    severity: 'error',
    extensionCode: 314,
    portalError: portalErrorFor(314),
    upstream: 'PluginHost.py:98-100, 173-181',
    scope: 'framework',
    title: 'The plugin host conf is owned by root',
    why: "The extension looks up the owner's user name and refuses a host conf not owned by root (a uid with no passwd entry fails too), then silently takes a file-system-consistent backup (314).",
    fix: 'Reinstall the extension (or replace the /etc/azure override with a root-owned copy of the shipped file). Do not chown it: a non-root owner could have written any plugin module into it, which the extension would then import as root; --fix never does.',
    fixable: false,
    consequence: CONSEQUENCE.silentFallback,
    silent: true,
  },
  HOST_CONF,
);
