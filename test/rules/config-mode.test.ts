import { rule } from '../../src/rules/config-mode.js';
import { CONFIG_PATH, compliantConfig, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor, withConfigMode } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();

ruleTester(rule, {
  valid: [
    { name: '0600', facts: c },
    { name: '0400', facts: withConfigMode(c, 0o400) },
    { name: '0200', facts: withConfigMode(c, 0o200) },
    { name: '0000', facts: withConfigMode(c, 0o000) },
    { name: 'missing (config-exists reports it)', facts: factsFor(withFiles(compliantFiles(), [], [CONFIG_PATH])) },
  ],
  invalid: [
    {
      name: '0644',
      facts: withConfigMode(c, 0o644),
      findings: [{ messageIncludes: 'config /etc/azure/VMSnapshotScriptPluginConfig.json mode is 0644: the extension requires (mode & 0o177) == 0, e.g. 0600', path: CONFIG_PATH, severity: 'error', consequenceIncludes: 'visible warning' }],
    },
    { name: '0640', facts: withConfigMode(c, 0o640), findings: [{ messageIncludes: 'mode is 0640' }] },
    { name: '0700 (owner execute)', facts: withConfigMode(c, 0o700), findings: [{ messageIncludes: 'mode is 0700' }] },
    { name: '0604', facts: withConfigMode(c, 0o604), findings: [{ messageIncludes: 'mode is 0604' }] },
    {
      name: "a symlink: the target's mode counts",
      facts: factsFor(
        withFiles(compliantFiles(), [
          { type: 'file', path: '/opt/app/backup.json', content: JSON.stringify(compliantConfig()), mode: 0o644 },
          { type: 'symlink', path: CONFIG_PATH, target: '/opt/app/backup.json' },
        ]),
      ),
      findings: [{ messageIncludes: ['mode is 0644', 'a symlink', '-> /opt/app/backup.json'] }],
    },
  ],
});
