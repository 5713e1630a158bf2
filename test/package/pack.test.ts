// The npm package: what `npm pack` puts in it, and that it installs globally and runs from there.
// The tarball is packed from the dist/ that `npm test` has just built (`--ignore-scripts`: running
// `prepare` here would rebuild dist/ under the feet of the end-to-end tests running beside this
// file); the install fetches the dependencies from the registry as a user's would. Their install
// scripts are not allowed (npm 11's default for global installs), so ssh2 runs on its pure-JS
// crypto, as it does for any user who does not pass --allow-scripts=ssh2,cpu-features.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson } from '../helpers/json.js';
import { withoutMarkers } from '../../src/rules/catalogue.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  type: string;
  bin: Record<string, string>;
  files: string[];
  engines: Record<string, string>;
  scripts: Record<string, string>;
};

function sh(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: opts.cwd ?? REPO, encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr: stderr + (err && code === -1 ? err.message : '') });
    });
  });
}

describe('package.json', () => {
  it('declares the CLI, Node 20, ESM, a build on prepare', () => {
    expect(pkg.name).toBe('vmsnap');
    expect(pkg.type).toBe('module');
    expect(pkg.bin).toEqual({ vmsnap: 'bin/vmsnap' });
    expect(pkg.engines.node).toBe('>=20');
    expect(pkg.scripts['prepare']).toBe('npm run build');
    expect(pkg.scripts['build']).toMatch(/tsc -p tsconfig\.json && cp src\/collect\/\*\.py dist\/src\/collect\//);
    for (const f of ['bin/', 'dist/', 'docs/']) expect(pkg.files).toContain(f);
    expect(fs.readFileSync(path.join(REPO, pkg.bin['vmsnap']!), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });
});

describe('npm pack, npm install -g, vmsnap', () => {
  let tmp: string;
  let files: string[] = [];
  let tarball = '';
  let installed: { code: number; stdout: string; stderr: string };
  let vmsnap = '';

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-pack-'));
    const pack = await sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp]);
    if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
    const info = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(tmp, info[0]!.filename);
    files = info[0]!.files.map((f) => f.path);
    const prefix = path.join(tmp, 'prefix');
    installed = await sh('npm', ['install', '-g', '--prefix', prefix, tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: tmp, timeoutMs: 240_000 });
    vmsnap = path.join(prefix, 'bin', 'vmsnap');
  }, 300_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('packs the CLI, the built code with its Python programs, the docs, and nothing of the sources or tests', () => {
    expect(path.basename(tarball)).toBe(`vmsnap-${pkg.version}.tgz`);
    for (const f of ['bin/vmsnap', 'package.json', 'README.md', 'inventory.example.yaml', 'dist/src/cli/main.js', 'dist/src/index.js', 'dist/src/collect/collector.py', 'dist/src/collect/fixer.py', 'docs/rules/config-mode.md']) {
      expect(files, f).toContain(f);
    }
    // nor the benchmark, nor source maps that point at sources it does not ship
    expect(files.filter((f) => /^(src|test|bench|node_modules|\.ci|dist\/bench)\//.test(f) || (/\.(ts|tgz|map)$/.test(f) && !/^dist\/src\/.*\.d\.ts$/.test(f)))).toEqual([]);
    // the library, with its types (package.json "exports")
    for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/audit/session.d.ts']) expect(files, f).toContain(f);
    // every rule's doc page travels with it (`vmsnap rules ID` reads it)
    const docs = fs.readdirSync(path.join(REPO, 'docs', 'rules'));
    for (const d of docs) expect(files).toContain(`docs/rules/${d}`);
  });

  it('installs globally from the tarball', (ctx) => {
    if (installed.code !== 0 && /E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH)/.test(installed.stderr)) {
      ctx.skip(`the npm registry is not reachable: ${installed.stderr.split('\n').find((l) => /ERR/.test(l)) ?? ''}`);
    }
    expect(installed.code, installed.stderr).toBe(0);
    expect(fs.existsSync(vmsnap)).toBe(true);
  });

  describe('the installed vmsnap', () => {
    const cli = (args: string[]) => sh(vmsnap, args, { cwd: tmp });
    const ready = (ctx: { skip: (note?: string) => never }) => {
      if (installed.code !== 0) ctx.skip('not installed');
    };

    it('--version', async (ctx) => {
      ready(ctx);
      const r = await cli(['--version']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    });

    it('--help lists the commands', async (ctx) => {
      ready(ctx);
      const r = await cli(['--help']);
      expect(r.code, r.stderr).toBe(0);
      for (const c of ['audit', 'inventory', 'merge', 'rules', 'schema', 'completion']) expect(r.stdout).toContain(`vmsnap ${c}`);
    });

    it('rules, and one rule\'s page from the shipped docs', async (ctx) => {
      ready(ctx);
      const r = await cli(['rules']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/\d+ rules\. Details: vmsnap rules <id>/);
      const one = await cli(['rules', 'config-mode']);
      expect(one.code, one.stderr).toBe(0);
      expect(one.stdout).toBe(withoutMarkers(fs.readFileSync(path.join(REPO, 'docs', 'rules', 'config-mode.md'), 'utf8')).replace(/\n*$/, '\n'));
    });

    it('reads an inventory (its dependencies are installed)', async (ctx) => {
      ready(ctx);
      const r = await cli(['inventory', '-i', path.join(REPO, 'test', 'inventory', 'fixtures', 'ansible-prod.yml'), '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      expect(parseJson<{ selected: number }>(r.stdout).selected).toBe(7);
    });

    it('completion', async (ctx) => {
      ready(ctx);
      const r = await cli(['completion']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('_vmsnap_yargs_completions');
    });
  });
});
