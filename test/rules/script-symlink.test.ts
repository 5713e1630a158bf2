import { rule } from '../../src/rules/script-symlink.js';
import { POST_SCRIPT, PRE_SCRIPT, SCRIPT_TEXT, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [{ name: 'regular files', facts: compliantFacts() }],
  invalid: [
    {
      name: 'a relative link into /opt',
      facts: factsFor(
        withFiles(compliantFiles(), [
          { type: 'file', path: '/opt/app/hooks/pre.sh', content: SCRIPT_TEXT, mode: 0o700 },
          { type: 'symlink', path: PRE_SCRIPT, target: '../../opt/app/hooks/pre.sh' },
        ]),
      ),
      findings: [{ messageIncludes: ['pre-script /etc/azure/prescript.sh is a symlink (/etc/azure/prescript.sh -> ../../opt/app/hooks/pre.sh)', 'the target /opt/app/hooks/pre.sh (0700, owner root)'], path: PRE_SCRIPT, severity: 'warning' }],
    },
    {
      name: 'a two-link chain',
      facts: factsFor(
        withFiles(compliantFiles(), [
          { type: 'file', path: '/srv/hooks/post-v2.sh', content: SCRIPT_TEXT, mode: 0o700 },
          { type: 'symlink', path: '/srv/hooks/post.sh', target: 'post-v2.sh' },
          { type: 'symlink', path: POST_SCRIPT, target: '/srv/hooks/post.sh' },
        ]),
      ),
      findings: [{ messageIncludes: '/etc/azure/postscript.sh -> /srv/hooks/post.sh -> post-v2.sh', path: POST_SCRIPT }],
    },
    {
      name: 'a broken link',
      facts: factsFor(withFiles(compliantFiles(), [{ type: 'symlink', path: PRE_SCRIPT, target: '/opt/gone.sh' }])),
      findings: [{ messageIncludes: 'the target does not exist' }],
    },
  ],
});
