// Helpers shared by the benchmark programs: flags, the fleet a benchmark audits, load average.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compliantFiles } from '../src/fleet/spec.js';
import type { VmSpec } from '../src/fleet/spec.js';

export const CONFIG_FILE = '/etc/azure/VMSnapshotScriptPluginConfig.json';

/** `--name value` / `--name=value` / `--flag` into a map; repeated flags keep every value. */
export function parseFlags(argv: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(a)}`);
    let name = a.slice(2);
    let value: string;
    const eq = name.indexOf('=');
    if (eq !== -1) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) {
      value = argv[++i]!;
    } else {
      value = 'true';
    }
    const list = out.get(name) ?? [];
    list.push(value);
    out.set(name, list);
  }
  return out;
}

export class Flags {
  private readonly used = new Set<string>();
  constructor(private readonly map: Map<string, string[]>) {}

  str(name: string): string | undefined {
    this.used.add(name);
    const v = this.map.get(name);
    return v ? v[v.length - 1] : undefined;
  }

  all(name: string): string[] {
    this.used.add(name);
    return this.map.get(name) ?? [];
  }

  int(name: string, def: number, min = 1): number {
    const v = this.str(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  }

  bool(name: string): boolean {
    const v = this.str(name);
    return v !== undefined && v !== 'false' && v !== '0';
  }

  /** throws on flags nobody asked for (typos) */
  done(): void {
    const unknown = [...this.map.keys()].filter((k) => !this.used.has(k));
    if (unknown.length) throw new Error(`unknown flag(s): ${unknown.map((k) => '--' + k).join(', ')}`);
  }
}

/** N compliant VMs, `bench-0001` ... : every tool reads the same config on each. */
export function benchSpecs(n: number): VmSpec[] {
  const files = compliantFiles();
  const width = Math.max(4, String(n).length);
  return Array.from({ length: n }, (_, i) => ({ name: `bench-${String(i + 1).padStart(width, '0')}`, files }));
}

export function loadAverage(): [number, number, number] {
  const [a, b, c] = os.loadavg();
  return [round2(a!), round2(b!), round2(c!)];
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The repository root (bench files run from dist/bench/). */
export function repoRoot(): string {
  let dir = path.dirname(new URL(import.meta.url).pathname);
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bin', 'vmsnap'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the repository root (package.json and bin/vmsnap) above ' + import.meta.url);
}

/** CPU seconds (user+sys, self and reaped children) of the given pids so far, from /proc/<pid>/stat. */
export function treeCpuSeconds(pids: readonly number[]): number {
  const hz = 100; // USER_HZ is 100 on every Linux ABI node runs on
  let ticks = 0;
  for (const pid of pids) {
    let s: string;
    try {
      s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    } catch {
      continue;
    }
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // after the comm: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / hz;
}
