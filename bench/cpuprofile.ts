// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the top functions by self time, and self
// time per package / source file, so a profile can be read without a browser.
//
//   node dist/bench/cpuprofile.js FILE.cpuprofile [--top 30] [--by function|file|package|phase]
//        [--from MS] [--to MS]      (a time window, ms from the profile's start)
//        [--weight samples|time] [--callers NAME [--depth 6]]
//
// --by phase: each sample goes to the audit phase its call stack belongs to (see PHASE_RULES):
// start-up, key exchange, user auth, SSH transport (ciphers, packets, socket I/O), collect, parse,
// judge, report, GC, other.
// --callers NAME: the call paths (up to --depth frames) that lead to functions named NAME, by weight.
//
// Weighting: V8 samples on a wall clock, and each sample carries the time since the previous one.
// On a busy machine (2 cores shared with sshds) the main thread is often preempted in the middle of
// a socket write, and the whole wait lands on that frame (`writeBuffer` shows up with seconds of
// "self time" that were never CPU). A sample is only taken while the thread runs, so counting
// samples (the default, `--weight samples`, each worth the profile's median interval) tracks CPU
// time; `--weight time` gives the raw wall-clock attribution.
import * as fs from 'node:fs';
import { Flags, parseFlags } from './common.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  selfMs: number;
  percent: number;
}

function packageOf(url: string): string {
  if (!url) return '(native / V8)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node: (core)';
  const m = /\/(?:dist\/)?(src\/[^/]+|bench)\//.exec(url);
  return m ? `vmsnap ${m[1]}` : url;
}

function label(f: CallFrame, by: string): string {
  if (by === 'package') return packageOf(f.url);
  const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/');
  if (by === 'file') return file || '(native / V8)';
  const name = f.functionName || '(anonymous)';
  return file ? `${name}  ${file.replace(/^.*\/(dist|work\/main)\//, '')}:${f.lineNumber + 1}` : name;
}

// ---- frames of a bundle (dist/src/cli/vmsnap.bundle.js) mapped back to their modules, by its source map

const B64 = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));

/** Per generated line, the [column, source index] segments, from a source map's VLQ mappings. */
function decodeMappings(mappings: string): Array<Array<[number, number]>> {
  const lines: Array<Array<[number, number]>> = [];
  let source = 0;
  for (const line of mappings.split(';')) {
    const segs: Array<[number, number]> = [];
    let col = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = B64.get(ch) ?? 0;
        value += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += fields[0] ?? 0;
      if (fields.length > 1) source += fields[1]!;
      segs.push([col, source]);
    }
    lines.push(segs);
  }
  return lines;
}

const maps = new Map<string, { sources: string[]; lines: Array<Array<[number, number]>> } | null>();

/** The module a bundled frame's code came from (a file: URL), or the frame's own URL. */
function originalUrl(f: CallFrame): string {
  if (!f.url.endsWith('.bundle.js')) return f.url;
  let map = maps.get(f.url);
  if (map === undefined) {
    try {
      const file = new URL(`${f.url}.map`);
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { sources: string[]; mappings: string };
      map = { sources: raw.sources.map((src) => new URL(src, file).href), lines: decodeMappings(raw.mappings) };
    } catch {
      map = null;
    }
    maps.set(f.url, map);
  }
  const segs = map?.lines[f.lineNumber];
  if (!map || !segs?.length) return f.url;
  let best = segs[0]!;
  for (const s of segs) if (s[0] <= f.columnNumber) best = s;
  return map.sources[best[1]] ?? f.url;
}

/** A frame of vmsnap's own modules (dist/src, or src/ through the bundle's source map) matching `re`. */
const ours = (url: string, re: RegExp) => re.test(url) && !url.includes('/node_modules/');

/** Audit phases by call stack, first match wins; `frames` is the stack, innermost first. */
const PHASE_RULES: Array<[string, (frames: CallFrame[]) => boolean]> = [
  ['GC', (f) => f[0]?.functionName === '(garbage collector)'],
  ['start-up (module loading, compile)', (f) => f.some((x) => /node:internal\/modules\/|node:internal\/vm/.test(x.url) || /^(compileSourceTextModule|wrapSafe|link|instantiate|evaluate)$/.test(x.functionName))],
  ['parse (collector output: JSON, zod)', (f) => f.some((x) => /\/src\/collect\/parse-/.test(x.url))],
  ['judge (rules)', (f) => f.some((x) => /\/src\/rules\//.test(x.url))],
  ['report (reporters, JSON out)', (f) => f.some((x) => /\/src\/report\//.test(x.url))],
  ['user auth (signature)', (f) => f.some((x) => /ssh2\/lib\/protocol\/keyParser/.test(x.url) && x.functionName === 'sign') || f.some((x) => x.functionName === 'authPK')],
  ['key exchange (X25519, host key check, known_hosts)', (f) => f.some((x) => /ssh2\/lib\/protocol\/kex\.js/.test(x.url) || /\/src\/ssh\/(known-hosts|host-keys)/.test(x.url))],
  ['SSH transport (ciphers, packets, socket I/O)', (f) => f.some((x) => /node_modules\/ssh2\//.test(x.url) || /^node:(net|stream|internal\/stream|internal\/net)/.test(x.url) || x.functionName === 'writeBuffer' || x.functionName === 'onStreamRead')],
  ['collect (exec output, framing)', (f) => f.some((x) => /\/src\/(collect|ssh)\//.test(x.url))],
  ['audit, select, CLI (vmsnap, other)', (f) => f.some((x) => ours(x.url, /\/src\//))],
];

function phaseOf(node: ProfileNode, byId: Map<number, ProfileNode>, parent: Map<number, number>): string {
  const frames: CallFrame[] = [];
  for (let cur: number | undefined = node.id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)!.callFrame;
    frames.push({ ...f, url: originalUrl(f) });
  }
  for (const [name, test] of PHASE_RULES) if (test(frames)) return name;
  return frames[0]?.functionName === '(program)' ? '(program: V8 and native, no JS stack)' : 'other (node, libraries)';
}

/** Self time per label; `from`/`to` (ms from the start) select a window of the profile. */
export function summarise(p: Profile, by = 'function', from = 0, to = Infinity, weight: 'samples' | 'time' = 'samples'): { rows: Row[]; totalMs: number; wallMs: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  if (by === 'phase') for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const phases = new Map<number, string>();
  const sorted = [...p.timeDeltas].filter((d) => d > 0).sort((a, b) => a - b);
  const interval = (sorted[Math.floor(sorted.length / 2)] ?? 1000) / 1000;
  const self = new Map<string, number>();
  let t = 0;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    t += dt;
    if (t < from || t > to) continue;
    const node = byId.get(p.samples[i]!);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') continue;
    let k: string;
    if (by !== 'phase') k = label(by === 'function' ? node.callFrame : { ...node.callFrame, url: originalUrl(node.callFrame) }, by);
    else {
      k = phases.get(node.id) ?? phaseOf(node, byId, parent);
      phases.set(node.id, k);
    }
    const w = weight === 'samples' ? interval : dt;
    self.set(k, (self.get(k) ?? 0) + w);
    total += w;
  }
  const rows = [...self.entries()]
    .map(([name, ms]) => ({ name, selfMs: Math.round(ms * 10) / 10, percent: total ? Math.round((ms / total) * 1000) / 10 : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
  return { rows, totalMs: Math.round(total), wallMs: Math.round((p.endTime - p.startTime) / 1000) };
}

/** Weight of each distinct call path (callers, innermost last) that ends in a function named `name`. */
export function callers(p: Profile, name: string, depth = 6): Row[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const sorted = [...p.timeDeltas].filter((d) => d > 0).sort((a, b) => a - b);
  const interval = (sorted[Math.floor(sorted.length / 2)] ?? 1000) / 1000;
  const paths = new Map<string, number>();
  let total = 0;
  for (const id of p.samples) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName !== name) continue;
    const chain: string[] = [];
    for (let cur: number | undefined = id, i = 0; cur !== undefined && i < depth; cur = parent.get(cur), i++) {
      const f = byId.get(cur)!.callFrame;
      if (f.functionName === '(root)') break;
      chain.unshift(label(f, 'function'));
    }
    const k = chain.join('\n      <- ');
    paths.set(k, (paths.get(k) ?? 0) + interval);
    total += interval;
  }
  return [...paths.entries()]
    .map(([k, ms]) => ({ name: k.split('\n      <- ').reverse().join('\n      <- '), selfMs: Math.round(ms * 10) / 10, percent: total ? Math.round((ms / total) * 1000) / 10 : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const file = args.shift();
  if (!file) {
    process.stderr.write('usage: node dist/bench/cpuprofile.js FILE.cpuprofile [--top N] [--by function|file|package] [--from MS] [--to MS]\n');
    process.exit(2);
  }
  const flags = new Flags(parseFlags(args));
  const top = flags.int('top', 30);
  const by = flags.str('by') ?? 'function';
  const from = flags.int('from', 0, 0);
  const to = flags.str('to') === undefined ? Infinity : flags.int('to', 0, 0);
  const weight = flags.str('weight') === 'time' ? 'time' : 'samples';
  const callersOf = flags.str('callers');
  const depth = flags.int('depth', 6);
  flags.done();
  if (callersOf !== undefined) {
    const rows = callers(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile, callersOf, depth);
    for (const r of rows.slice(0, top)) process.stdout.write(`${r.selfMs.toFixed(1).padStart(9)} ms ${r.percent.toFixed(1).padStart(5)}%  ${r.name}\n`);
    process.exit(0);
  }
  const { rows, totalMs, wallMs } = summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile, by, from, to, weight);
  process.stdout.write(`${file}: ${totalMs} ms ${weight === 'samples' ? 'sampled on CPU' : 'of wall clock'} (idle left out) in ${wallMs} ms of profile\n`);
  for (const r of rows.slice(0, top)) process.stdout.write(`${r.selfMs.toFixed(1).padStart(9)} ms ${r.percent.toFixed(1).padStart(5)}%  ${r.name}\n`);
}
