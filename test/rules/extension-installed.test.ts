import { rule } from '../../src/rules/extension-installed.js';
import { EXT_DIR, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const STATE = `${EXT_DIR}/config/HandlerState`;
const state = (content: string) => ({ type: 'file' as const, path: STATE, content, mode: 0o644 });

ruleTester(rule, {
  valid: [
    { name: 'an Enabled folder', facts: compliantFacts() },
    { name: 'an Installed folder is eligible too', facts: factsFor(withFiles(compliantFiles(), [state('Installed')])) },
  ],
  invalid: [
    {
      name: 'no folder at all',
      facts: factsFor(withFiles(compliantFiles(), [], [EXT_DIR, STATE, `${EXT_DIR}/main/VMSnapshotPluginHost.conf`])),
      findings: [{ messageIncludes: ['no Microsoft.Azure.RecoveryServices.VMSnapshotLinux-* folder in /var/lib/waagent', 'the default'], path: '/var/lib/waagent' }],
    },
    {
      name: 'the only folder is FailedUpgrade',
      facts: factsFor(withFiles(compliantFiles(), [state('FailedUpgrade')])),
      findings: [{ messageIncludes: 'VMSnapshotLinux-1.0.9225.0 is ignored (HandlerState FailedUpgrade)', severity: 'error' }],
    },
    {
      name: 'the only folder is NotInstalled',
      facts: factsFor(withFiles(compliantFiles(), [state('NotInstalled\n')])),
      findings: [{ messageIncludes: 'HandlerState NotInstalled', consequenceIncludes: 'nothing runs the scripts' }],
    },
    {
      name: 'the only folder has no HandlerState',
      facts: factsFor(withFiles(compliantFiles(), [], [STATE])),
      findings: [{ messageIncludes: 'HandlerState missing' }],
    },
  ],
});
