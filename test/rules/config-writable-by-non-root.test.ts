import { rule } from '../../src/rules/config-writable-by-non-root.js';
import { CONFIG_PATH } from '../../src/fleet/spec.js';
import { compliantFacts, withConfigStat } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();

ruleTester(rule, {
  valid: [
    { name: '0600 root:root', facts: c },
    { name: '0644 root:root (config-mode reports it; nobody else can write)', facts: withConfigStat(c, { mode: 0o644 }) },
    { name: '0660 root:root (root group)', facts: withConfigStat(c, { mode: 0o660 }) },
    { name: '0640 root:appuser (the group can only read)', facts: withConfigStat(c, { mode: 0o640, gid: 1002, group: 'appuser' }) },
  ],
  invalid: [
    {
      name: 'owned by appuser',
      facts: withConfigStat(c, { uid: 1002, owner: 'appuser', gid: 1002, group: 'appuser' }),
      findings: [{ messageIncludes: ['(0600 appuser:appuser) is writable by a non-root user', 'its owner appuser (uid 1002) can write it'], path: CONFIG_PATH, severity: 'error' }],
    },
    { name: '0660 root:appuser', facts: withConfigStat(c, { mode: 0o660, gid: 1002, group: 'appuser' }), findings: [{ messageIncludes: 'group appuser (gid 1002) can write it' }] },
    { name: '0666 root:root', facts: withConfigStat(c, { mode: 0o666 }), findings: [{ messageIncludes: 'every user can write it' }] },
    { name: '0400 owned by an orphan uid (it can chmod)', facts: withConfigStat(c, { mode: 0o400, uid: 4242, owner: null }), findings: [{ messageIncludes: 'uid 4242 (no passwd entry) can chmod it' }] },
  ],
});
