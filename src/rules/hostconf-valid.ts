import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';
import { isRegularFile } from './helpers.js';

/** What Python's int() accepts from a string: optional sign, digits (underscores between them), spaces around. */
const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

/** Why ConfigParser's BasicInterpolation would raise on this value, or null. */
function badInterpolation(value: string, section: Record<string, string>): string | null {
  const re = /%(%|\(([^)]*)\)s|)/g;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    if (m[1] === '%') continue;
    if (m[2] === undefined) return "a '%' that is not '%%' or '%(name)s': ConfigParser's interpolation raises";
    if (!(m[2].toLowerCase() in section)) return `'%(${m[2]})s' names no key of [pre_post]: ConfigParser's interpolation raises`;
  }
  return null;
}

export const rule = defineRule(
  {
    id: 'hostconf-valid',
    severity: 'error',
    extensionCode: 304,
    portalError: portalErrorFor(304),
    title: 'The plugin host conf parses and names the plugin',
    why: 'The extension reads the host conf with ConfigParser and needs a [pre_post] section with numberOfPlugins (a positive integer), and for each plugin pluginName (ScriptRunner, the only plugin module it ships), pluginPath and pluginConfigPath; timeoutInSeconds, when present, must be an integer, and no value may hold a stray %. Otherwise it fails with 304 and silently takes a file-system-consistent backup.',
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
    if (!pp) {
      const names = Object.keys(hc.sections);
      const near = names.find((n) => n.toLowerCase().replace(/[^a-z]/g, '') === 'prepost');
      const have = names.length ? `its sections are ${names.map((n) => `[${n}]`).join(', ')}` : 'it has no section';
      return [
        {
          message: `plugin host conf ${path} has no [pre_post] section (${have})${near ? `; section names are case-sensitive: [${near}] is not [pre_post]` : ''}`,
          path,
        },
      ];
    }
    const out: RuleFinding[] = [];
    const missing = (name: string) => out.push({ message: `plugin host conf ${path}: [pre_post] has no ${name} (or it is empty)`, path });
    // The extension reads every value it uses through an interpolating ConfigParser and int():
    // a stray "%" or a non-integer number is an exception, and every exception here is 304.
    const read = (name: string): string | undefined => {
      const v = pp[name.toLowerCase()];
      if (v === undefined) return undefined;
      const bad = badInterpolation(v, pp);
      if (bad) out.push({ message: `plugin host conf ${path}: ${name} = "${v}": ${bad}`, path });
      return v;
    };
    const n = read('numberOfPlugins');
    let plugins = 1;
    if (n === undefined) {
      out.push({ message: `plugin host conf ${path}: [pre_post] has no numberOfPlugins key`, path });
    } else if (!PY_INT.test(n) || Number(n) <= 0) {
      out.push({ message: `plugin host conf ${path}: numberOfPlugins is "${n}": it must be a positive integer (1)`, path });
    } else {
      plugins = Math.min(Number(n), 16);
    }
    const timeout = read('timeoutInSeconds');
    if (timeout !== undefined && !PY_INT.test(timeout)) {
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
