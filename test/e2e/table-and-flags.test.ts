// The human table, rule selection, usage errors (exit 2, one clear line, no stack) and --output files.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { compliantConfig, compliantFiles, CONFIG_PATH, POST_SCRIPT, SCRIPT_TEXT, withFiles } from '../../src/fleet/spec.js';
import { auditJson, describeRun, fleetUnavailable, parseReport, vmsnap, type CliRun } from './cli.js';

if (fleetUnavailable) console.warn(`skipping end-to-end tests: ${fleetUnavailable}`);

/** a stack frame as Node prints it */
const STACK_FRAME = /^\s+at /m;

describe.skipIf(fleetUnavailable)('table format and flags', () => {
  let fleet: Fleet;
  let inv: string;
  let kh: string[];
  let table: CliRun;

  beforeAll(async () => {
    fleet = await startFleet({
      vms: [
        { name: 'vm-good', files: compliantFiles() },
        {
          // two errors from two rules: the config is 0644 and the post-script 0750
          name: 'vm-bad',
          files: withFiles(compliantFiles(), [
            { type: 'file', path: CONFIG_PATH, content: JSON.stringify(compliantConfig()), mode: 0o644 },
            { type: 'file', path: POST_SCRIPT, content: SCRIPT_TEXT, mode: 0o750 },
          ]),
        },
      ],
    });
    inv = fleet.writeInventory();
    kh = ['--known-hosts', fleet.knownHostsFile];
    table = await vmsnap(['audit', '-i', inv, ...kh, '--timeout', '20']);
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  describe('the table', () => {
    const lines = () => table.stdout.replace(/\n+$/, '').split('\n');

    it('exits 1 and writes nothing to stderr', () => {
      expect(table.code, describeRun(table)).toBe(1);
      expect(table.stderr).toBe('');
    });

    it('has a row per VM with its name, address and status', () => {
      for (const [name, status] of [
        ['vm-good', 'compliant'],
        ['vm-bad', 'noncompliant'],
      ]) {
        const vm = fleet.vms.find((v) => v.name === name)!;
        const rows = lines().filter((l) => new RegExp(`^\\W+${name}\\W`).test(l) && l.includes(vm.address));
        expect(rows, `${name}:\n${table.stdout}`).toHaveLength(1);
        expect(rows[0]!.split(/\s*│\s*/)).toContain(status);
      }
    });

    it('lists the findings with their rule ids under the failing VM', () => {
      const out = table.stdout;
      const section = out.slice(out.indexOf('vm-bad ('));
      expect(section, out).toMatch(/^\s+error\s+config-mode\b/m);
      expect(section, out).toMatch(/^\s+error\s+postscript-mode\b/m);
      // the compliant VM has no findings section
      expect(out).not.toMatch(/^vm-good \(/m);
    });

    it('points to `vmsnap rules` and ends with the summary line', () => {
      expect(table.stdout).toMatch(/vmsnap rules/);
      const last = lines().at(-1)!;
      expect(last).toMatch(/^2 hosts, 1 compliant, 1 noncompliant\b/);
      expect(last).toMatch(/\b2 errors\b/);
    });
  });

  describe('rule selection', () => {
    it('--rule limits the findings to that rule (repeatable)', async () => {
      const [one, two, clean] = await Promise.all([
        auditJson(['-i', inv, ...kh, '--rule', 'config-mode']),
        auditJson(['-i', inv, ...kh, '--rule', 'postscript-mode', '--rule', 'config-mode']),
        auditJson(['-i', inv, ...kh, '--rule', 'prescript-mode']),
      ]);
      expect(one.run.code, describeRun(one.run)).toBe(1);
      const rules = one.report.hosts.flatMap((h) => h.findings.map((f) => f.rule));
      expect(new Set(rules)).toEqual(new Set(['config-mode']));

      expect(new Set(two.report.hosts.flatMap((h) => h.findings.map((f) => f.rule)))).toEqual(new Set(['config-mode', 'postscript-mode']));

      // a rule the fleet passes: every host compliant, exit 0
      expect(clean.run.code, describeRun(clean.run)).toBe(0);
      expect(clean.report.hosts.map((h) => h.status)).toEqual(['compliant', 'compliant']);
    });

    it('--rule in the table shows only that rule', async () => {
      const r = await vmsnap(['audit', '-i', inv, ...kh, '--rule', 'postscript-mode']);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stdout).toMatch(/^\s+error\s+postscript-mode\b/m);
      expect(r.stdout).not.toMatch(/config-mode/);
    });

    it('--skip-rule drops that rule and keeps the others', async () => {
      const r = await auditJson(['-i', inv, ...kh, '--skip-rule', 'config-mode']);
      const rules = new Set(r.report.hosts.flatMap((h) => h.findings.map((f) => f.rule)));
      expect(rules.has('config-mode')).toBe(false);
      expect(rules.has('postscript-mode')).toBe(true);
      expect(r.run.code).toBe(1);
    });

    it('an unknown rule: exit 2 with a did-you-mean, nothing audited', async () => {
      const flags = ['--rule', '--skip-rule'];
      const runs = await Promise.all(flags.map((flag) => vmsnap(['audit', '-i', inv, ...kh, flag, 'config-mod'])));
      for (const [i, r] of runs.entries()) {
        const flag = flags[i]!;
        expect(r.code, describeRun(r)).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain(flag);
        expect(r.stderr).toMatch(/did you mean "config-mode"/);
        expect(r.stderr).not.toMatch(STACK_FRAME);
      }
    });
  });

  describe('usage errors', () => {
    it('an inventory with an unknown key: exit 2, file:line and the field, no stack trace', async () => {
      const file = join(fleet.dir, 'bad-inventory.yaml');
      const vm = fleet.vms[0]!;
      fs.writeFileSync(
        file,
        ['defaults:', '  user: root', 'hosts:', `  - name: ${vm.name}`, `    host: ${vm.address}`, '    hostname: typo.example', ''].join('\n'),
      );
      const r = await vmsnap(['audit', '-i', file, ...kh]);
      expect(r.code, describeRun(r)).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${file}:6`);
      expect(r.stderr).toContain('hosts[0].hostname');
      expect(r.stderr).not.toMatch(STACK_FRAME);
    });

    for (const [args, flag] of [
      [['-j', '0'], /concurrency|-j\b/],
      [['--timeout', '-1'], /--timeout/],
      [['--format', 'xml'], /format/],
    ] as const) {
      it(`${args.join(' ')}: exit 2 naming the flag`, async () => {
        const r = await vmsnap(['audit', '-i', inv, ...kh, ...args]);
        expect(r.code, describeRun(r)).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(flag);
        expect(r.stderr).toContain(args[1]);
        expect(r.stderr).not.toMatch(STACK_FRAME);
      });
    }
  });

  describe('--output', () => {
    it('json=PATH writes a valid JSON report atomically while stdout carries the table', async () => {
      const dir = join(fleet.dir, 'reports');
      fs.mkdirSync(dir);
      const target = join(dir, 'last.json');
      // a report from an earlier run is replaced by a rename, never rewritten in place
      fs.writeFileSync(target, '{"stale": true}\n');
      const before = fs.statSync(target).ino;

      const r = await vmsnap(['audit', '-i', inv, ...kh, '--output', `json=${target}`]);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stdout.trimStart().startsWith('{')).toBe(false);
      expect(r.stdout).toMatch(/│ vm-bad /);
      expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^2 hosts, /);

      const report = parseReport(fs.readFileSync(target, 'utf8'));
      expect(report.hosts.map((h) => [h.name, h.status])).toEqual([
        ['vm-good', 'compliant'],
        ['vm-bad', 'noncompliant'],
      ]);
      expect(fs.statSync(target).ino).not.toBe(before);
      // no temporary file left beside it
      expect(fs.readdirSync(dir)).toEqual(['last.json']);
    });
  });
});
