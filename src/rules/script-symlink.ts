import { defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';
import { describeChain, describeOwner, formatMode } from './helpers.js';
import { scriptTargets } from './script-rule-factory.js';

export const rule = defineRule(
  {
    id: 'script-symlink',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'ScriptRunner.py:132, 160, 176 (stat and isfile follow links; the link is never checked)',
    scope: 'framework',
    title: 'Script locations are not symlinks',
    why: "The extension follows symlinks and checks only the target's mode and owner: the link and the directories along the chain are never checked, and a reader of the config sees a path whose permissions do not matter.",
    fix: 'Point the location at the real file (readlink -f <path> gives it), or replace the link with the file itself.',
    fixable: false,
    consequence: "the extension runs the link's target; the link itself is not checked",
    silent: false,
  },
  (ctx) => {
    const out: RuleFinding[] = [];
    for (const t of scriptTargets(ctx)) {
      const file = t.file;
      if (!file || file.lstat?.type !== 'symlink') continue;
      const target = file.stat
        ? `; the target ${file.realpath ?? file.symlinkChain[file.symlinkChain.length - 1]} (${formatMode(file.stat.mode)}, owner ${describeOwner(file.stat)}) is what the extension checks and runs`
        : '; the target does not exist';
      out.push({ message: `${t.kind.label} ${file.path} is a symlink (${describeChain(file)})${target}`, path: file.path });
    }
    return out;
  },
);
