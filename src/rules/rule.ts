// The shape every rule has (after ESLint): static `meta` plus a pure `check` over collected facts.
// A rule never does I/O, never prints and never knows how the facts were gathered.
import type { HostFacts } from '../model/facts.js';
import type { Severity } from '../model/report.js';
import { backupAfterScriptFailure } from './helpers.js';

export interface RuleMeta {
  /** stable kebab-case id; also the name of src/rules/<id>.ts, docs/rules/<id>.md, test/rules/<id>.test.ts */
  id: string;
  severity: Severity;
  /** the VMSnapshotLinux status code this predicts, or null when the extension never reports it */
  extensionCode: number | null;
  /** the failure's name in the public doc's troubleshooting table, when it has one */
  portalError: string | null;
  /**
   * the upstream lines it mirrors, as `File.py:lines` of VMBackup/main at b7eecd4
   * (../shared/reference), or `none: why` for a rule no extension code stands behind
   */
  upstream: string;
  /**
   * 'framework': about the script framework's own files and values (moot, and shown as info, while
   * workload.conf makes the extension bypass the framework); 'outside': about the extension, its
   * evidence or the VM's security, which count whatever workload.conf says
   */
  scope: 'framework' | 'outside';
  title: string;
  /** why it matters, one or two sentences */
  why: string;
  /** how an operator fixes it by hand */
  fix: string;
  /** whether `vmsnap audit --fix` can repair it (permissions and ownership only) */
  fixable: boolean;
  /** what the backup does when this fails; a finding may say something more precise */
  consequence: string;
  /** true when the backup silently falls back to file-system-consistent and the portal shows success */
  silent: boolean;
}

/** What a check returns: the rule's meta fills in the rest of the Finding. */
export interface RuleFinding {
  message: string;
  path?: string;
  /** lower than meta.severity where the rule's own doc says so (e.g. a warning variant) */
  severity?: Severity;
  consequence?: string;
  /** overrides meta.silent for this finding (e.g. an info-level variant of a silent rule) */
  silent?: boolean;
}

export interface RuleContext {
  facts: HostFacts;
  /** the config as a JSON object when it parsed to one; null otherwise */
  config: Record<string, unknown> | null;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): RuleFinding[];
}

export const CONSEQUENCE = {
  silentFallback: 'backup silently falls back to file-system-consistent (portal shows success)',
  visibleFallback: 'backup continues file-system-consistent with a visible warning; scripts do not run',
  scriptsSkipped: 'scripts do not run; the backup continues file-system-consistent or fails, per continueBackupOnFailure',
  none: 'the extension runs as configured; this is advice',
} as const;

/**
 * What a script failure (302/303/306/307, a failed run, a timeout) does to the backup, given the
 * config: the scripts do not run, and backupAfterScriptFailure says what the backup does then.
 */
export function scriptFailureConsequence(config: Record<string, unknown> | null): string {
  return `scripts do not run; ${backupAfterScriptFailure(config)}`;
}

export function defineRule(meta: RuleMeta, check: Rule['check']): Rule {
  return { meta, check };
}

/**
 * The portal names in the public doc's troubleshooting table, by the extension status code they most
 * likely stand for (the mapping is inferred from the names: see shared/reference/extension-behavior.md).
 */
const PORTAL_ERRORS: Record<number, string> = {
  300: 'Pre-ScriptExecutionFailed',
  301: 'Post-ScriptExecutionFailed',
  302: 'Pre-ScriptNotFound',
  303: 'Post-ScriptNotFound',
  304: 'IncorrectPluginhostFile',
  313: 'IncorrectPluginhostFile',
  314: 'IncorrectPluginhostFile',
  305: 'IncorrectJSONConfigFile',
  316: 'IncorrectJSONConfigFile',
  317: 'IncorrectJSONConfigFile',
  306: 'InsufficientPermissionforPre-Script',
  307: 'InsufficientPermissionforPost-Script',
  308: 'Pre-ScriptTimeout',
  310: 'Pre-ScriptTimeout',
  309: 'Post-ScriptTimeout',
  311: 'Post-ScriptTimeout',
};

export function portalErrorFor(code: number | null): string | null {
  return code === null ? null : (PORTAL_ERRORS[code] ?? null);
}
