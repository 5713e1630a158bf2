import { CONSEQUENCE, portalErrorFor } from './rule.js';
import { HOST_CONF, modeCeilingRule } from './file-rule-factory.js';

export const rule = modeCeilingRule(
  {
    id: 'hostconf-mode',
    severity: 'error',
    extensionCode: 314,
    portalError: portalErrorFor(314),
    upstream: 'PluginHost.py:91, 95-97, 184-193',
    scope: 'framework',
    title: 'The plugin host conf is not writable by group or others',
    why: 'The extension refuses a host conf whose group or others have write or execute bits ((mode & 0o033) != 0: 0664 and 0755 fail, 0644 and 0744 pass), and silently takes a file-system-consistent backup (314).',
    fix: 'chmod 0644 the host conf the extension reads (the override /etc/azure/VMSnapshotPluginHost.conf when present, else <extension folder>/main/VMSnapshotPluginHost.conf).',
    fixable: true,
    consequence: CONSEQUENCE.silentFallback,
    silent: true,
  },
  HOST_CONF,
  0o033,
  0o644,
);
