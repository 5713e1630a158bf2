import { rule } from '../../src/rules/config-json-valid.js';
import { CONFIG_PATH, compliantConfig, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor, parseFailure, withConfig, withConfigParse } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const withContent = (content: string | Uint8Array) => factsFor(withFiles(compliantFiles(), [{ type: 'file', path: CONFIG_PATH, content, mode: 0o600 }]));
const { postScriptLocation: _post, ...noPost } = compliantConfig();

ruleTester(rule, {
  valid: [
    { name: 'the template', facts: compliantFacts() },
    { name: 'a top level that is not an object (config-types reports it)', facts: withContent('[]') },
    { name: 'too large (config-size reports it)', facts: withConfigParse(compliantFacts(), parseFailure('too_large')) },
    { name: 'no config (config-exists reports it)', facts: factsFor(withFiles(compliantFiles(), [], [CONFIG_PATH])) },
    { name: 'both locations present, even empty', facts: withConfig(compliantFacts(), { preScriptLocation: '', postScriptLocation: '' }) },
  ],
  invalid: [
    {
      name: 'a BOM',
      facts: withContent('\ufeff' + JSON.stringify(compliantConfig())),
      findings: [{ messageIncludes: ['byte-order mark (BOM)', 'line 1:1'], path: CONFIG_PATH, severity: 'error' }],
    },
    {
      name: 'a comment',
      facts: withContent('{\n  // the pre-script\n  "preScriptLocation": "/etc/azure/prescript.sh",\n  "postScriptLocation": "/etc/azure/postscript.sh"\n}\n'),
      findings: [{ messageIncludes: ['contains a comment', 'line 2:3'] }],
    },
    {
      name: 'a trailing comma',
      facts: withContent('{\n  "preScriptLocation": "/etc/azure/prescript.sh",\n  "postScriptLocation": "/etc/azure/postscript.sh",\n}\n'),
      findings: [{ messageIncludes: 'trailing comma' }],
    },
    {
      name: 'a syntax error',
      facts: withContent('{"preScriptLocation": "/etc/azure/prescript.sh" "postScriptLocation": ""}'),
      findings: [{ messageIncludes: ['is not valid JSON', 'line 1:'] }],
    },
    { name: 'empty', facts: withContent(''), findings: [{ messageIncludes: 'is empty' }] },
    { name: 'not UTF-8', facts: withContent(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), findings: [{ messageIncludes: 'not valid UTF-8' }] },
    {
      name: 'no postScriptLocation key',
      facts: withConfig(compliantFacts(), noPost),
      findings: [{ messageIncludes: 'has no postScriptLocation key' }],
    },
    {
      name: 'neither location key (miscased)',
      facts: withConfig(compliantFacts(), { PreScriptLocation: '/etc/azure/prescript.sh', postscriptlocation: '/etc/azure/postscript.sh' }),
      findings: [{ messageIncludes: ['no preScriptLocation and no postScriptLocation key', 'case-sensitive'] }],
    },
    {
      name: 'vmsnap could not read it: a warning, not proof of failure',
      facts: withConfigParse(compliantFacts(), parseFailure('unreadable', 'the file exists but could not be read')),
      findings: [{ messageIncludes: 'could not be read by vmsnap', severity: 'warning' }],
    },
  ],
});
