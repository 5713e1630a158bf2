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
    { name: '[[ ]] and brace expansion parse under sh -n (they fail only at run time)', facts: script(PRE_SCRIPT, '#!/bin/sh\n[[ -f x ]] && echo {a,b}\n') },
  ],
  invalid: [
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
