import { defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';
import { baseName } from './helpers.js';
import { scriptTargets } from './script-rule-factory.js';

const POSIX_SH = new Set(['/bin/sh', '/usr/bin/sh', '/bin/dash', '/usr/bin/dash']);
const POSIX_SH_NAMES = new Set(['sh', 'dash']);

/** What a shebang line asks for: null when it names a POSIX sh with no options. */
export function shebangProblem(firstLine: string): string | null {
  const line = firstLine.replace(/\s+$/, '');
  if (!line.startsWith('#!')) return null;
  const words = line.slice(2).trim().split(/\s+/).filter(Boolean);
  const [interpreter, ...args] = words;
  if (interpreter === undefined) return null;
  if (baseName(interpreter) === 'env') {
    const program = args.find((a) => !a.startsWith('-') && !a.includes('='));
    if (program !== undefined && POSIX_SH_NAMES.has(program)) {
      const rest = args.slice(args.indexOf(program) + 1);
      return rest.length ? `its shebang's options "${rest.join(' ')}" are ignored` : null;
    }
    return `its shebang names ${program ?? 'no program'} through env, which is ignored`;
  }
  if (POSIX_SH.has(interpreter)) {
    return args.length ? `its shebang's options "${args.join(' ')}" are ignored` : null;
  }
  return `its shebang names ${interpreter}, which is ignored`;
}

export const rule = defineRule(
  {
    id: 'script-interpreter',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: "ScriptRunner.py:204, 259 (['sh', location, params...]: the shebang is ignored)",
    scope: 'framework',
    title: 'The scripts are written for sh, not another interpreter',
    why: 'The extension runs every script as `sh <path> <params...>`: the shebang line (and the execute bit) are ignored, so a bash, python or other script is fed to sh (dash on Debian and Ubuntu), where it typically fails.',
    fix: 'Write the script in POSIX sh with #!/bin/sh, or make it a two-line sh wrapper: `#!/bin/sh` then `exec /bin/bash /opt/app/real-prescript.sh "$@"`.',
    fixable: false,
    consequence: 'the script runs under sh whatever its shebang says; syntax sh does not know fails it (Pre-/Post-ScriptExecutionFailed)',
    silent: false,
  },
  (ctx) => {
    const out: RuleFinding[] = [];
    for (const t of scriptTargets(ctx)) {
      const first = t.facts?.firstLine;
      const path = t.file?.path;
      if (first == null || path === undefined) continue;
      const problem = shebangProblem(first);
      if (!problem) continue;
      out.push({
        message: `${t.kind.label} ${path} starts with "${first.trim()}": ${problem}: the extension runs it as \`sh ${path}\``,
        path,
      });
    }
    return out;
  },
);
