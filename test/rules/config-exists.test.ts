import { rule } from '../../src/rules/config-exists.js';
import { CONFIG_PATH, compliantConfig, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const content = JSON.stringify(compliantConfig());

ruleTester(rule, {
  valid: [
    { name: 'a regular file', facts: compliantFacts() },
    {
      name: 'a symlink to a regular file (followed)',
      facts: factsFor(
        withFiles(compliantFiles(), [
          { type: 'file', path: '/etc/azure/real.json', content, mode: 0o600 },
          { type: 'symlink', path: CONFIG_PATH, target: 'real.json' },
        ]),
      ),
    },
  ],
  invalid: [
    {
      name: 'missing',
      facts: factsFor(withFiles(compliantFiles(), [], [CONFIG_PATH])),
      findings: [{ messageIncludes: [CONFIG_PATH, 'does not exist (ENOENT)'], path: CONFIG_PATH, severity: 'error', consequenceIncludes: 'silently' }],
    },
    {
      name: 'a directory',
      facts: factsFor(withFiles(compliantFiles(), [{ type: 'dir', path: CONFIG_PATH, mode: 0o700 }])),
      findings: [{ messageIncludes: 'is a directory' }],
    },
    {
      name: 'a broken symlink',
      facts: factsFor(withFiles(compliantFiles(), [{ type: 'symlink', path: CONFIG_PATH, target: '/opt/app/config.json' }])),
      findings: [{ messageIncludes: ['is a broken symlink', '-> /opt/app/config.json', 'ENOENT'] }],
    },
    {
      name: 'a symlink loop',
      facts: factsFor(
        withFiles(compliantFiles(), [
          { type: 'symlink', path: CONFIG_PATH, target: '/etc/azure/b.json' },
          { type: 'symlink', path: '/etc/azure/b.json', target: CONFIG_PATH },
        ]),
      ),
      findings: [{ messageIncludes: 'symlink loop' }],
    },
    {
      name: '/etc/azure is a file (ENOTDIR)',
      facts: factsFor(
        withFiles(compliantFiles(), [{ type: 'file', path: '/etc/azure', content: 'oops', mode: 0o644 }], [
          CONFIG_PATH,
          '/etc/azure/prescript.sh',
          '/etc/azure/postscript.sh',
        ]),
      ),
      findings: [{ messageIncludes: 'ENOTDIR' }],
    },
  ],
});
