// --shard I/N: a deterministic share of the selected hosts, so N jump boxes (or the N pods of a
// Kubernetes Indexed Job) each audit one share and `vmsnap merge` puts the reports back together.
// A host's shard depends on its name only: the first 8 bytes of sha256(name), as a big-endian
// unsigned integer, modulo N. So every host is in exactly one shard, a host stays in its shard
// when other hosts come and go, and nothing has to be coordinated between the shards.
// Shards are numbered from 1 to N (a Job's JOB_COMPLETION_INDEX is 0-based: pass INDEX+1).
import { createHash } from 'node:crypto';
import { SelectionError } from './pattern.js';
import { InternalError } from '../errors.js';

export interface Shard {
  /** 1..count */
  index: number;
  count: number;
}

/** Most shards a run may be split into. */
export const MAX_SHARDS = 100_000;

/** Parses `I/N` (1 <= I <= N); throws SelectionError with the fix. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new SelectionError(`--shard ${JSON.stringify(text)}: expected I/N, e.g. --shard 2/4 (the second of four shards)`, 'shard');
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new SelectionError(`--shard ${text}: the number of shards must be from 1 to ${MAX_SHARDS}`, 'shard');
  if (index < 1 || index > count) {
    const hint = index === 0 ? ` (shards are numbered from 1; in a Kubernetes Indexed Job use --shard $((JOB_COMPLETION_INDEX+1))/${count})` : '';
    throw new SelectionError(`--shard ${text}: the shard must be from 1 to ${count}${hint}`, 'shard');
  }
  return { index, count };
}

/** The 0-based shard a host name falls in, out of `count`. */
export function shardOf(name: string, count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new InternalError(`shard count must be a positive integer, got ${count}`);
  const h = createHash('sha256').update(name, 'utf8').digest();
  return Number(h.readBigUInt64BE(0) % BigInt(count));
}

/** The hosts of `shard` (1-based), in their given order. */
export function selectShard<T extends { name: string }>(hosts: readonly T[], shard: Shard): T[] {
  return hosts.filter((h) => shardOf(h.name, shard.count) === shard.index - 1);
}
