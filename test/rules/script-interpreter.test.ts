import { rule } from '../../src/rules/script-interpreter.js';
import { POST_SCRIPT, PRE_SCRIPT } from '../../src/fleet/spec.js';
import { compliantFacts, withScript } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const pre = (firstLine: string | null) => withScript(c, 'pre', { firstLine });

ruleTester(rule, {
  valid: [
    { name: '#!/bin/sh', facts: c },
    { name: '#!/usr/bin/sh', facts: pre('#!/usr/bin/sh') },
    { name: '#!/bin/dash', facts: pre('#!/bin/dash') },
    { name: '#!/usr/bin/env sh', facts: pre('#!/usr/bin/env sh') },
    { name: '#! /bin/sh with a space and a CR', facts: pre('#! /bin/sh\r') },
    { name: 'no shebang (sh runs it anyway)', facts: pre('sync') },
    { name: 'an empty first line', facts: pre('') },
  ],
  invalid: [
    {
      name: '#!/bin/bash',
      facts: pre('#!/bin/bash'),
      findings: [{ messageIncludes: ['pre-script /etc/azure/prescript.sh starts with "#!/bin/bash"', 'names /bin/bash', '`sh /etc/azure/prescript.sh`'], path: PRE_SCRIPT, severity: 'warning' }],
    },
    { name: '#!/usr/bin/env bash', facts: pre('#!/usr/bin/env bash'), findings: [{ messageIncludes: 'names bash through env' }] },
    { name: '#!/usr/bin/env python3', facts: withScript(c, 'post', { firstLine: '#!/usr/bin/env python3' }), findings: [{ messageIncludes: 'python3', path: POST_SCRIPT }] },
    { name: '#!/bin/sh -e (the option is dropped)', facts: pre('#!/bin/sh -e'), findings: [{ messageIncludes: 'options "-e" are ignored' }] },
    { name: '#!/bin/ksh', facts: pre('#!/bin/ksh'), findings: [{ messageIncludes: '/bin/ksh' }] },
  ],
});
