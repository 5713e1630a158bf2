import { defineRule, portalErrorFor } from './rule.js';
import { showValue } from './helpers.js';

export const rule = defineRule(
  {
    id: 'plugin-name',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'ScriptRunner.py:87-88 (read, used only in log lines); the doc asks for ScriptRunner',
    scope: 'framework',
    title: 'pluginName is "ScriptRunner"',
    why: 'The template config says "pluginName": "ScriptRunner" and the doc says to leave it as is, or the scripts might not work as expected.',
    fix: 'Set "pluginName": "ScriptRunner" in /etc/azure/VMSnapshotScriptPluginConfig.json.',
    fixable: false,
    consequence: 'the doc warns the scripts might not work as expected',
    silent: false,
  },
  ({ facts, config }) => {
    if (!config) return [];
    const path = facts.configPath;
    if (!('pluginName' in config)) {
      return [{ message: 'pluginName is missing: the doc asks to keep the template\'s "pluginName": "ScriptRunner"', path }];
    }
    const v = config['pluginName'];
    if (v === 'ScriptRunner') return [];
    return [{ message: `pluginName is ${showValue(v)}: the doc asks to keep it exactly "ScriptRunner"`, path }];
  },
);
