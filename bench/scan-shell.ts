// The bash-only scan runs on the client's event loop, which every host's audit shares, over text a
// VM wrote: it must stay linear on every shape of input. This bench times it on adversarial shapes
// (fragments the patterns look for, repeated, alternated and mixed into long lines) from a seeded
// generator, at 8 KiB and 64 KiB: linear costs about 8x from one to the other, quadratic 64x.
//   npm run build && node dist/bench/scan-shell.js [--seed N] [--shapes N]
// prints the slowest shapes and exits 1 if any 64 KiB scan takes over 50 ms and grows more than 16x.
import { performance } from 'node:perf_hooks';
import { findBashisms } from '../src/collect/scan-shell.js';

/** Fragments each pattern (and the quote/heredoc tracking) starts or ends on. */
const FRAGMENTS = [
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
function shapes(seed: number, count: number): { name: string; text: (size: number) => string }[] {
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
function scanMs(text: string): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    findBashisms(text, Number.MAX_SAFE_INTEGER);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

const seed = flag('seed', Math.floor(Math.random() * 2 ** 31));
const rows: { name: string; big: number; small: number }[] = [];
for (const shape of shapes(seed, flag('shapes', 200))) {
  rows.push({ name: shape.name, big: scanMs(shape.text(SIZE)), small: scanMs(shape.text(SIZE / 8)) });
}
rows.sort((a, b) => b.big - a.big);
console.log(`seed ${seed}: ${rows.length} shapes; the slowest at 64 KiB (ms at 8 KiB, ms at 64 KiB, growth):`);
for (const r of rows.slice(0, 10)) console.log(`  ${r.small.toFixed(2).padStart(7)} ${r.big.toFixed(2).padStart(8)}  x${(r.big / Math.max(r.small, 0.05)).toFixed(1).padStart(5)}  ${r.name}`);
const quadratic = rows.filter((r) => r.big > 50 && r.big / Math.max(r.small, 0.05) > 16);
if (quadratic.length > 0) {
  console.log(`${quadratic.length} shapes look quadratic`);
  process.exitCode = 1;
}
