import { rule } from '../../src/rules/postscript-exists.js';
import { POST_SCRIPT, compliantConfig, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, edit, factsFor, factsWithConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'the compliant VM', facts: compliantFacts() },
    { name: 'a missing pre-script is not this rule', facts: factsWithConfig(compliantConfig({ preScriptLocation: '' })) },
    { name: 'a non-string location (config-types reports it)', facts: factsWithConfig(compliantConfig({ postScriptLocation: 7 })) },
  ],
  invalid: [
    {
      name: 'missing: the pre-script never runs either',
      facts: factsFor(withFiles(compliantFiles(), [], [POST_SCRIPT])),
      findings: [{ messageIncludes: ['post-script /etc/azure/postscript.sh does not exist', 'never runs the pre-script either'], path: POST_SCRIPT }],
    },
    {
      name: 'empty',
      facts: factsWithConfig(compliantConfig({ postScriptLocation: '' })),
      findings: [{ messageIncludes: ['postScriptLocation is "" (empty)', 'never runs the pre-script'] }],
    },
    {
      name: 'a FIFO',
      facts: edit(compliantFacts(), (f) => {
        f.scripts.post!.file!.stat!.type = 'fifo';
        f.scripts.post!.file!.lstat!.type = 'fifo';
      }),
      findings: [{ messageIncludes: 'is a FIFO (named pipe), not a regular file' }],
    },
    {
      name: 'fsFreezeEnabled false: the backup fails',
      facts: factsWithConfig(compliantConfig({ postScriptLocation: '/etc/azure/none.sh', fsFreezeEnabled: false })),
      findings: [{ consequenceIncludes: 'the backup fails (fsFreezeEnabled is false)' }],
    },
  ],
});
