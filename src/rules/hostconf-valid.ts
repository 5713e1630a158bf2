import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';
import { isRegularFile } from './helpers.js';
import { configParserGetError, pyIntOfString } from './python.js';

export const rule = defineRule(
  {
    id: 'hostconf-valid',
    severity: 'error',
    extensionCode: 304,
    portalError: portalErrorFor(304),
    upstream: 'PluginHost.py:115-152, 166-169',
    scope: 'framework',
    title: 'The plugin host conf parses and names the plugin',
    why: 'The extension reads the host conf with ConfigParser: numberOfPlugins, when present, must be an integer, and for each plugin it needs pluginName (ScriptRunner, the only plugin module it ships), pluginPath and pluginConfigPath; timeoutInSeconds, when present, must be an integer, and no value may hold a stray %. Otherwise it fails with 304 and silently takes a file-system-consistent backup.',
    fix: 'Uninstall the VMSnapshotLinux extension so the next backup reinstalls its own host conf; if you keep an override in /etc/azure, copy the shipped file and edit only pluginConfigPath0.',
    fixable: false,
    consequence: CONSEQUENCE.silentFallback,
    silent: true,
  },
  ({ facts }) => {
    const hc = facts.hostConf;
    if (!isRegularFile(hc.file)) return [];
    const path = hc.file.path;
    if (hc.parseError !== null) {
      return [{ message: `plugin host conf ${path} is not a valid INI file: ${hc.parseError}`, path }];
    }
    if (hc.sections === null) {
      return [{ message: `plugin host conf ${path} could not be read`, path }];
    }
    const pp = hc.sections['pre_post'];
    // no [pre_post]: has_option() is false for every key, no plugin is loaded (hostconf-no-plugins)
    if (!pp) return [];
    const out: RuleFinding[] = [];
    const missing = (name: string) => out.push({ message: `plugin host conf ${path}: [pre_post] has no ${name} (or it is empty)`, path });
    // The extension reads every value it uses through an interpolating ConfigParser and int():
    // a stray "%" or a non-integer number is an exception, and every exception here is 304.
    const read = (name: string): string | undefined => {
      const v = pp[name.toLowerCase()];
      if (v === undefined) return undefined;
      const bad = configParserGetError(v, pp);
      if (bad) out.push({ message: `plugin host conf ${path}: ${name} = "${v}": ${bad}`, path });
      return v;
    };
    // PluginHost.py:119-127: int() of each value read; a missing or non-positive count loads no
    // plugin, which is hostconf-no-plugins, not a parse failure
    const n = read('numberOfPlugins');
    let plugins = 0;
    if (n !== undefined) {
      const count = pyIntOfString(n);
      if (!count.ok) out.push({ message: `plugin host conf ${path}: numberOfPlugins is "${n}": int() raises ValueError; it must be an integer (1)`, path });
      else plugins = Math.min(count.value, 16);
    }
    const timeout = read('timeoutInSeconds');
    if (timeout !== undefined && !pyIntOfString(timeout).ok) {
      out.push({ message: `plugin host conf ${path}: timeoutInSeconds is "${timeout}": the extension reads it with int() (1800)`, path });
    }
    for (let i = 0; i < plugins; i++) {
      const name = read(`pluginName${i}`);
      if (name === undefined || name.trim() === '') missing(`pluginName${i}`);
      else if (name.trim() !== 'ScriptRunner') {
        out.push({ message: `plugin host conf ${path}: pluginName${i} is "${name}": the extension imports the plugin module of that name and ships only ScriptRunner`, path });
      }
      const pluginPath = read(`pluginPath${i}`);
      if (pluginPath === undefined) missing(`pluginPath${i}`);
      const configPath = read(`pluginConfigPath${i}`);
      if (configPath === undefined || configPath.trim() === '') missing(`pluginConfigPath${i}`);
    }
    return out;
  },
);
