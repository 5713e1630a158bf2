// The bash-only scan runs on the client's event loop, which every host's audit shares, over text a
// VM wrote: it must stay linear on every shape of input. A property test over adversarial shapes
// (fragments the patterns look for, repeated, alternated and mixed into long lines), with a seeded
// generator (the seed is printed on failure; VMSNAP_SCAN_SEED replays one).
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { findBashisms } from '../../src/collect/scan-shell.js';

/** Fragments each pattern (and the quote/heredoc tracking) starts or ends on. */
export const FRAGMENTS = [
  '[ ', 'test ', ' == ', '==', '[[ ', '$((', '))', '**', '<<', '<<-', '<<EOF', "<<'E'", '$(', '${', '${a', '${a/', '${a:', '${!a', '${a^^}',
  'set ', 'set -', '-o ', '-eo', 'pipefail', 'export ', '-f', '-n ', 'source ', 'declare ', '&>', '&', '|', ';', '(', ')', '{', '}',
  "'", '"', '\\', '#', ' ', '\t', 'a', '1', ':', '-', '/', 'then ', 'do ', 'if ', '!', '<', '>', '\n', '\r\n',
];

const SIZE = 64 * 1024;

/** xorshift32: reproducible from a seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function fill(parts: readonly string[], size: number): string {
  let out = '';
  for (let i = 0; out.length < size; i++) out += parts[i % parts.length]!;
  return out.slice(0, size);
}

/** Adversarial shapes: one fragment repeated, pairs and triples alternated, random mixes, on one line or many. */
export function shapes(seed: number, count: number): { name: string; text: (size: number) => string }[] {
  const r = rng(seed);
  const pick = () => FRAGMENTS[Math.floor(r() * FRAGMENTS.length)]!;
  const out: { name: string; text: (size: number) => string }[] = [];
  for (const f of FRAGMENTS) out.push({ name: `repeat ${JSON.stringify(f)}`, text: (n) => fill([f], n) });
  for (let i = 0; i < count; i++) {
    const k = 2 + Math.floor(r() * 4);
    const parts = Array.from({ length: k }, pick);
    const lineBreaks = r() < 0.3;
    const seq = lineBreaks ? [...parts, '\n'] : parts;
    out.push({ name: `cycle ${JSON.stringify(seq)}`, text: (n) => fill(seq, n) });
  }
  for (let i = 0; i < count / 4; i++) {
    const s2 = Math.floor(r() * 2 ** 31);
    out.push({
      name: `random mix (seed ${s2})`,
      text: (n) => {
        const rr = rng(s2);
        let t = '';
        while (t.length < n) t += FRAGMENTS[Math.floor(rr() * FRAGMENTS.length)]!;
        return t.slice(0, n);
      },
    });
  }
  return out;
}

/** The best of three runs, in ms: the scan's own cost, not a neighbour's GC pause. */
export function scanMs(text: string): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    findBashisms(text, Number.MAX_SAFE_INTEGER);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const seed = Number(process.env['VMSNAP_SCAN_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

describe(`the bash-only scan is linear on adversarial input (seed ${seed}; VMSNAP_SCAN_SEED=${seed} replays it)`, () => {
  it('scans any 64 KiB shape within 50 ms, and 8x the text costs about 8x the time, not 64x', () => {
    const slow: string[] = [];
    for (const shape of shapes(seed, 200)) {
      const big = scanMs(shape.text(SIZE));
      if (big <= 50) continue;
      // over the bound: a loaded machine, or quadratic? Quadratic grows 64x from 8 to 64 KiB.
      const small = scanMs(shape.text(SIZE / 8));
      slow.push(`${shape.name}: ${big.toFixed(1)} ms at 64 KiB, ${small.toFixed(1)} ms at 8 KiB (x${(big / Math.max(small, 0.5)).toFixed(0)})`);
    }
    expect(slow, `seed ${seed}`).toEqual([]);
  });
});
