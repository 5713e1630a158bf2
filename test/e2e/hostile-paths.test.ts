// Hostile input from a VM: script locations made of shell metacharacters, quotes, a newline, a leading
// dash and non-ASCII must be reported faithfully and never executed; configs that are huge, binary, a
// FIFO or a symlink loop must be judged (not crash, not hang, not turn the host into an error).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { compliantConfig, compliantFiles, CONFIG_PATH, PRE_SCRIPT, withFiles, type FileSpec, type VmSpec } from '../../src/fleet/spec.js';
import type { HostResult, Report } from '../../src/model/report.js';
import { auditJson, describeRun, fleetUnavailable, setDiff, vmsnap, type CliRun } from './cli.js';

if (fleetUnavailable) console.warn(`skipping end-to-end tests: ${fleetUnavailable}`);

/** Every marker file a successful injection would create has this in its name. */
const TOKEN = `pwned-${randomBytes(6).toString('hex')}`;
const marker = (n: string) => `/tmp/${TOKEN}-${n}`;

/** If anything ever ran a script (rather than `sh -n` it), the marker shows it. */
const SCRIPT = `#!/bin/sh\ntouch ${marker('script-ran')}\nexit 0\n`;

interface HostileCase {
  name: string;
  what: string;
  pre: string;
  post: string;
}

const CASES: HostileCase[] = [
  { name: 'hp-spaces', what: 'spaces', pre: '/etc/azure/app hooks/pre freeze.sh', post: '/etc/azure/app hooks/ post thaw .sh' },
  { name: 'hp-quotes', what: 'single and double quotes', pre: `/etc/azure/it's "quoted"/pre'.sh`, post: `/etc/azure/it's "quoted"/"post".sh` },
  {
    name: 'hp-dollar',
    what: '$(...), ${...}, ; and |',
    pre: `/etc/azure/$(touch ${marker('dollar')}).sh`,
    post: `/etc/azure/x;touch\${IFS}${marker('semicolon')}|touch ${marker('pipe')};#.sh`,
  },
  { name: 'hp-backticks', what: 'backticks', pre: `/etc/azure/\`touch ${marker('backtick')}\`.sh`, post: `/etc/azure/post\`id>${marker('backtick2')}\`` },
  { name: 'hp-newline', what: 'a newline', pre: '/etc/azure/pre\nscript.sh', post: `/etc/azure/post\ntouch ${marker('newline')}\n.sh` },
  { name: 'hp-dash', what: 'a leading dash', pre: '/etc/azure/-n', post: '/etc/azure/--help/-rf' },
  { name: 'hp-unicode', what: 'non-ASCII', pre: '/etc/azure/скрипты/pré-gel 🧊.sh', post: '/etc/azure/スクリプト/後処理.sh' },
];

function hostileVm(c: HostileCase): VmSpec {
  const config = compliantConfig({ preScriptLocation: c.pre, postScriptLocation: c.post });
  return {
    name: c.name,
    files: [
      ...compliantFiles(config),
      { type: 'file', path: c.pre, content: SCRIPT, mode: 0o700, owner: 'root' },
      { type: 'file', path: c.post, content: SCRIPT, mode: 0o700, owner: 'root' },
    ],
  };
}

const TEN_MB = 10 * 1024 * 1024;
/** valid JSON with the template's keys and ten megabytes of a plausible-looking list */
function hugeConfig(): string {
  const entry = (i: number) => `"/var/backup/db/segment-${String(i).padStart(8, '0')}"`;
  const count = Math.ceil(TEN_MB / (entry(0).length + 1)) + 1;
  const entries = Array.from({ length: count }, (_, i) => entry(i));
  const text = JSON.stringify(compliantConfig()).replace(/}$/, `,"appName":"db","segments":[${entries.join(',')}]}`);
  JSON.parse(text); // valid JSON indeed
  return text;
}

/** deterministic bytes that are neither UTF-8 nor JSON */
function garbage(): Uint8Array {
  const out = new Uint8Array(4096);
  let x = 0x12345678;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  out.set([0xff, 0xfe, 0x00, 0x7b], 0);
  return out;
}

const configVms: VmSpec[] = [
  { name: 'cfg-huge', files: withFiles(compliantFiles(), [{ type: 'file', path: CONFIG_PATH, content: hugeConfig(), mode: 0o600 }]) },
  { name: 'cfg-binary', files: withFiles(compliantFiles(), [{ type: 'file', path: CONFIG_PATH, content: garbage(), mode: 0o600 }]) },
  // the FIFOs are made with mkfifo inside the VM once it runs (a FileSpec cannot describe one)
  { name: 'cfg-fifo', files: withFiles(compliantFiles(), [], [CONFIG_PATH]) },
  { name: 'script-fifo', files: withFiles(compliantFiles(), [], [PRE_SCRIPT]) },
  {
    name: 'cfg-loop',
    files: withFiles(compliantFiles(), [
      { type: 'symlink', path: CONFIG_PATH, target: 'loop-b.json' } satisfies FileSpec,
      { type: 'symlink', path: '/etc/azure/loop-b.json', target: '/etc/azure/VMSnapshotScriptPluginConfig.json' } satisfies FileSpec,
    ]),
  },
];

/**
 * A pre-script location (missing, so a finding names it) made to rewrite a terminal: clear the
 * screen, colour, a carriage return, a bell, and a newline starting a forged report line.
 */
const TERMINAL_PATH = '/etc/azure/\u001b[2J\u001b[32mpre\nvm-forged (127.0.0.9): compliant\r\u0007\u009b0m.sh';
const terminalVm: VmSpec = { name: 'hp-terminal', files: compliantFiles(compliantConfig({ preScriptLocation: TERMINAL_PATH })) };

const AUDIT_TIMEOUT_S = 20;

describe.skipIf(fleetUnavailable)('hostile script paths and configs', () => {
  let fleet: Fleet;
  let run: CliRun;
  let report: Report;
  const host = (name: string): HostResult => {
    const h = report.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`host ${name} is not in the report`);
    return h;
  };
  const failedRules = (h: HostResult) => [...new Set(h.findings.filter((f) => f.severity !== 'info').map((f) => f.rule))].sort();

  beforeAll(async () => {
    fleet = await startFleet({ vms: [...CASES.map(hostileVm), ...configVms, terminalVm] });
    for (const [vm, p] of [
      ['cfg-fifo', CONFIG_PATH],
      ['script-fifo', PRE_SCRIPT],
    ] as const) {
      const r = await fleet.execInVm(vm, ['mkfifo', '-m', '0600', p]);
      if (r.code !== 0) throw new Error(`mkfifo ${p} in ${vm}: ${r.stderr}`);
    }
    const inv = fleet.writeInventory({ file: join(fleet.dir, 'hostile.yaml') });
    ({ run, report } = await auditJson(['-i', inv, '--known-hosts', fleet.knownHostsFile, '--timeout', String(AUDIT_TIMEOUT_S)]));
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('audits every host (none ends as error or timeout) without hanging', () => {
    expect(report.hosts.map((h) => [h.name, h.status, h.error?.code ?? null])).toEqual(
      fleet.vms.map((v) => [v.name, expect.stringMatching(/^(compliant|noncompliant)$/) as string, null]),
    );
    // a FIFO opened for reading with no writer would block until the per-host deadline
    expect(run.ms, describeRun(run)).toBeLessThan(10_000);
  });

  for (const c of CASES) {
    it(`${c.what}: reports the script paths exactly as configured, found, with no spurious finding`, () => {
      const h = host(c.name);
      expect(h.status, JSON.stringify(h.findings, null, 2)).toBe('compliant');
      expect(failedRules(h)).toEqual([]);
      for (const [which, path] of [
        ['pre', c.pre],
        ['post', c.post],
      ] as const) {
        const s = h.facts!.scripts[which]!;
        expect(s.configured, which).toBe(path);
        expect(s.resolvedPath, which).toBe(path);
        expect(s.file?.path, which).toBe(path);
        expect(s.file?.errno, which).toBeNull();
        expect(s.file?.stat, which).toMatchObject({ type: 'file', mode: 0o700, owner: 'root', uid: 0, size: Buffer.byteLength(SCRIPT) });
        expect(s.file?.realpath, which).toBe(path);
        expect(s.firstLine, which).toBe('#!/bin/sh');
        expect(s.shSyntax, which).toEqual({ ok: true, message: '' });
      }
    });
  }

  it('ran nothing: no marker file inside any VM nor on this machine', async () => {
    const listings = await Promise.all(CASES.map((c) => fleet.execInVm(c.name, ['ls', '-a', '/tmp'])));
    for (const [i, l] of listings.entries()) {
      expect(l.code, l.stderr).toBe(0);
      expect(l.stdout.split('\n').filter((f) => f.includes(TOKEN)), CASES[i]!.name).toEqual([]);
    }
    expect(fs.readdirSync('/tmp').filter((f) => f.includes(TOKEN))).toEqual([]);
    // nor in root's home, where the collector runs (a relative path would land there)
    const home = await fleet.execInVm(CASES[0]!.name, ['ls', '-a', '/root']);
    expect(home.stdout.split('\n').filter((f) => f.includes(TOKEN))).toEqual([]);
  });

  it('a location with terminal control characters: reported exactly in JSON, escaped in the table', async () => {
    const h = host('hp-terminal');
    expect(failedRules(h)).toEqual(['prescript-exists']);
    expect(h.findings.find((f) => f.rule === 'prescript-exists')).toMatchObject({ path: TERMINAL_PATH });
    expect(h.facts!.scripts.pre).toMatchObject({ configured: TERMINAL_PATH, resolvedPath: TERMINAL_PATH });

    const inv = fleet.writeInventory({ names: ['hp-terminal'], file: join(fleet.dir, 'terminal.yaml') });
    const table = await vmsnap(['audit', '-i', inv, '--known-hosts', fleet.knownHostsFile]);
    expect(table.code, describeRun(table)).toBe(1);
    // what the VM wrote must not reach the terminal as control characters, nor start a line of its own
    const controls = [...new Set(table.stdout.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g) ?? [])];
    expect(controls.map((c) => `U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`), JSON.stringify(table.stdout)).toEqual([]);
    expect(table.stdout).not.toMatch(/^vm-forged/m);
  });

  it('a 10 MB config: judged from what Python read of it on the VM, a config-size warning', () => {
    const h = host('cfg-huge');
    // the extension reads a config of any size: this one is valid, so the VM is compliant
    expect(h.status).toBe('compliant');
    expect(failedRules(h), setDiff(['config-size', 'unknown-key'], failedRules(h))).toEqual(['config-size', 'unknown-key']);
    expect(h.findings.find((f) => f.rule === 'config-size')).toMatchObject({ severity: 'warning', path: CONFIG_PATH });
    expect(h.facts!.config.size).toBeGreaterThanOrEqual(TEN_MB);
    expect(h.facts!.config.judgedOnVm).toBe(true);
    expect(h.facts!.config.parse).toMatchObject({ ok: true, value: { appName: 'db', segments: '(vmsnap: value not shipped)' } });
  });

  it('binary garbage in the config: a config-json-valid finding', () => {
    const h = host('cfg-binary');
    expect(h.status).toBe('noncompliant');
    expect(failedRules(h), setDiff(['config-json-valid'], failedRules(h))).toEqual(['config-json-valid']);
    expect(h.findings.find((f) => f.rule === 'config-json-valid')).toMatchObject({ severity: 'error', extensionCode: 305 });
  });

  it('a FIFO at the config path: a config-exists finding, not a hang', () => {
    const h = host('cfg-fifo');
    expect(h.status).toBe('noncompliant');
    expect(failedRules(h), setDiff(['config-exists'], failedRules(h))).toEqual(['config-exists']);
    expect(h.findings.find((f) => f.rule === 'config-exists')!.message).toMatch(/fifo|pipe/i);
    expect(h.facts!.config.file.stat?.type).toBe('fifo');
    expect(h.durationMs).toBeLessThan(AUDIT_TIMEOUT_S * 1000 / 2);
  });

  it('a FIFO at the pre-script path: a prescript-exists finding, sh -n never run on it', () => {
    const h = host('script-fifo');
    expect(h.status).toBe('noncompliant');
    expect(failedRules(h), setDiff(['prescript-exists'], failedRules(h))).toEqual(['prescript-exists']);
    expect(h.facts!.scripts.pre).toMatchObject({ resolvedPath: PRE_SCRIPT, shSyntax: null, firstLine: null });
    expect(h.facts!.scripts.pre!.file!.stat?.type).toBe('fifo');
    expect(h.durationMs).toBeLessThan(AUDIT_TIMEOUT_S * 1000 / 2);
  });

  it('a config symlink loop: a config-exists finding naming the loop', () => {
    const h = host('cfg-loop');
    expect(h.status).toBe('noncompliant');
    expect(failedRules(h), setDiff(['config-exists'], failedRules(h))).toEqual(['config-exists']);
    expect(h.facts!.config.file).toMatchObject({ stat: null, errno: 'ELOOP' });
    expect(h.facts!.config.file.lstat?.type).toBe('symlink');
    expect(h.findings.find((f) => f.rule === 'config-exists')!.message).toMatch(/loop/i);
  });
});
