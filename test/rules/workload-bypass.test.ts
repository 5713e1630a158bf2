import { rule } from '../../src/rules/workload-bypass.js';
import { compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor, withWorkload } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const workloadConf = (content: string) => factsFor(withFiles(compliantFiles(), [{ type: 'file', path: '/etc/azure/workload.conf', content, mode: 0o600 }]));

ruleTester(rule, {
  valid: [
    { name: 'no workload.conf', facts: c },
    { name: 'another workload name', facts: withWorkload(c, 'sap') },
    { name: 'MySQL (the extension compares exactly)', facts: withWorkload(c, 'MySQL') },
    { name: 'workload_name in another section', facts: workloadConf('[other]\nworkload_name = mysql\n') },
  ],
  invalid: [
    {
      name: 'mysql',
      facts: workloadConf('[workload]\nworkload_name = mysql\n'),
      findings: [{ messageIncludes: ['/etc/azure/workload.conf sets workload_name = mysql', 'bypasses the pre/post-script framework'], path: '/etc/azure/workload.conf', severity: 'warning' }],
    },
    { name: 'oracle', facts: withWorkload(c, 'oracle'), findings: [{ messageIncludes: 'oracle' }] },
    { name: 'mariadb', facts: withWorkload(c, 'mariadb'), findings: [{ messageIncludes: 'mariadb' }] },
    { name: 'postgres', facts: withWorkload(c, 'postgres'), findings: [{ messageIncludes: 'postgres' }] },
  ],
});
