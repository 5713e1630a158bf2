import { defineRule, portalErrorFor } from './rule.js';
import type { PathFacts, StatFacts } from '../model/facts.js';
import { describeStat, judgedDir, nonRootWriters } from './helpers.js';

export const rule = defineRule(
  {
    id: 'path-writable-by-non-root',
    severity: 'error',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: "none: vmsnap's own security check (the extension never checks parent directories)",
    scope: 'outside',
    title: 'No directory above the config, the scripts or the host conf is writable by a non-root user',
    why: 'The extension checks the files, never their directories, and runs the scripts as root. Whoever can write a directory on the way to the config, a script (including the directories of a symlink and of its target) or the host conf can swap the file for their own: privilege escalation to root at the next backup.',
    fix: 'chown root:root the directory and chmod go-w it (e.g. chown root:root /etc/azure && chmod 0755 /etc/azure); move scripts out of directories other users must write.',
    fixable: false,
    consequence: 'the backup is unaffected, but a non-root user can make the extension run their code as root',
    silent: false,
  },
  ({ facts }) => {
    const files: { label: string; file: PathFacts | null }[] = [
      { label: `the script config ${facts.configPath}`, file: facts.config.file },
      { label: `the pre-script ${facts.scripts.pre?.resolvedPath ?? ''}`, file: facts.scripts.pre?.file ?? null },
      { label: `the post-script ${facts.scripts.post?.resolvedPath ?? ''}`, file: facts.scripts.post?.file ?? null },
      { label: `the plugin host conf ${facts.hostConf.file?.path ?? ''}`, file: facts.hostConf.file },
    ];
    // one finding per directory, naming every file it guards
    const dirs = new Map<string, { stat: StatFacts; why: string[]; guards: string[] }>();
    for (const { label, file } of files) {
      for (const d of file?.parents ?? []) {
        if (!judgedDir(d)) continue;
        const known = dirs.get(d.path);
        if (known) {
          if (!known.guards.includes(label)) known.guards.push(label);
          continue;
        }
        const why = nonRootWriters(d.stat);
        if (why.length) dirs.set(d.path, { stat: d.stat, why, guards: [label] });
      }
    }
    return [...dirs.entries()].map(([path, { stat, why, guards }]) => ({
      message: `directory ${path} (${describeStat(stat)}) is writable by a non-root user: ${why.join('; ')}; that user can replace ${guards.join(', ')}, which the extension reads or runs as root`,
      path,
    }));
  },
);
