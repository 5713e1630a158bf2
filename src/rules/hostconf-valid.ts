import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';
import { isRegularFile } from './helpers.js';

export const rule = defineRule(
  {
    id: 'hostconf-valid',
    severity: 'error',
    extensionCode: 304,
    portalError: portalErrorFor(304),
    title: 'The plugin host conf parses and names the plugin',
    why: 'The extension reads the host conf with ConfigParser and needs a [pre_post] section with numberOfPlugins (a positive integer), pluginName0 and pluginConfigPath0. Otherwise it fails with 304 and silently takes a file-system-consistent backup.',
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
    const n = pp['numberofplugins'];
    if (n === undefined) {
      out.push({ message: `plugin host conf ${path}: [pre_post] has no numberOfPlugins key`, path });
    } else if (!/^\s*\+?\d+\s*$/.test(n) || Number(n) <= 0) {
      out.push({ message: `plugin host conf ${path}: numberOfPlugins is "${n}": it must be a positive integer (1)`, path });
    }
    for (const [key, name] of [
      ['pluginname0', 'pluginName0'],
      ['pluginconfigpath0', 'pluginConfigPath0'],
    ] as const) {
      const v = pp[key];
      if (v === undefined || v.trim() === '') {
        out.push({ message: `plugin host conf ${path}: [pre_post] has no ${name} (or it is empty)`, path });
      }
    }
    return out;
  },
);
