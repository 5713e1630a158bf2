import { rule } from '../../src/rules/path-writable-by-non-root.js';
import { EXT_DIR, PRE_SCRIPT, SCRIPT_TEXT, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor, withParent } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();

ruleTester(rule, {
  valid: [
    { name: 'every directory root-owned 0755 (and /var/lib/waagent 0700)', facts: c },
    { name: 'group-writable by root\'s group (gid 0)', facts: withParent(c, 'config', '/etc/azure', { mode: 0o775 }) },
    {
      name: 'a symlinked directory is judged through its target, not itself',
      facts: factsFor(
        withFiles(compliantFiles(), [
          { type: 'file', path: '/opt/hooks/pre.sh', content: SCRIPT_TEXT, mode: 0o700 },
          { type: 'symlink', path: '/srv/hooks', target: '/opt/hooks' },
          { type: 'symlink', path: PRE_SCRIPT, target: '/srv/hooks/pre.sh' },
        ]),
      ),
    },
  ],
  invalid: [
    {
      name: '/etc/azure owned by azureuser: one finding for the config and both scripts',
      facts: factsFor(withFiles(compliantFiles(), [{ type: 'dir', path: '/etc/azure', mode: 0o755, owner: 'azureuser' }])),
      findings: [
        {
          messageIncludes: ['directory /etc/azure (0755 azureuser:azureuser)', 'its owner azureuser (uid 1000) can write it', 'the script config', 'the pre-script /etc/azure/prescript.sh', 'the post-script /etc/azure/postscript.sh'],
          path: '/etc/azure',
          severity: 'error',
        },
      ],
    },
    {
      name: 'a non-root owner without the write bit can still chmod',
      facts: withParent(c, 'config', '/etc/azure', { uid: 1002, owner: 'appuser', mode: 0o555 }),
      findings: [{ messageIncludes: 'can chmod it and then write it' }],
    },
    {
      name: 'group-writable by a non-root group',
      facts: withParent(c, 'config', '/etc/azure', { mode: 0o775, gid: 1002, group: 'appuser' }),
      findings: [{ messageIncludes: 'group appuser (gid 1002) can write it' }],
    },
    {
      name: 'world-writable with the sticky bit is still an error',
      facts: withParent(c, 'config', '/etc', { mode: 0o1777 }),
      findings: [{ messageIncludes: ['directory /etc (1777 root:root)', 'sticky bit'], path: '/etc' }],
    },
    {
      name: "the symlink target's directory is writable",
      facts: factsFor(
        withFiles(compliantFiles(), [
          { type: 'dir', path: '/opt/app/hooks', mode: 0o775, owner: 'root', group: 'appuser' },
          { type: 'file', path: '/opt/app/hooks/pre.sh', content: SCRIPT_TEXT, mode: 0o700 },
          { type: 'symlink', path: PRE_SCRIPT, target: '/opt/app/hooks/pre.sh' },
        ]),
      ),
      findings: [{ messageIncludes: ['directory /opt/app/hooks (0775 root:appuser)', 'the pre-script /etc/azure/prescript.sh'], path: '/opt/app/hooks' }],
    },
    {
      name: "the extension folder (the host conf's parent) is writable",
      facts: withParent(c, 'hostConf', EXT_DIR, { mode: 0o777 }),
      findings: [{ messageIncludes: ['every user can write it', 'the plugin host conf'], path: EXT_DIR }],
    },
    {
      name: 'a missing config under a writable directory can be created by anyone',
      facts: factsFor(withFiles(compliantFiles(), [{ type: 'dir', path: '/etc/azure', mode: 0o777 }], ['/etc/azure/VMSnapshotScriptPluginConfig.json'])),
      findings: [{ messageIncludes: 'the script config', path: '/etc/azure' }],
    },
  ],
});
