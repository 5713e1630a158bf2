// Which hosts of an inventory a run works on: --limit patterns (each narrowing the previous), then
// --shard's share. Pure; a bad pattern or shard is a SelectionError naming the flag.
import type { Host, Inventory } from '../inventory/types.js';
import { selectHosts } from './pattern.js';
import { parseShard, selectShard, type Shard } from './shard.js';

export interface SelectionOptions {
  /** --limit patterns (Ansible syntax), each narrowing the previous */
  limit?: readonly string[] | undefined;
  /** --shard I/N */
  shard?: string | undefined;
}

export interface SelectedHosts {
  inventory: Inventory;
  /** the hosts to work on, in inventory order */
  hosts: Host[];
  /** hosts of the inventory before --limit and --shard */
  total: number;
  /** the user named the hosts one by one (a --limit of host names, or --local): lifts the --fix guard */
  explicit: boolean;
  shard: Shard | null;
}

export function selectInventoryHosts(inventory: Inventory, opts: SelectionOptions = {}): SelectedHosts {
  const shard = opts.shard !== undefined ? parseShard(opts.shard) : null;
  const selection = selectHosts(inventory.hosts, opts.limit ?? []);
  const hosts = shard ? selectShard(selection.hosts, shard) : selection.hosts;
  return { inventory, hosts, total: inventory.hosts.length, explicit: selection.explicit || inventory.local === true, shard };
}

/** Notes for stderr about a selection: entries the inventory skipped, an empty shard. */
export function selectionNotes(s: SelectedHosts): string[] {
  const notes: string[] = [];
  const skipped = s.inventory.skipped ?? [];
  if (skipped.length > 0) {
    const shown = skipped.slice(0, 10).map((x) => `${x.name} (${x.reason})`);
    if (skipped.length > 10) shown.push(`and ${skipped.length - 10} more`);
    notes.push(`inventory: ${skipped.length} host${skipped.length === 1 ? '' : 's'} not audited over SSH, left out: ${shown.join(', ')}`);
  }
  if (s.shard && s.hosts.length === 0) notes.push(`--shard ${s.shard.index}/${s.shard.count} has no hosts (the selection has too few for ${s.shard.count} shards)`);
  return notes;
}
