import { rule } from '../../src/rules/hostconf-no-plugins.js';
import { EXT_DIR, HOST_CONF_TEXT, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const EXT_CONF = `${EXT_DIR}/main/VMSnapshotPluginHost.conf`;
const OVERRIDE = '/etc/azure/VMSnapshotPluginHost.conf';
const withHostConf = (content: string, path = EXT_CONF) => factsFor(withFiles(compliantFiles(), [{ type: 'file', path, content, mode: 0o644 }]));
const count = (n: string) => withHostConf(HOST_CONF_TEXT.replace('numberOfPlugins: 1', n));

ruleTester(rule, {
  valid: [
    { name: 'the shipped host conf', facts: compliantFacts() },
    { name: 'numberOfPlugins 2 (hostconf-valid reports the missing second plugin)', facts: count('numberOfPlugins: 2') },
    { name: 'numberOfPlugins " 1 " (int() strips spaces)', facts: count('numberOfPlugins =  1 ') },
    { name: 'numberOfPlugins "abc": int() raises, 304 (hostconf-valid)', facts: count('numberOfPlugins: abc') },
    { name: 'numberOfPlugins "0x1": int() raises, 304 (hostconf-valid)', facts: count('numberOfPlugins: 0x1') },
    { name: 'timeoutInSeconds "abc" is read first: 304, whatever numberOfPlugins says', facts: withHostConf(HOST_CONF_TEXT.replace('timeoutInSeconds: 1800', 'timeoutInSeconds: abc').replace('numberOfPlugins: 1', 'numberOfPlugins: 0')) },
    { name: 'a stray % in numberOfPlugins: 304 (hostconf-valid)', facts: count('numberOfPlugins: 0%') },
    { name: 'no section header: the file does not parse, 304', facts: withHostConf('numberOfPlugins: 0\n') },
    { name: 'no host conf at all (hostconf-exists)', facts: factsFor(withFiles(compliantFiles(), [], [EXT_CONF])) },
  ],
  invalid: [
    { name: 'numberOfPlugins 0', facts: count('numberOfPlugins: 0'), findings: [{ messageIncludes: ['numberOfPlugins is "0"', 'loads no plugin'], path: EXT_CONF }] },
    { name: 'numberOfPlugins -1', facts: count('numberOfPlugins: -1'), findings: [{ messageIncludes: 'numberOfPlugins is "-1"' }] },
    { name: 'no numberOfPlugins key', facts: count(''), findings: [{ messageIncludes: 'has no numberOfPlugins key' }] },
    { name: 'an empty host conf', facts: withHostConf(''), findings: [{ messageIncludes: ['has no [pre_post] section', 'it has no section'] }] },
    {
      name: 'the section renamed [Pre_Post]',
      facts: withHostConf(HOST_CONF_TEXT.replace('[pre_post]', '[Pre_Post]')),
      findings: [{ messageIncludes: ['no [pre_post] section', '[Pre_Post] is not [pre_post]'] }],
    },
    {
      name: 'the /etc/azure override with numberOfPlugins 0 wins over a good shipped file',
      facts: withHostConf(HOST_CONF_TEXT.replace('numberOfPlugins: 1', 'numberOfPlugins: 0'), OVERRIDE),
      findings: [{ messageIncludes: 'numberOfPlugins is "0"', path: OVERRIDE }],
    },
  ],
});
