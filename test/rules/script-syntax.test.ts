import { rule } from '../../src/rules/script-syntax.js';
import { POST_SCRIPT, PRE_SCRIPT, compliantConfig, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

// these run the machine's real `sh -n`, as the collector does on the VM (dash on Debian/Ubuntu)
const script = (path: string, content: string, config = compliantConfig()) =>
  factsFor(withFiles(compliantFiles(config), [{ type: 'file', path, content, mode: 0o700 }]));

ruleTester(rule, {
  valid: [
    { name: 'the compliant scripts', facts: compliantFacts() },
    { name: 'bash shebang but POSIX body', facts: script(PRE_SCRIPT, '#!/bin/bash\nf() { sync; }\nf\n') },
    { name: 'POSIX expansions and bash-looking text in quotes, comments and heredocs', facts: script(PRE_SCRIPT, "#!/bin/sh\n# [[ -f x ]] ${x//a/b}\necho \"${x:-default} ${#x} ${x%.sh}\" '[[ x ]]'\ncat <<'EOF'\nset -o pipefail\nEOF\n") },
  ],
  invalid: [
    {
      name: '[[ ]] parses under sh -n and fails at run time: a warning',
      facts: script(PRE_SCRIPT, '#!/bin/bash\nif [[ -f /etc/app ]]; then sync; fi\nsource /etc/app/env\n'),
      findings: [{ messageIncludes: ['line 2 (if [[ -f /etc/app ]]; then sync; fi)', '[[ ]] test', 'and 1 more bash-only line: 3'], path: PRE_SCRIPT, severity: 'warning' }],
    },
    {
      name: 'set -euo pipefail: dash stops the script with exit 2',
      facts: script(PRE_SCRIPT, '#!/bin/bash\nset -euo pipefail\n[[ -d /data ]]\nsync\n'),
      findings: [{ messageIncludes: ['line 2 (set -euo pipefail)', 'Illegal option -o pipefail', 'failure 300 (Pre-ScriptExecutionFailed)', 'and 1 more'], severity: 'error', consequenceIncludes: 'Pre-ScriptExecutionFailed, 300' }],
    },
    {
      name: '${var//a/b} in the post-script: Bad substitution',
      facts: script(POST_SCRIPT, '#!/bin/bash\nname=db-1\necho "${name//-/_}"\n'),
      findings: [{ messageIncludes: ['post-script', 'line 3', 'Bad substitution', 'failure 301'], path: POST_SCRIPT, severity: 'error' }],
    },
    {
      name: 'function keyword with parentheses',
      facts: script(PRE_SCRIPT, '#!/bin/bash\nfunction quiesce() {\n  sync\n}\nquiesce\n'),
      findings: [{ messageIncludes: ['pre-script /etc/azure/prescript.sh fails `sh -n`', 'Syntax error'], path: PRE_SCRIPT, severity: 'error', consequenceIncludes: 'Pre-ScriptExecutionFailed, 300' }],
    },
    {
      name: 'a bash array in the post-script, continueBackupOnFailure false',
      facts: script(POST_SCRIPT, '#!/bin/bash\ndbs=( a b )\n', compliantConfig({ continueBackupOnFailure: false })),
      findings: [{ messageIncludes: 'post-script /etc/azure/postscript.sh fails', path: POST_SCRIPT, consequenceIncludes: 'Post-ScriptExecutionFailed, 301); the backup fails (continueBackupOnFailure is false)' }],
    },
  ],
});
