// The extension's two permission tests, made rules for every file it tests: a mode ceiling
// ((mode & mask) == 0) and an owner by name (root). The config, the host conf and each script
// differ only in which file, its label, the mask, and what a failure does to the backup.
import type { RuleContext, RuleMeta, Rule } from './rule.js';
import { defineRule } from './rule.js';
import { isRegularFile, modeViolation, ownerViolation, type RegularFile } from './helpers.js';

export interface CheckedFile {
  /** 'script config', 'plugin host conf', 'pre-script' */
  label: string;
  /** the file the extension would test, when there is one */
  file(ctx: RuleContext): RegularFile | null;
  /** the finding's path (default: the file's) */
  path?(ctx: RuleContext, file: RegularFile): string;
  /** the finding's consequence when it depends on the config (default: the rule's) */
  consequence?(ctx: RuleContext): string;
}

export const SCRIPT_CONFIG: CheckedFile = {
  label: 'script config',
  file: ({ facts }) => (isRegularFile(facts.config.file) ? facts.config.file : null),
  path: ({ facts }) => facts.configPath,
};

export const HOST_CONF: CheckedFile = {
  label: 'plugin host conf',
  file: ({ facts }) => (isRegularFile(facts.hostConf.file) ? facts.hostConf.file : null),
};

function finding(f: CheckedFile, ctx: RuleContext, file: RegularFile, message: string) {
  return [{ message, path: f.path ? f.path(ctx, file) : file.path, ...(f.consequence ? { consequence: f.consequence(ctx) } : {}) }];
}

/** The extension refuses the file when (mode & mask) != 0; `example` is a mode that passes. */
export function modeCeilingRule(meta: RuleMeta, f: CheckedFile, mask: number, example: number): Rule {
  return defineRule(meta, (ctx) => {
    const file = f.file(ctx);
    const message = file && modeViolation(f.label, file, mask, example);
    return file && message ? finding(f, ctx, file, message) : [];
  });
}

/** The extension refuses the file unless its owner's user name is root. */
export function rootOwnerRule(meta: RuleMeta, f: CheckedFile): Rule {
  return defineRule(meta, (ctx) => {
    const file = f.file(ctx);
    const message = file && ownerViolation(f.label, file);
    return file && message ? finding(f, ctx, file, message) : [];
  });
}
