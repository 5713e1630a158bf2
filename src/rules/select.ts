// Resolves --rule / --skip-rule and inventory severity overrides against the registry.
import type { Rule } from './rule.js';
import { didYouMean } from '../util/did-you-mean.js';
import { UsageError } from '../errors.js';

function check(ids: readonly string[], known: readonly string[], where: string): void {
  for (const id of ids) {
    if (!known.includes(id)) {
      const hint = didYouMean(id, known);
      throw new UsageError(`${where}: unknown rule "${id}"${hint ? ` (did you mean "${hint}"?)` : ''}; see \`vmsnap rules\``);
    }
  }
}

export function selectRules(all: readonly Rule[], only: readonly string[], skip: readonly string[]): Rule[] {
  const known = all.map((r) => r.meta.id);
  check(only, known, '--rule');
  check(skip, known, '--skip-rule');
  const selected = all.filter((r) => (only.length === 0 || only.includes(r.meta.id)) && !skip.includes(r.meta.id));
  // no rule at all would report every reachable host compliant: surely not what was meant
  if (selected.length === 0) {
    const both = only.filter((id) => skip.includes(id));
    throw new UsageError(`--rule and --skip-rule leave no rule to run${both.length ? ` (${both.join(', ')} is given to both)` : ''}`);
  }
  return selected;
}

export function checkOverrideIds(all: readonly Rule[], overrides: Iterable<[string, Record<string, unknown>]>): void {
  const known = all.map((r) => r.meta.id);
  for (const [where, o] of overrides) check(Object.keys(o), known, where);
}
