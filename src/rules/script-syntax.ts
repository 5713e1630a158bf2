import { defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';
import { scriptRunFailureConsequence, scriptTargets } from './script-rule-factory.js';

export const rule = defineRule(
  {
    id: 'script-syntax',
    severity: 'error',
    extensionCode: null,
    portalError: portalErrorFor(null),
    title: "The scripts pass the VM's `sh -n`",
    why: "The extension runs scripts with the VM's sh (dash on Debian and Ubuntu). A script `sh -n` rejects exits 2 before doing anything, which the extension reports as Pre-ScriptExecutionFailed (300) or Post-ScriptExecutionFailed (301).",
    fix: 'Run `sh -n <script>` on the VM and rewrite the bash-only parts (function f() {...}, arrays, [[ ]], <<<) in POSIX sh, or wrap: `#!/bin/sh` then `exec /bin/bash /opt/app/real-script.sh "$@"`.',
    fixable: false,
    consequence: 'the script fails when run (Pre-/Post-ScriptExecutionFailed, 300/301); continueBackupOnFailure and fsFreezeEnabled decide the backup',
    silent: false,
  },
  (ctx) => {
    const out: RuleFinding[] = [];
    for (const t of scriptTargets(ctx)) {
      const sh = t.facts?.shSyntax;
      const path = t.file?.path;
      if (!sh || sh.ok || path === undefined) continue;
      out.push({
        message: `${t.kind.label} ${path} fails \`sh -n\` on the VM: ${sh.message || 'no message'}`,
        path,
        consequence: scriptRunFailureConsequence(t.kind, ctx.config),
      });
    }
    return out;
  },
);
