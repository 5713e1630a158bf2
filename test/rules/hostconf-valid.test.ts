import { rule } from '../../src/rules/hostconf-valid.js';
import { EXT_DIR, HOST_CONF_TEXT, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, edit, factsFor } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const EXT_CONF = `${EXT_DIR}/main/VMSnapshotPluginHost.conf`;
const withHostConf = (content: string) => factsFor(withFiles(compliantFiles(), [{ type: 'file', path: EXT_CONF, content, mode: 0o644 }]));
const lines = (...l: string[]) => l.join('\n') + '\n';

const shipped = (...extra: string[]) => withHostConf(HOST_CONF_TEXT + extra.map((l) => l + '\n').join(''));
const shippedWith = (from: string, to: string) => withHostConf(HOST_CONF_TEXT.replace(from, to));

ruleTester(rule, {
  valid: [
    { name: 'the shipped host conf', facts: compliantFacts() },
    {
      name: 'keys in any case, "=" separators, comments',
      facts: withHostConf(lines('# shipped', '[pre_post]', 'NUMBEROFPLUGINS = 1', 'PluginName0 = ScriptRunner', 'PLUGINPATH0 = /etc/azure', 'pluginconfigpath0=/etc/azure/VMSnapshotScriptPluginConfig.json')),
    },
    { name: "'%%' is a literal percent; '%(name)s' names a key", facts: shipped('note: 100%% of %(pluginpath0)s') },
    { name: 'no host conf file (hostconf-exists reports it)', facts: factsFor(withFiles(compliantFiles(), [], [EXT_CONF])) },
    // no plugin is loaded, and pre_check succeeds: hostconf-no-plugins, not 304 (PluginHost.py:119-127)
    { name: 'the section is [PRE_POST]: no [pre_post], no plugin', facts: withHostConf(lines('[PRE_POST]', 'numberOfPlugins: 1', 'pluginName0: ScriptRunner')) },
    { name: 'no numberOfPlugins: no plugin, so no plugin keys are read', facts: withHostConf(lines('[pre_post]', 'pluginPath0: /etc/azure')) },
    { name: 'numberOfPlugins 0', facts: shippedWith('numberOfPlugins: 1', 'numberOfPlugins: 0') },
    { name: 'an empty file', facts: withHostConf('') },
  ],
  invalid: [
    {
      name: 'no section header at all',
      facts: withHostConf(lines('numberOfPlugins: 1', 'pluginName0: ScriptRunner')),
      findings: [{ messageIncludes: ['is not a valid INI file', 'MissingSectionHeaderError'], path: EXT_CONF }],
    },
    {
      name: 'numberOfPlugins "one"',
      facts: withHostConf(lines('[pre_post]', 'numberOfPlugins: one', 'pluginName0: ScriptRunner', 'pluginPath0: /etc/azure', 'pluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json')),
      findings: [{ messageIncludes: 'numberOfPlugins is "one"' }],
    },
    {
      name: 'pluginPath0 missing',
      facts: shippedWith('pluginPath0: /etc/azure\n', ''),
      findings: [{ messageIncludes: 'no pluginPath0' }],
    },
    {
      name: 'pluginName0 is not ScriptRunner: the extension cannot import it',
      facts: shippedWith('ScriptRunner', 'MyRunner'),
      findings: [{ messageIncludes: ['pluginName0 is "MyRunner"', 'ships only ScriptRunner'] }],
    },
    {
      name: 'numberOfPlugins 2 with one plugin described',
      facts: shippedWith('numberOfPlugins: 1', 'numberOfPlugins: 2'),
      findings: [{ messageIncludes: ['no pluginName1', '2 more of this rule in this file', 'no pluginPath1', 'no pluginConfigPath1'] }],
    },
    {
      name: 'timeoutInSeconds is not an integer',
      facts: shippedWith('1800', 'abc'),
      findings: [{ messageIncludes: ['timeoutInSeconds is "abc"', 'int()'] }],
    },
    {
      name: "a lone '%' in a value: ConfigParser's interpolation raises",
      facts: shippedWith('/etc/azure/VMSnapshot', '/etc/azure/100%/VMSnapshot'),
      findings: [{ messageIncludes: ['pluginConfigPath0 = "/etc/azure/100%/VMSnapshotScriptPluginConfig.json"', "not '%%' or '%(name)s'"] }],
    },
    {
      name: 'pluginConfigPath0 missing',
      facts: withHostConf(lines('[pre_post]', 'numberOfPlugins: 1', 'pluginName0: ScriptRunner', 'pluginPath0: /etc/azure')),
      findings: [{ messageIncludes: 'no pluginConfigPath0' }],
    },
    {
      name: 'unreadable',
      facts: edit(compliantFacts(), (f) => {
        f.hostConf.sections = null;
      }),
      findings: [{ messageIncludes: 'could not be read' }],
    },
  ],
});
