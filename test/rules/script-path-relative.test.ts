import { rule } from '../../src/rules/script-path-relative.js';
import { CONFIG_PATH, EXT_DIR, compliantConfig, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor, factsWithConfig } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'absolute paths', facts: compliantFacts() },
    { name: 'an empty location (prescript-exists reports it)', facts: factsWithConfig(compliantConfig({ preScriptLocation: '' })) },
  ],
  invalid: [
    {
      name: 'relative pre-script',
      facts: factsWithConfig(compliantConfig({ preScriptLocation: 'prescript.sh' })),
      findings: [{ messageIncludes: ['preScriptLocation "prescript.sh" is a relative path', `${EXT_DIR}/prescript.sh`], path: `${EXT_DIR}/prescript.sh`, severity: 'warning' }],
    },
    {
      name: 'both relative, "./" kept as the extension joins it',
      facts: factsWithConfig(compliantConfig({ preScriptLocation: './pre.sh', postScriptLocation: '../post.sh' })),
      findings: [{ messageIncludes: `${EXT_DIR}/./pre.sh` }, { messageIncludes: `${EXT_DIR}/../post.sh` }],
    },
    {
      name: 'no extension to resolve against',
      facts: factsFor(withFiles(compliantFiles(compliantConfig({ preScriptLocation: 'pre.sh' })), [], [EXT_DIR, `${EXT_DIR}/config/HandlerState`, `${EXT_DIR}/main/VMSnapshotPluginHost.conf`])),
      findings: [{ messageIncludes: 'none is installed', path: CONFIG_PATH }],
    },
  ],
});
