import { rule } from '../../src/rules/prescript-exists.js';
import { EXT_DIR, PRE_SCRIPT, SCRIPT_TEXT, compliantConfig, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor, factsWithConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'the compliant VM', facts: compliantFacts() },
    {
      name: 'a relative path that exists in the extension folder (script-path-relative reports it)',
      facts: factsFor(withFiles(compliantFiles(compliantConfig({ preScriptLocation: 'pre.sh' })), [{ type: 'file', path: `${EXT_DIR}/pre.sh`, content: SCRIPT_TEXT, mode: 0o700 }])),
    },
    { name: 'a null location (config-types reports it)', facts: factsWithConfig(compliantConfig({ preScriptLocation: null })) },
    {
      name: 'a symlink to a regular file',
      facts: factsFor(
        withFiles(compliantFiles(), [
          { type: 'file', path: '/opt/app/pre.sh', content: SCRIPT_TEXT, mode: 0o700 },
          { type: 'symlink', path: PRE_SCRIPT, target: '/opt/app/pre.sh' },
        ]),
      ),
    },
  ],
  invalid: [
    {
      name: 'missing',
      facts: factsFor(withFiles(compliantFiles(), [], [PRE_SCRIPT])),
      findings: [{ messageIncludes: ['pre-script /etc/azure/prescript.sh does not exist (ENOENT)'], path: PRE_SCRIPT, severity: 'error', consequenceIncludes: 'continueBackupOnFailure is true' }],
    },
    {
      name: 'the empty string (the template value)',
      facts: factsWithConfig(compliantConfig({ preScriptLocation: '' })),
      findings: [{ messageIncludes: 'preScriptLocation is "" (empty)' }],
    },
    {
      name: 'a directory',
      facts: factsWithConfig(compliantConfig({ preScriptLocation: '/etc/azure' })),
      findings: [{ messageIncludes: 'pre-script /etc/azure is a directory' }],
    },
    {
      name: 'a broken symlink',
      facts: factsFor(withFiles(compliantFiles(), [{ type: 'symlink', path: PRE_SCRIPT, target: '/opt/app/gone.sh' }])),
      findings: [{ messageIncludes: ['broken symlink', '-> /opt/app/gone.sh'] }],
    },
    {
      name: 'a relative path missing from the extension folder',
      facts: factsWithConfig(compliantConfig({ preScriptLocation: 'scripts/pre.sh' })),
      findings: [{ messageIncludes: [`${EXT_DIR}/scripts/pre.sh (preScriptLocation "scripts/pre.sh") does not exist`], path: `${EXT_DIR}/scripts/pre.sh` }],
    },
    {
      name: 'continueBackupOnFailure false makes the backup fail',
      facts: factsWithConfig(compliantConfig({ preScriptLocation: '/etc/azure/none.sh', continueBackupOnFailure: false })),
      findings: [{ consequenceIncludes: 'the backup fails (continueBackupOnFailure is false)' }],
    },
  ],
});
