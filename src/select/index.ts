// Host selection: --limit patterns and --shard shares. Pure.
export { parsePattern, selectHosts, SelectionError, splitPattern, type Selectable, type Selection, type Term } from './pattern.js';
export { MAX_SHARDS, parseShard, selectShard, shardOf, type Shard } from './shard.js';
export { selectInventoryHosts, selectionNotes, type SelectedHosts, type SelectionOptions } from './hosts.js';
