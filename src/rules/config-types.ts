import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import type { RuleFinding } from './rule.js';
import { isPlainObject, jsonType, showValue } from './helpers.js';

export const rule = defineRule(
  {
    id: 'config-types',
    severity: 'error',
    extensionCode: 304,
    portalError: portalErrorFor(304),
    title: 'The script config values have the types the extension needs',
    why: 'A config nested deeper than Python\'s json can read (about 1,000 levels), a config whose top level is not an object, a script location that is null, a timeoutInSeconds that is a string or null, or a ScriptsExecutionPollTimeSeconds that is null makes the extension fail with 304 and silently take a file-system-consistent backup.',
    fix: 'Write the script locations as strings ("/etc/azure/prescript.sh"), timeoutInSeconds as a number without quotes (30), and drop ScriptsExecutionPollTimeSeconds rather than setting it to null.',
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
    if ('timeoutInSeconds' in cfg) {
      const v = cfg['timeoutInSeconds'];
      if (typeof v === 'string') out.push({ message: `timeoutInSeconds is the string ${showValue(v)}: the extension needs a number (write it without quotes)`, path });
      else if (v === null || typeof v === 'object') out.push({ message: `timeoutInSeconds is ${v === null ? 'null' : `a ${jsonType(v)}`}: the extension needs a number`, path });
    }
    if ('ScriptsExecutionPollTimeSeconds' in cfg && cfg['ScriptsExecutionPollTimeSeconds'] === null) {
      out.push({ message: 'ScriptsExecutionPollTimeSeconds is null: the extension needs an integer 1..5 (or leave the key out for the default 3)', path });
    }
    return out;
  },
);
