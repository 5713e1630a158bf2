// --rerun-failed LAST.json: audit only the hosts that were not compliant last time. Pure.
import type { PreviousReport } from './load.js';

/** Names of the hosts the earlier report did not find compliant (any status but compliant), in its order. */
export function failedHostNames(previous: PreviousReport): string[] {
  return previous.hosts.filter((h) => h.status !== 'compliant').map((h) => h.name);
}

/**
 * The inventory hosts to rerun, in inventory order, and the failed names the inventory no longer has.
 */
export function selectRerun<T extends { name: string }>(hosts: readonly T[], failedNames: readonly string[]): { selected: T[]; missing: string[] } {
  const wanted = new Set(failedNames);
  const selected = hosts.filter((h) => wanted.has(h.name));
  const have = new Set(hosts.map((h) => h.name));
  const missing = [...wanted].filter((n) => !have.has(n));
  return { selected, missing };
}
