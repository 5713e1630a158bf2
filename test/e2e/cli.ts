// Shared by the end-to-end tests: run the real CLI (bin/vmsnap, which runs dist/) as a child
// process, write inventories and known_hosts files, and fake hosts on loopback (a refused address,
// a TCP listener that never speaks). Not a test file itself (vitest only collects *.test.ts).
import * as fs from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { stringify as yamlStringify } from 'yaml';
import type { Fleet } from '../../src/fleet/harness.js';
import { Report } from '../../src/model/report.js';

import { REPO, VMSNAP, fleetUnavailable, runCli, type CliRun } from '../helpers/cli.js';
import { randomLoopback, startTcpFake, type TcpFake } from '../helpers/loopback.js';

export { REPO, VMSNAP, fleetUnavailable, type CliRun };

/** The CLI runs dist/: fail loudly when it was never built, warn when src/ is newer than dist/. */
function checkBuilt(): void {
  const main = join(REPO, 'dist', 'src', 'cli', 'main.js');
  const collector = join(REPO, 'dist', 'src', 'collect', 'collector.py');
  for (const f of [main, collector]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` before the end-to-end tests (they run bin/vmsnap, which runs dist/)`);
  }
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (/\.(ts|py)$/.test(ent.name)) {
        const rel = p.slice(REPO.length).replace(/\.ts$/, '.js');
        const out = join(REPO, 'dist', rel);
        const built = fs.statSync(out, { throwIfNoEntry: false });
        if (!built || built.mtimeMs < fs.statSync(p).mtimeMs) stale.push(rel);
      }
    }
  };
  walk(join(REPO, 'src'));
  if (stale.length) console.warn(`e2e: dist/ is older than src/ for ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', ...' : ''}: run \`npm run build\` (the tests run the built CLI)`);
}
if (!fleetUnavailable) checkBuilt();

/** Runs `bin/vmsnap ...args` (see runCli), killed after killAfterMs. */
export function vmsnap(args: string[], killAfterMs = 45_000): Promise<CliRun> {
  return runCli(args, { killAfterMs });
}

/** A CLI run, described for assertion messages. */
export function describeRun(r: CliRun): string {
  const clip = (s: string) => (s.length > 3000 ? `${s.slice(0, 3000)}\n... (${s.length} chars)` : s);
  return `exit ${r.code ?? `signal ${r.signal}`} after ${Math.round(r.ms)} ms\n--- stderr ---\n${clip(r.stderr)}\n--- stdout ---\n${clip(r.stdout)}`;
}

/** Parses a JSON report and validates it against the zod contract in src/model/report.ts. */
export function parseReport(text: string): Report {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`the report is not JSON (${(e as Error).message}); it starts ${JSON.stringify(text.slice(0, 200))}`, { cause: e });
  }
  const r = Report.safeParse(json);
  if (!r.success) throw new Error(`the report does not match the Report schema: ${JSON.stringify(r.error.issues.slice(0, 5), null, 2)}`);
  return r.data;
}

/** `vmsnap audit --format json` and its validated report. */
export async function auditJson(args: string[], killAfterMs?: number): Promise<{ run: CliRun; report: Report }> {
  const run = await vmsnap(['audit', '--format', 'json', ...args], killAfterMs);
  if (run.code === null || run.code === 2 || run.code > 3) throw new Error(`the audit did not produce a report:\n${describeRun(run)}`);
  return { run, report: parseReport(run.stdout) };
}

export interface InventoryHost {
  name: string;
  host: string;
  port?: number;
  user?: string;
  sudo?: 'auto' | 'always' | 'never';
}

/** Writes an inventory in the documented format, hosts in the given order; returns its path. */
export function writeInventory(file: string, fleet: Fleet, hosts: InventoryHost[], defaults: { user?: string; sudo?: 'auto' | 'always' | 'never' } = {}): string {
  const doc = {
    defaults: { user: defaults.user ?? 'root', port: 22, identityFile: fleet.identityFile, sudo: defaults.sudo ?? 'auto' },
    hosts,
  };
  fs.writeFileSync(file, yamlStringify(doc));
  return file;
}

/** The fleet's VMs as inventory hosts, by name, in the given order. */
export function vmHosts(fleet: Fleet, names: string[]): InventoryHost[] {
  return names.map((n) => {
    const vm = fleet.vms.find((v) => v.name === n);
    if (!vm) throw new Error(`no VM ${n} in the fleet`);
    return { name: vm.name, host: vm.address };
  });
}

// Fake hosts live in 127.10.0.0 - 127.99.255.255: the harness picks fleet blocks in 127.100-250,
// so they never collide with a VM of a parallel test file.
function connectOutcome(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(2000, () => {
      s.destroy();
      resolve('TIMEOUT');
    });
    s.once('connect', () => {
      s.destroy();
      resolve('CONNECTED');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'ERROR'));
  });
}

/** A loopback address whose port 22 refuses connections (checked). */
export async function refusedAddress(): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const a = randomLoopback();
    if ((await connectOutcome(a, 22)) === 'ECONNREFUSED') return a;
  }
  throw new Error('could not find a loopback address that refuses port 22');
}

export type HungListener = TcpFake;

/** A TCP listener on a fresh loopback address, port 22, that accepts and never sends a byte. */
export function startHungListener(): Promise<HungListener> {
  return startTcpFake(() => undefined, 22);
}

/** `- a` / `+ b` lines between two sorted lists, for assertion messages. */
export function setDiff(expected: readonly string[], actual: readonly string[]): string {
  const e = new Set(expected);
  const a = new Set(actual);
  const missing = [...e].filter((x) => !a.has(x)).sort();
  const extra = [...a].filter((x) => !e.has(x)).sort();
  return [...missing.map((x) => `  - missing (expected, not reported): ${x}`), ...extra.map((x) => `  + extra (reported, not expected): ${x}`)].join('\n');
}
