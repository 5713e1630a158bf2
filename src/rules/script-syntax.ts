import { defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';
import type { Bashism } from '../collect/scan-shell.js';
import { scriptRunFailureConsequence, scriptTargets } from './script-rule-factory.js';

export const rule = defineRule(
  {
    id: 'script-syntax',
    severity: 'error',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: "ScriptRunner.py:204, 259 (['sh', location, params...]: /bin/sh runs it)",
    scope: 'framework',
    title: 'The scripts run under sh (dash), not only under bash',
    why: "The extension runs scripts as `sh <path>` (dash on Debian and Ubuntu): the shebang is ignored. A script `sh -n` rejects, or one using bash-only expansions dash stops on (${var//a/b}, ${var:0:2}, set -o pipefail, **), exits 2, which the extension reports as Pre-ScriptExecutionFailed (300) or Post-ScriptExecutionFailed (301). Other bash-only commands ([[ ]], source, ==) fail one by one while the script goes on: a warning.",
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
      if (path === undefined) continue;
      if (sh && !sh.ok) {
        out.push({
          message: `${t.kind.label} ${path} fails \`sh -n\` on the VM: ${sh.message || 'no message'}`,
          path,
          consequence: scriptRunFailureConsequence(t.kind, ctx.config),
        });
        continue; // dash never runs a line of it: what follows would not happen
      }
      const found = t.facts?.bashisms ?? [];
      const stops = found.find((b) => b.aborts);
      if (stops) {
        out.push({
          message: `${t.kind.label} ${path} line ${stops.line} (${stops.text}) uses ${stops.what}: it exits 2 under sh, failure ${t.kind.failedCode} (${portalErrorFor(t.kind.failedCode)})${more(found, stops)}`,
          path,
          consequence: scriptRunFailureConsequence(t.kind, ctx.config),
        });
      } else if (found.length > 0) {
        const first = found[0]!;
        out.push({
          message: `${t.kind.label} ${path} line ${first.line} (${first.text}) uses ${first.what}; the extension runs it with sh, not bash${more(found, first)}`,
          path,
          severity: 'warning',
          consequence: 'the script runs, but that line does not do what it says under sh (with set -e the script stops there)',
        });
      }
    }
    return out;
  },
);

function more(found: readonly Bashism[], shown: Bashism): string {
  const others = found.filter((b) => b !== shown);
  if (others.length === 0) return '';
  return ` (and ${others.length} more bash-only line${others.length > 1 ? 's' : ''}: ${others.slice(0, 5).map((b) => b.line).join(', ')}${others.length > 5 ? ', …' : ''})`;
}
