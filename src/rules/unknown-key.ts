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

/** How many unknown keys the finding names. */
const NAMED_KEYS = 5;
/** Keys longer than this are quoted cut, and get no did-you-mean (edit distance is quadratic). */
const KEY_CHARS = 64;

function quoteKey(k: string): string {
  return k.length > KEY_CHARS ? `"${k.slice(0, KEY_CHARS)}…" (${k.length} characters)` : `"${k}"`;
}

function guessFor(k: string): string {
  const guess = k.length > KEY_CHARS ? null : didYouMean(k, KNOWN_CONFIG_KEYS);
  return guess ? `did you mean "${guess}"?${guess.toLowerCase() === k.toLowerCase() ? ' (key names are case-sensitive)' : ''}` : '';
}

export const rule = defineRule(
  {
    id: 'unknown-key',
    severity: 'warning',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: 'ScriptRunner.py:84-106 (the keys get_config reads)',
    scope: 'framework',
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
    const unknown = Object.keys(config).filter((k) => !known.has(k));
    if (unknown.length === 0) return [];
    // one finding for the file, however many keys (a VM can write 55,000 of them)
    const more = unknown.length > NAMED_KEYS ? ` and ${unknown.length - NAMED_KEYS} more` : '';
    const first = unknown[0]!;
    const message =
      unknown.length === 1
        ? `key ${quoteKey(first)} is not one the extension reads, so it is ignored${guessFor(first) ? `; ${guessFor(first)}` : ''}`
        : `${unknown.length} keys are not ones the extension reads, so they are ignored: ${unknown
            .slice(0, NAMED_KEYS)
            .map((k) => (guessFor(k) ? `${quoteKey(k)} (${guessFor(k)})` : quoteKey(k)))
            .join(', ')}${more}`;
    return [{ message, path: facts.configPath }];
  },
);
