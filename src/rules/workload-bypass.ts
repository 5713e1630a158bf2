import { defineRule, portalErrorFor } from './rule.js';

export const BYPASS_WORKLOADS = ['oracle', 'mysql', 'mariadb', 'postgres'] as const;

export const rule = defineRule(
  {
    id: 'workload-bypass',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'handle.py:448-451 (workloadPatch reads /etc/azure/workload.conf)',
    scope: 'outside',
    title: 'workload.conf does not bypass the script framework',
    why: 'When /etc/azure/workload.conf names oracle, mysql, mariadb or postgres in [workload] workload_name, the extension runs its own database flow and bypasses the pre/post-script framework entirely.',
    fix: 'Use one mechanism: remove /etc/azure/workload.conf (or its workload_name) to use your scripts, or drop the script config if the built-in database flow is what you want.',
    fixable: false,
    consequence: 'the script framework is bypassed: the pre- and post-scripts never run',
    silent: false,
  },
  ({ facts }) => {
    const name = facts.workload.workloadName;
    if (name === null || !(BYPASS_WORKLOADS as readonly string[]).includes(name)) return [];
    return [
      {
        message: `${facts.workload.file.path} sets workload_name = ${name}: the extension runs its built-in ${name} flow and bypasses the pre/post-script framework entirely`,
        path: facts.workload.file.path,
      },
    ];
  },
);
