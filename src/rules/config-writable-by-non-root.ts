import { defineRule, portalErrorFor } from './rule.js';
import { describeStat, isRegularFile, linkNote, nonRootWriters } from './helpers.js';

export const rule = defineRule(
  {
    id: 'config-writable-by-non-root',
    severity: 'error',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: "none: vmsnap's own security check (the extension checks owner and mode bits only)",
    scope: 'outside',
    title: 'The script config is not writable by a non-root user',
    why: 'The config names the scripts the extension runs as root: whoever can write it (a non-root owner, a non-root group with the write bit, or everyone) can make the next backup run their code as root.',
    fix: 'Review the config and the scripts it names (a non-root user could have written anything), then chown root:root /etc/azure/VMSnapshotScriptPluginConfig.json && chmod 0600 /etc/azure/VMSnapshotScriptPluginConfig.json; --fix does this only with --fix-adopt.',
    fixable: true,
    consequence: 'a non-root user can make the extension run their code as root',
    silent: false,
  },
  ({ facts }) => {
    const file = facts.config.file;
    if (!isRegularFile(file)) return [];
    const why = nonRootWriters(file.stat);
    if (why.length === 0) return [];
    return [
      {
        message: `script config ${facts.configPath} (${describeStat(file.stat)}) is writable by a non-root user: ${why.join('; ')}${linkNote(file)}`,
        path: facts.configPath,
      },
    ];
  },
);
