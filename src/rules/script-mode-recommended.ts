import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';
import { formatMode } from './helpers.js';
import { existingScript, scriptTargets } from './script-rule-factory.js';

export const rule = defineRule(
  {
    id: 'script-mode-recommended',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: "none: the public doc's recommendation (0700), stricter than ScriptRunner.py:134-137",
    scope: 'framework',
    title: 'The scripts have the mode the doc asks for (0700)',
    why: 'The extension runs `sh <path>` and only checks (mode & 0o077) == 0, so 0600 or 0500 work; the doc asks for exactly 700, and a script that drifts from it surprises the next person who reads it.',
    fix: 'chmod 0700 /etc/azure/prescript.sh /etc/azure/postscript.sh (your script paths)',
    fixable: true,
    consequence: CONSEQUENCE.none,
    silent: false,
  },
  (ctx) => {
    const out: RuleFinding[] = [];
    for (const target of scriptTargets(ctx)) {
      const t = existingScript(target);
      if (!t) continue;
      const mode = t.file.stat.mode;
      if ((mode & 0o077) !== 0 || mode === 0o700) continue;
      out.push({
        message: `${t.kind.label} ${t.file.path} mode is ${formatMode(mode)}: the extension accepts it ((mode & 0o077) == 0), but the doc asks for 0700`,
        path: t.file.path,
      });
    }
    return out;
  },
);
