import { rule } from '../../src/rules/extension-versions.js';
import { compliantFiles, withFiles, type FileSpec } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const folder = (version: string, state: string | null): FileSpec[] => {
  const dir = `/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-${version}`;
  return [
    { type: 'dir', path: dir, mode: 0o755 },
    ...(state === null ? [] : [{ type: 'file' as const, path: `${dir}/config/HandlerState`, content: state, mode: 0o644 }]),
  ];
};

ruleTester(rule, {
  valid: [{ name: 'a single folder', facts: compliantFacts() }],
  invalid: [
    {
      name: 'a numerically newer folder wins over a textually newer one',
      facts: factsFor(withFiles(compliantFiles(), folder('1.0.10000.0', 'Enabled'))),
      findings: [
        {
          messageIncludes: ['2 VMSnapshotLinux folders', 'the agent uses Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.10000.0', 'numerically'],
          severity: 'info',
          path: '/var/lib/waagent',
        },
      ],
    },
    {
      name: 'a newer folder in FailedUpgrade is ignored',
      facts: factsFor(withFiles(compliantFiles(), folder('1.0.9300.0', 'FailedUpgrade'))),
      findings: [{ messageIncludes: ['1.0.9300.0 (ignored: HandlerState FailedUpgrade)', 'uses Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0'] }],
    },
    {
      name: 'no folder eligible',
      facts: factsFor(withFiles(compliantFiles(), [...folder('1.0.9300.0', null), { type: 'file', path: '/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/config/HandlerState', content: 'NotInstalled', mode: 0o644 }])),
      findings: [{ messageIncludes: ['ignored: HandlerState missing', 'none is eligible'] }],
    },
  ],
});
