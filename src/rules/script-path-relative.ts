import { defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';
import { scriptTargets } from './script-rule-factory.js';

export const rule = defineRule(
  {
    id: 'script-path-relative',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'ScriptRunner.py:160, 176 (os.path.isfile against the working directory, the extension folder)',
    scope: 'framework',
    title: 'Script locations are absolute paths',
    why: 'A relative script location resolves against the extension folder, whose name carries the extension version: the next extension upgrade moves to a new folder and the script is no longer found.',
    fix: 'Write the full path, e.g. "preScriptLocation": "/etc/azure/prescript.sh", and keep the scripts outside /var/lib/waagent.',
    fixable: false,
    consequence: 'works only until the next extension upgrade; then the script is not found (Pre-/Post-ScriptNotFound) and the scripts do not run',
    silent: false,
  },
  (ctx) => {
    const out: RuleFinding[] = [];
    for (const t of scriptTargets(ctx)) {
      if (t.location === '' || t.location.startsWith('/')) continue;
      const where = t.resolvedPath
        ? `the extension resolves it against its own folder, giving ${t.resolvedPath}, which moves with every extension upgrade`
        : 'the extension resolves it against its own folder, and none is installed';
      out.push({ message: `${t.kind.locationKey} "${t.location}" is a relative path: ${where}`, path: t.resolvedPath ?? ctx.facts.configPath });
    }
    return out;
  },
);
