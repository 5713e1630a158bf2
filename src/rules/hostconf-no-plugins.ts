import { defineRule, portalErrorFor } from './rule.js';
import { isRegularFile } from './helpers.js';
import { configParserGetError, pyIntOfString } from './python.js';

export const rule = defineRule(
  {
    id: 'hostconf-no-plugins',
    severity: 'error',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'PluginHost.py:110, 121-127, 163-164',
    scope: 'framework',
    title: 'The plugin host conf loads the script plugin',
    why: 'The extension loads as many plugins as numberOfPlugins in [pre_post] says. With the key absent, 0 or negative, the [pre_post] section missing or renamed, or an empty file, it loads none: pre_check succeeds, the pre- and post-script steps run over zero plugins, and the snapshot is reported application-consistent. No error code, no log line that says so: the scripts silently never run.',
    fix: 'Restore the shipped host conf ([pre_post] with numberOfPlugins: 1, pluginName0: ScriptRunner, pluginPath0: /etc/azure, pluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json), or delete the /etc/azure override, or reinstall the VMSnapshotLinux extension.',
    fixable: false,
    consequence: 'the extension loads no plugin: your scripts never run, yet the backup is reported application-consistent',
    silent: true,
  },
  ({ facts }) => {
    const hc = facts.hostConf;
    // a file that does not parse, or a value int() or interpolation rejects, is 304 (hostconf-valid)
    if (!isRegularFile(hc.file) || hc.parseError !== null || hc.sections === null) return [];
    const path = hc.file.path;
    const pp = hc.sections['pre_post'];
    if (!pp) {
      const names = Object.keys(hc.sections);
      const near = names.find((n) => n.toLowerCase().replace(/[^a-z]/g, '') === 'prepost');
      const have = names.length ? `its sections are ${names.map((n) => `[${n}]`).join(', ')}` : 'it has no section';
      const hint = near ? `; section names are case-sensitive: [${near}] is not [pre_post]` : '';
      return [{ message: `plugin host conf ${path} has no [pre_post] section (${have})${hint}: the extension loads no plugin`, path }];
    }
    // PluginHost.py:119-127, in order: timeoutInSeconds is read first, and its failure is 304
    const timeout = pp['timeoutinseconds'];
    if (timeout !== undefined && (configParserGetError(timeout, pp) !== null || !pyIntOfString(timeout).ok)) return [];
    const n = pp['numberofplugins'];
    if (n === undefined) return [{ message: `plugin host conf ${path}: [pre_post] has no numberOfPlugins key: the extension loads no plugin`, path }];
    if (configParserGetError(n, pp) !== null) return [];
    const count = pyIntOfString(n);
    if (!count.ok || count.value > 0) return [];
    return [{ message: `plugin host conf ${path}: numberOfPlugins is "${n.trim()}": the extension loads no plugin`, path }];
  },
);
