import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';
import { isPlainObject, jsonType, showValue } from './helpers.js';
import { getConfigEnd } from './python.js';

export const rule = defineRule(
  {
    id: 'config-types',
    severity: 'error',
    extensionCode: 304,
    portalError: portalErrorFor(304),
    upstream: 'ScriptRunner.py:84-86, 105, 109-117, 160; PluginHost.py:166-169',
    scope: 'framework',
    title: 'The script config values have the types the extension needs',
    why: 'A config nested deeper than Python\'s json can read (about 1,000 levels), a config whose top level is not an object, a script location that is null, a timeoutInSeconds that is not a number (Python\'s min() raises TypeError), a ScriptsExecutionPollTimeSeconds that int() cannot take (null, a list or an object: TypeError; 1e400 or Infinity: OverflowError), or a pluginName that is not a string in a config that fails to load (the extension\'s error handler adds it to a string and raises) makes the extension fail with 304 and silently take a file-system-consistent backup.',
    fix: 'Write the script locations as strings ("/etc/azure/prescript.sh"), timeoutInSeconds as a number without quotes (30), ScriptsExecutionPollTimeSeconds as an integer from 1 to 5 (or drop it), and pluginName as the string "ScriptRunner".',
    fixable: false,
    consequence: CONSEQUENCE.silentFallback,
    silent: true,
  },
  ({ facts }) => {
    const parse = facts.config.parse;
    const path = facts.configPath;
    if (parse !== null && !parse.ok && parse.kind === 'too_deep') {
      // RecursionError is not the ValueError the extension expects from a bad config: it fails as 304
      const at = parse.line !== null ? ` (at line ${parse.line}${parse.column !== null ? `:${parse.column}` : ''})` : '';
      return [{ message: `script config ${path} ${parse.message}${at}`, path }];
    }
    if (parse === null || !parse.ok) return [];
    const cfg = parse.value;
    if (!isPlainObject(cfg)) {
      return [{ message: `script config ${path} is a JSON ${jsonType(cfg)} at the top level: the extension needs an object ({...})`, path }];
    }
    const out: RuleFinding[] = [];
    for (const key of ['preScriptLocation', 'postScriptLocation']) {
      if (!(key in cfg)) continue;
      const v = cfg[key];
      if (v === null) out.push({ message: `${key} is null: the extension needs a string path`, path });
      else if (typeof v !== 'string') out.push({ message: `${key} is a ${jsonType(v)} (${showValue(v)}): the extension needs a string path`, path });
    }
    // what get_config raises and does not catch (ScriptRunner.py:81-117): min() and int() as Python does them
    const end = getConfigEnd(cfg);
    if (!end.loaded && end.code === 304) out.push({ message: `${end.why}, which the extension does not catch`, path });
    return out;
  },
);
