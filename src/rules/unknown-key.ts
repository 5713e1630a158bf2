import { defineRule, portalErrorFor } from './rule.js';
import { didYouMean } from '../util/did-you-mean.js';

/** Every top-level key the extension (or its telemetry) reads. */
export const KNOWN_CONFIG_KEYS = [
  'pluginName',
  'preScriptLocation',
  'postScriptLocation',
  'preScriptParams',
  'postScriptParams',
  'preScriptNoOfRetries',
  'postScriptNoOfRetries',
  'timeoutInSeconds',
  'continueBackupOnFailure',
  'fsFreezeEnabled',
  'ScriptsExecutionPollTimeSeconds',
  'appName',
] as const;

export const rule = defineRule(
  {
    id: 'unknown-key',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    title: 'Every config key is one the extension reads',
    why: 'The extension ignores keys it does not know, and key names are case-sensitive: a misspelled or miscased key silently leaves the default in place.',
    fix: 'Rename the key to the exact spelling (see the did-you-mean in the message) or remove it.',
    fixable: false,
    consequence: 'ignored by the extension: the default for the intended key applies',
    silent: false,
  },
  ({ facts, config }) => {
    if (!config) return [];
    const known = new Set<string>(KNOWN_CONFIG_KEYS);
    return Object.keys(config)
      .filter((k) => !known.has(k))
      .map((k) => {
        const guess = didYouMean(k, KNOWN_CONFIG_KEYS);
        const hint = guess ? `; did you mean "${guess}"?${guess.toLowerCase() === k.toLowerCase() ? ' (key names are case-sensitive)' : ''}` : '';
        return { message: `key "${k}" is not one the extension reads, so it is ignored${hint}`, path: facts.configPath };
      });
  },
);
