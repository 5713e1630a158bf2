import { rule } from '../../src/rules/hostconf-mode.js';
import { HOST_CONF_TEXT, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor, withHostConfStat } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const hostConf = c.hostConf.file!.path;

ruleTester(rule, {
  valid: [
    { name: '0644', facts: c },
    { name: '0744 ((mode & 0o033) == 0)', facts: withHostConfStat(c, { mode: 0o744 }) },
    { name: '0600', facts: withHostConfStat(c, { mode: 0o600 }) },
    { name: '0400', facts: withHostConfStat(c, { mode: 0o400 }) },
    { name: 'no host conf at all (hostconf-exists reports it)', facts: factsFor(withFiles(compliantFiles(), [], [hostConf])) },
  ],
  invalid: [
    { name: '0664', facts: withHostConfStat(c, { mode: 0o664 }), findings: [{ messageIncludes: ['mode is 0664', '(mode & 0o033) == 0', '0644'], path: hostConf }] },
    { name: '0755', facts: withHostConfStat(c, { mode: 0o755 }), findings: [{ messageIncludes: 'mode is 0755' }] },
    { name: '0646 (other-writable)', facts: withHostConfStat(c, { mode: 0o646 }), findings: [{ messageIncludes: 'mode is 0646' }] },
    { name: '0654 (group execute)', facts: withHostConfStat(c, { mode: 0o654 }), findings: [{ messageIncludes: 'mode is 0654' }] },
    {
      name: 'the override is checked, not the shipped one',
      facts: factsFor(withFiles(compliantFiles(), [{ type: 'file', path: '/etc/azure/VMSnapshotPluginHost.conf', content: HOST_CONF_TEXT, mode: 0o666 }])),
      findings: [{ messageIncludes: '/etc/azure/VMSnapshotPluginHost.conf mode is 0666', path: '/etc/azure/VMSnapshotPluginHost.conf' }],
    },
  ],
});
