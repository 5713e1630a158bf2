// The library as a user meets it: the README's "Use it from TypeScript" example, taken from the
// README as written, type-checked against the package's own .d.ts (imported as 'vmsnap', as a user
// imports it) and run against real sshd VMs, from a directory holding its inventory.yaml and a HOME
// whose ~/.ssh/known_hosts knows the VMs. And the public surface it names exists.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vmsnap from '../src/index.js';
import { startFleet, type Fleet } from '../src/fleet/harness.js';
import { compliantFiles, compliantFilesWithConfigMode } from '../src/fleet/spec.js';
import { REPO, fleetUnavailable } from './e2e/cli.js';

const run = promisify(execFile);

/** The ```ts block of the README's library section. */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const at = readme.indexOf('## Use it from TypeScript');
  expect(at, 'the README has a "Use it from TypeScript" section').toBeGreaterThan(-1);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(block, 'with a ```ts example').not.toBeNull();
  return block![1]!;
}

describe('the public API', () => {
  it('exports what the README names', () => {
    for (const name of ['audit', 'loadInventory', 'localInventory', 'rules', 'createReporter', 'mergeReports', 'VmsnapError', 'InputError', 'isInputError', 'Report']) {
      expect(vmsnap, name).toHaveProperty(name);
    }
    expect(vmsnap.rules.length).toBeGreaterThan(30);
    expect(vmsnap.rules.every((r) => typeof r.meta.id === 'string' && typeof r.check === 'function')).toBe(true);
  });

  it('package.json exports the built library with its types', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; import: string }>; types: string };
    expect(pkg.exports['.']).toEqual({ types: './dist/src/index.d.ts', import: './dist/src/index.js' });
    expect(fs.existsSync(path.join(REPO, pkg.types)), 'npm test builds dist/ first').toBe(true);
  });

  it('an option that is wrong is an InputError naming it, before anything connects', async () => {
    const inventory = { file: 'x.yaml', hosts: [] };
    await expect(vmsnap.audit(inventory, { rules: ['no-such-rule'] })).rejects.toMatchObject({ code: 'USAGE', message: expect.stringMatching(/unknown rule "no-such-rule"/) as string });
    await expect(vmsnap.audit(inventory, { shard: '5/4' })).rejects.toMatchObject({ code: 'SHARD', flag: 'shard' });
    await expect(vmsnap.audit(inventory, { fix: { allowDirs: ['/usr/lib'] } })).rejects.toBeInstanceOf(vmsnap.InputError);
  });
});

describe.skipIf(fleetUnavailable)("the README's library example", () => {
  let fleet: Fleet;
  let dir: string;
  let home: string;
  let script: string;
  const VMS = [
    { name: 'ok-1', files: compliantFiles() },
    { name: 'ok-2', files: compliantFiles() },
    { name: 'wide-config', files: compliantFilesWithConfigMode(0o644) },
  ];

  beforeAll(async () => {
    fleet = await startFleet({ vms: VMS });
    dir = path.join(fleet.dir, 'user');
    home = path.join(fleet.dir, 'home');
    fs.mkdirSync(dir);
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
    fs.copyFileSync(fleet.knownHostsFile, path.join(home, '.ssh', 'known_hosts'));
    fleet.writeInventory({ file: path.join(dir, 'inventory.yaml'), extraHosts: [{ name: 'gone', host: '127.0.0.1', port: 1 }] });
    // inside the package, so that `import ... from 'vmsnap'` resolves to it (a package imports itself by name)
    script = path.join(REPO, `.readme-example-${process.pid}.mts`);
    fs.writeFileSync(script, readmeExample());
  }, 120_000);

  afterAll(async () => {
    for (const f of [script, script?.replace(/\.mts$/, '.mjs')]) if (f) fs.rmSync(f, { force: true });
    await fleet?.stop();
  });

  it("type-checks against the package's declarations", () => {
    const program = ts.createProgram([script], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  });

  it('runs as written: one line per host with its status, then the count', async () => {
    const js = ts.transpileModule(fs.readFileSync(script, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const out = script.replace(/\.mts$/, '.mjs');
    fs.writeFileSync(out, js);
    const r = await run(process.execPath, [out], { cwd: dir, env: { PATH: process.env['PATH'], HOME: home }, timeout: 60_000 });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1).sort()).toEqual(['gone unreachable', 'ok-1 compliant', 'ok-2 compliant', 'wide-config noncompliant']);
    expect(lines.at(-1)).toBe('2 of 4 compliant');
    expect(r.stderr).toBe('');
  });

  it('and says what is wrong with its input, without a stack', async () => {
    const out = script.replace(/\.mts$/, '.mjs');
    const empty = path.join(fleet.dir, 'empty');
    fs.mkdirSync(empty);
    const r = await run(process.execPath, [out], { cwd: empty, env: { PATH: process.env['PATH'], HOME: home }, timeout: 60_000 });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^INVENTORY_INVALID: inventory\.yaml: cannot read inventory file/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
