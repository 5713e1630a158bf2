// The pre/post twins (exists, mode, owner, params type) come from one factory each, and the rules that
// judge both scripts share `scriptTargets`: which script the extension would run, from the config.
import type { PathFacts, ScriptFacts } from '../model/facts.js';
import { defineRule, portalErrorFor, scriptFailureConsequence } from './rule.js';
import type { Rule, RuleContext, RuleFinding } from './rule.js';
import { modeCeilingRule, rootOwnerRule, type CheckedFile } from './file-rule-factory.js';
import {
  backupAfterScriptFailure,
  describeNotRegular,
  isPlainObject,
  isRegularFile,
  showValue,
  type RegularFile,
} from './helpers.js';

export type Which = 'pre' | 'post';

interface ScriptKind {
  which: Which;
  /** 'pre-script' */
  label: string;
  /** 'Pre' for portal-style names */
  title: string;
  locationKey: 'preScriptLocation' | 'postScriptLocation';
  paramsKey: 'preScriptParams' | 'postScriptParams';
  notFoundCode: number;
  permissionCode: number;
  hostTimeoutCode: number;
  failedCode: number;
}

export const SCRIPT_KINDS: Record<Which, ScriptKind> = {
  pre: {
    which: 'pre',
    label: 'pre-script',
    title: 'Pre',
    locationKey: 'preScriptLocation',
    paramsKey: 'preScriptParams',
    notFoundCode: 302,
    permissionCode: 306,
    hostTimeoutCode: 310,
    failedCode: 300,
  },
  post: {
    which: 'post',
    label: 'post-script',
    title: 'Post',
    locationKey: 'postScriptLocation',
    paramsKey: 'postScriptParams',
    notFoundCode: 303,
    permissionCode: 307,
    hostTimeoutCode: 311,
    failedCode: 301,
  },
};

/** A script the config names by a string: what the extension would try to run. */
export interface ScriptTarget {
  kind: ScriptKind;
  /** the configured location, as written */
  location: string;
  /** the absolute path the extension would run; null for "" or a relative path with no extension */
  resolvedPath: string | null;
  file: PathFacts | null;
  facts: ScriptFacts | null;
}

/**
 * The script the extension would run for `which`, or null when the config is not a JSON object, lacks
 * the key, or gives a non-string (config-json-valid and config-types report those).
 */
export function scriptTarget(ctx: RuleContext, which: Which): ScriptTarget | null {
  const kind = SCRIPT_KINDS[which];
  if (!ctx.config || !(kind.locationKey in ctx.config)) return null;
  const location = ctx.config[kind.locationKey];
  if (typeof location !== 'string') return null;
  const sf = ctx.facts.scripts[which];
  return { kind, location, resolvedPath: sf?.resolvedPath ?? null, file: sf?.file ?? null, facts: sf };
}

/** Both scripts' targets, pre first, when the config names them. */
export function scriptTargets(ctx: RuleContext): ScriptTarget[] {
  return (['pre', 'post'] as const).map((w) => scriptTarget(ctx, w)).filter((t): t is ScriptTarget => t !== null);
}

/** A target that exists as a regular file (after following links). */
export function existingScript(t: ScriptTarget | null): (ScriptTarget & { file: RegularFile }) | null {
  return t && isRegularFile(t.file) ? { ...t, file: t.file } : null;
}

/** What happens when a script that does run fails (a non-zero exit): 300/301 then the config decides. */
export function scriptRunFailureConsequence(kind: ScriptKind, config: Record<string, unknown> | null): string {
  return `the ${kind.label} fails when run (${kind.title}-ScriptExecutionFailed, ${kind.failedCode}); ${backupAfterScriptFailure(config)}`;
}

export function makeScriptExistsRule(which: Which): Rule {
  const k = SCRIPT_KINDS[which];
  const other = which === 'post' ? ' Both scripts are mandatory: without the post-script the extension never runs the pre-script either.' : '';
  return defineRule(
    {
      id: `${which}script-exists`,
      severity: 'error',
      extensionCode: k.notFoundCode,
      portalError: portalErrorFor(k.notFoundCode),
      upstream: which === 'pre' ? 'ScriptRunner.py:160-163' : 'ScriptRunner.py:176-179',
      scope: 'framework',
      title: `The ${k.label} named by ${k.locationKey} exists`,
      why: `The extension needs ${k.locationKey} to name a regular file (symlinks followed; "" fails; a relative path resolves against the extension folder). Otherwise it reports ${k.notFoundCode} and does not run the scripts.${other}`,
      fix: `Put the ${k.label} at the path ${k.locationKey} names (or fix the path), then chown root and chmod 0700 it.`,
      fixable: false,
      consequence: scriptFailureConsequence(null),
      silent: false,
    },
    (ctx) => {
      const t = scriptTarget(ctx, which);
      if (!t) return [];
      const consequence = scriptFailureConsequence(ctx.config);
      const post = which === 'post' ? '; without a post-script the extension never runs the pre-script either' : '';
      if (t.location === '') {
        return [{ message: `${k.locationKey} is "" (empty): the extension needs the path of the ${k.label}${post}`, path: ctx.facts.configPath, consequence }];
      }
      // A relative location with no extension to resolve it against: script-path-relative says so.
      if (t.resolvedPath === null || t.file === null || isRegularFile(t.file)) return [];
      const resolved = t.resolvedPath !== t.location ? ` (${k.locationKey} "${t.location}")` : '';
      return [
        {
          message: `${k.label} ${t.resolvedPath}${resolved} ${describeNotRegular(t.file)}: the extension needs a regular file${post}`,
          path: t.resolvedPath,
          consequence,
        },
      ];
    },
  );
}

/** The script the extension would run, as the file its mode and owner tests look at. */
function scriptFile(which: Which): CheckedFile {
  return {
    label: SCRIPT_KINDS[which].label,
    file: (ctx) => existingScript(scriptTarget(ctx, which))?.file ?? null,
    consequence: (ctx) => scriptFailureConsequence(ctx.config),
  };
}

export function makeScriptModeRule(which: Which): Rule {
  const k = SCRIPT_KINDS[which];
  return modeCeilingRule(
    {
      id: `${which}script-mode`,
      severity: 'error',
      extensionCode: k.permissionCode,
      portalError: portalErrorFor(k.permissionCode),
      upstream: which === 'pre' ? 'ScriptRunner.py:129-143, 165-168' : 'ScriptRunner.py:129-143, 181-184',
      scope: 'framework',
      title: `The ${k.label} has no group or other permissions`,
      why: `The extension refuses a ${k.label} whose group or others have any bit ((mode & 0o077) != 0: 0700, 0600 and 0500 pass; 0750 and 0755 fail), reports ${k.permissionCode} and does not run the scripts.`,
      fix: `chmod 0700 the ${k.label} (the symlink target, when ${k.locationKey} is a link).`,
      fixable: true,
      consequence: scriptFailureConsequence(null),
      silent: false,
    },
    scriptFile(which),
    0o077,
    0o700,
  );
}

export function makeScriptOwnerRule(which: Which): Rule {
  const k = SCRIPT_KINDS[which];
  return rootOwnerRule(
    {
      id: `${which}script-owner`,
      severity: 'error',
      extensionCode: k.permissionCode,
      portalError: portalErrorFor(k.permissionCode),
      upstream: which === 'pre' ? 'ScriptRunner.py:119-127, 171-174' : 'ScriptRunner.py:119-127, 186-189',
      scope: 'framework',
      title: `The ${k.label} is owned by root`,
      why: `The extension looks up the ${k.label} owner's user name and refuses anything but root (a uid with no passwd entry fails too), reports ${k.permissionCode} and does not run the scripts.`,
      fix: `Review the ${k.label} (its owner could have written anything in it), then chown root it (the symlink target, when ${k.locationKey} is a link); --fix does this only with --fix-adopt.`,
      fixable: true,
      consequence: scriptFailureConsequence(null),
      silent: false,
    },
    scriptFile(which),
  );
}

export function makeScriptParamsRule(which: Which): Rule {
  const k = SCRIPT_KINDS[which];
  const hostTimeout = `the extension waits about 1800 s, then reports ${k.hostTimeoutCode} (${portalErrorFor(k.hostTimeoutCode)})`;
  return defineRule(
    {
      id: `${which}script-params-type`,
      severity: 'error',
      extensionCode: k.hostTimeoutCode,
      portalError: portalErrorFor(k.hostTimeoutCode),
      upstream: which === 'pre' ? 'ScriptRunner.py:204-206' : 'ScriptRunner.py:259-261',
      scope: 'framework',
      title: `${k.paramsKey} is a list of strings`,
      why: `The extension appends ${k.paramsKey} to the command line one element at a time: a number or null crashes the worker thread, so ${hostTimeout}. A string is split into characters and an object gives its key names (warnings: the script runs, with arguments nobody meant).`,
      fix: `Write ${k.paramsKey} as a JSON list of strings, e.g. ["--quiesce", "mydb"], or [] for none.`,
      fixable: false,
      consequence: `the ${k.label} never completes: ${hostTimeout}`,
      silent: false,
    },
    (ctx) => {
      if (!ctx.config || !(k.paramsKey in ctx.config)) return [];
      const v = ctx.config[k.paramsKey];
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return [];
      const path = ctx.facts.configPath;
      // what runs is odd but runs: a warning (the doc wants a list of strings)
      const odd = (message: string, consequence: string): RuleFinding[] => [{ message, path, consequence, severity: 'warning' }];
      if (typeof v === 'string') {
        if (v === '') return []; // no characters, no arguments
        const chars = [...v].slice(0, 6).map((c) => JSON.stringify(c)).join(' ');
        return odd(
          `${k.paramsKey} is the string ${showValue(v)}, not a list: the extension splits it into characters, so the ${k.label} gets ${chars}${[...v].length > 6 ? ' …' : ''} as separate arguments; write [${showValue(v)}]`,
          `the ${k.label} runs with one argument per character of ${showValue(v)}`,
        );
      }
      if (Array.isArray(v)) {
        return odd(
          `${k.paramsKey} has non-string elements (${showValue(v)}): the extension passes each through str(), so the ${k.label} gets them as text (null becomes "None"); write them as strings`,
          `the ${k.label} runs with the elements as text`,
        );
      }
      if (isPlainObject(v)) {
        if (Object.keys(v).length === 0) return [];
        return odd(
          `${k.paramsKey} is a JSON object (${showValue(v)}): the extension iterates over it, so the ${k.label} gets its key names as arguments; write a list`,
          `the ${k.label} runs with the object's key names as arguments`,
        );
      }
      const what = v === null ? 'null' : `a ${typeof v} (${showValue(v)})`;
      return [
        {
          message: `${k.paramsKey} is ${what}: building the command line crashes the extension's worker thread, so ${hostTimeout}`,
          path,
          consequence: `the ${k.label} never runs: ${hostTimeout}; ${backupAfterScriptFailure(ctx.config)}`,
        },
      ];
    },
  );
}
