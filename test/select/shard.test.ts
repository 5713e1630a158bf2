import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SelectionError } from '../../src/select/pattern.js';
import { parseShard, selectShard, shardOf } from '../../src/select/shard.js';

const NAMES = Array.from({ length: 1000 }, (_, i) => ({ name: `vm-${String(i).padStart(4, '0')}.contoso.internal` }));

describe('shards', () => {
  it.each(Array.from({ length: 16 }, (_, i) => i + 1))('n=%i: every host is in exactly one shard, shards are balanced', (n) => {
    const seen = new Map<string, number>();
    const sizes: number[] = [];
    for (let i = 1; i <= n; i++) {
      const share = selectShard(NAMES, { index: i, count: n });
      sizes.push(share.length);
      for (const h of share) {
        expect(seen.has(h.name), `${h.name} in shards ${seen.get(h.name)} and ${i}`).toBe(false);
        seen.set(h.name, i);
      }
    }
    expect(seen.size).toBe(NAMES.length);
    // a fair hash: no shard more than 35% (or 25 hosts) away from an even share
    const even = NAMES.length / n;
    for (const s of sizes) expect(Math.abs(s - even)).toBeLessThanOrEqual(Math.max(25, even * 0.35));
  });

  it('keeps the given order', () => {
    const share = selectShard(NAMES, { index: 2, count: 3 });
    const idx = share.map((h) => NAMES.indexOf(h));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
  });

  it('is stable: the first 8 bytes of sha256(name), big-endian, mod n', () => {
    expect(shardOf('web1', 1)).toBe(0);
    const known: [string, number, number][] = [
      ['web1', 4, Number(BigInt('0x' + sha('web1').slice(0, 16)) % 4n)],
      ['db-prod-17', 7, Number(BigInt('0x' + sha('db-prod-17').slice(0, 16)) % 7n)],
    ];
    for (const [name, n, want] of known) expect(shardOf(name, n)).toBe(want);
    // pinned so a change of hash is noticed (it would move hosts between shards)
    expect([shardOf('web1', 4), shardOf('web2', 4), shardOf('web3', 4), shardOf('db1', 4)]).toEqual([2, 1, 3, 3]);
  });

  it('a host stays in its shard when other hosts come and go', () => {
    const before = new Map(NAMES.map((h) => [h.name, shardOf(h.name, 5)]));
    const fewer = NAMES.filter((_, i) => i % 3 !== 0);
    for (let i = 1; i <= 5; i++) for (const h of selectShard(fewer, { index: i, count: 5 })) expect(before.get(h.name)).toBe(i - 1);
  });
});

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

describe('parseShard', () => {
  it.each<[string, { index: number; count: number }]>([
    ['1/1', { index: 1, count: 1 }],
    ['2/4', { index: 2, count: 4 }],
    ['4/4', { index: 4, count: 4 }],
    [' 3 / 16 ', { index: 3, count: 16 }],
  ])('%j', (s, want) => expect(parseShard(s)).toEqual(want));

  it.each<[string, RegExp]>([
    ['0/4', /from 1 to 4 .*JOB_COMPLETION_INDEX\+1/],
    ['5/4', /the shard must be from 1 to 4$/],
    ['1/0', /number of shards must be from 1/],
    ['2', /expected I\/N/],
    ['a/b', /expected I\/N/],
    ['-1/4', /expected I\/N/],
    ['1.5/4', /expected I\/N/],
    ['1/100001', /from 1 to 100000/],
  ])('%j is an error', (s, message) => {
    expect(() => parseShard(s)).toThrow(SelectionError);
    expect(() => parseShard(s)).toThrow(message);
  });
});
