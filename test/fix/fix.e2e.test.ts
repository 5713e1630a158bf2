// `vmsnap audit --fix` against real sshd test VMs: what it repairs, and every way it refuses.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { CONFIG_PATH, EXT_DIR, HOST_CONF_TEXT, POST_SCRIPT, PRE_SCRIPT, SCRIPT_TEXT, compliantConfig, compliantFiles, withFiles, type FileSpec, type VmSpec } from '../../src/fleet/spec.js';
import type { Report } from '../../src/model/report.js';
import { applyChanges } from '../../src/fix/apply.js';
import { planFixes } from '../../src/fix/plan.js';
import { collectFacts } from '../../src/audit/audit-host.js';
import { judge } from '../../src/rules/engine.js';
import { allRules } from '../../src/rules/index.js';
import { SshConnection } from '../../src/ssh/connection.js';
import { IdentityStore } from '../../src/ssh/identities.js';
import { KnownHosts } from '../../src/ssh/known-hosts.js';
import { VMSNAP, cliEnv, fleetUnavailable } from '../helpers/cli.js';

const HOSTCONF = `${EXT_DIR}/main/VMSnapshotPluginHost.conf`;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(VMSNAP, args, { maxBuffer: 64 * 1024 * 1024, env: cliEnv() }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const config = (mode: number, owner: 'root' | 'appuser' = 'root', cfg = compliantConfig()): FileSpec => ({ type: 'file', path: CONFIG_PATH, content: JSON.stringify(cfg), mode, owner });

const vms: VmSpec[] = [
  {
    name: 'fixable',
    files: withFiles(compliantFiles(), [
      config(0o644),
      { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o755 },
      { type: 'file', path: POST_SCRIPT, content: SCRIPT_TEXT, mode: 0o700, owner: 'appuser' },
      { type: 'file', path: HOSTCONF, content: '[pre_post]\nnumberOfPlugins: 1\npluginName0: ScriptRunner\npluginPath0: /etc/azure\npluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json\n', mode: 0o664 },
    ]),
  },
  {
    name: 'symlinked',
    files: withFiles(compliantFiles(), [
      { type: 'file', path: '/etc/azure/real-pre.sh', content: SCRIPT_TEXT, mode: 0o755 },
      { type: 'symlink', path: PRE_SCRIPT, target: '/etc/azure/real-pre.sh' },
    ]),
  },
  {
    // a world-writable config naming files an attacker would like root to own or run
    name: 'untrusted',
    files: withFiles(compliantFiles(), [
      config(0o666, 'root', compliantConfig({ preScriptLocation: '/usr/local/bin/tool', postScriptLocation: '/etc/shadow' })),
      { type: 'file', path: '/usr/local/bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o755 },
    ]),
  },
  {
    name: 'hardlinked',
    files: withFiles(compliantFiles(), [{ type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o755 }]),
  },
  {
    name: 'config-owner',
    files: withFiles(compliantFiles(), [config(0o600, 'appuser'), { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o755 }]),
  },
  { name: 'dryrun', files: withFiles(compliantFiles(), [config(0o644)]) },
  { name: 'sudo', files: withFiles(compliantFiles(), [config(0o640)]) },
  { name: 'swap', files: withFiles(compliantFiles(), [config(0o644), { type: 'file', path: '/etc/azure/evil.json', content: '{"x":1}', mode: 0o644, owner: 'appuser' }]) },
  // the attacks of issue 12: a host conf a non-root user wrote, set-id bits, content they could write
  {
    name: 'evil-hostconf',
    files: withFiles(compliantFiles(), [
      { type: 'file', path: HOSTCONF, content: '[pre_post]\nnumberOfPlugins: 1\npluginName0: evil\npluginPath0: /tmp/evil-dir\npluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json\n', mode: 0o644, owner: 'appuser' },
    ]),
  },
  { name: 'setid-hostconf', files: withFiles(compliantFiles(), [{ type: 'file', path: HOSTCONF, content: HOST_CONF_TEXT, mode: 0o6777, owner: 'appuser' }]) },
  { name: 'root-setid-hostconf', files: withFiles(compliantFiles(), [{ type: 'file', path: HOSTCONF, content: HOST_CONF_TEXT, mode: 0o6775 }]) },
  {
    name: 'odd-hostconf',
    files: withFiles(compliantFiles(), [{ type: 'file', path: HOSTCONF, content: HOST_CONF_TEXT.replace('pluginPath0: /etc/azure', 'pluginPath0: /tmp/evil-dir'), mode: 0o664 }]),
  },
  { name: 'ww-script', files: withFiles(compliantFiles(), [{ type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o777 }]) },
  { name: 'guard-a', files: withFiles(compliantFiles(), [config(0o644)]) },
  { name: 'guard-b', files: withFiles(compliantFiles(), [config(0o644)]) },
  { name: 'guard-c', files: withFiles(compliantFiles(), [config(0o644)]) },
];

let fleet: Fleet;

async function fileState(vm: string, path: string): Promise<string> {
  // mode, owner, inode, and a content hash: "exactly as they were"
  const st = await fleet.execInVm(vm, ['stat', '-c', '%a %U:%G %i %h %F', path]);
  const sum = await fleet.execInVm(vm, ['sha256sum', path]);
  return `${st.stdout.trim()} ${sum.stdout.split(' ')[0]}`;
}

async function audit(names: string[], extra: string[], user = 'root'): Promise<{ code: number; report: Report; stderr: string }> {
  const inv = fleet.writeInventory({ names, user, file: join(fleet.dir, `inv-${names.join('-')}-${user}.yaml`) });
  const r = await run(['audit', '-i', inv, '--known-hosts', fleet.knownHostsFile, '--format', 'json', ...extra]);
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

beforeAll(async () => {
  if (fleetUnavailable) return;
  fleet = await startFleet({ vms });
  // a second hard link to the pre-script, made inside the VM
  const ln = await fleet.execInVm('hardlinked', ['ln', PRE_SCRIPT, '/etc/azure/pre-link.sh']);
  expect(ln.code).toBe(0);
});

afterAll(async () => {
  await fleet?.stop();
});

describe.skipIf(fleetUnavailable)('audit --fix on real VMs', () => {
  it('repairs config, scripts and host conf, adopts a script appuser owns only with --fix-adopt, then judges again: compliant; a second --fix changes nothing', async () => {
    const before = await fileState('fixable', CONFIG_PATH);
    const post = await fileState('fixable', POST_SCRIPT);
    const first = await audit(['fixable'], ['--fix', '--yes']);
    const h1 = first.report.hosts[0]!;
    expect(h1.fixes!.filter((f) => f.applied).map((f) => `${f.path} ${f.action} ${f.to}`).sort()).toEqual(
      [`${CONFIG_PATH} chmod 0600`, `${HOSTCONF} chmod 0644`, `${PRE_SCRIPT} chmod 0700`].sort(),
    );
    const refused = h1.fixes!.filter((f) => !f.applied);
    expect(refused).toMatchObject([{ path: POST_SCRIPT, action: 'chown', to: 'root:appuser' }]);
    expect(refused[0]!.reason).toMatch(/its owner appuser .*run its content as root.*--fix-adopt/);
    expect(await fileState('fixable', POST_SCRIPT)).toBe(post);
    expect(h1.status).toBe('noncompliant');
    expect(first.code).toBe(1);

    const { code, report } = await audit(['fixable'], ['--fix', '--yes', '--fix-adopt']);
    const h = report.hosts[0]!;
    expect(h.findingsBefore!.some((f) => f.rule === 'postscript-owner')).toBe(true);
    expect(h.fixes).toMatchObject([{ path: POST_SCRIPT, action: 'chown', to: 'root:appuser', applied: true }]);
    expect(h.fixes![0]!.note).toMatch(/adopted with --fix-adopt/);
    expect(h.status).toBe('compliant');
    expect(code).toBe(0);
    const after = await fileState('fixable', CONFIG_PATH);
    expect(after.split(' ')[0]).toBe('600');
    expect(after.split(' ')[1]).toBe('root:root');
    // same inode and same content: permissions changed, nothing else
    expect(after.split(' ').slice(2)).toEqual(before.split(' ').slice(2));
    expect((await fileState('fixable', PRE_SCRIPT)).split(' ')[0]).toBe('700');

    const again = await audit(['fixable'], ['--fix', '--yes']);
    expect(again.report.hosts[0]!.fixes).toEqual([]);
    expect(again.code).toBe(0);
  });

  it('chowns a config owned by another user only with --fix-adopt, and changes no script it names until a later run trusts it', async () => {
    const script = await fileState('config-owner', PRE_SCRIPT);
    const cfg = await fileState('config-owner', CONFIG_PATH);
    const plain = await audit(['config-owner'], ['--fix', '--yes']);
    expect(plain.report.hosts[0]!.fixes!.every((f) => !f.applied)).toBe(true);
    expect(plain.report.hosts[0]!.fixes!.find((f) => f.path === CONFIG_PATH)!.reason).toMatch(/appuser.*--fix-adopt/);
    expect(await fileState('config-owner', CONFIG_PATH)).toBe(cfg);

    const first = await audit(['config-owner'], ['--fix', '--yes', '--fix-adopt']);
    const f1 = first.report.hosts[0]!.fixes!;
    expect(f1.find((f) => f.path === CONFIG_PATH)).toMatchObject({ action: 'chown', from: 'appuser:appuser', to: 'root:appuser', applied: true });
    expect(f1.find((f) => f.path === CONFIG_PATH)!.note).toMatch(/adopted with --fix-adopt/);
    expect(f1.find((f) => f.path === PRE_SCRIPT)).toMatchObject({ applied: false });
    expect(f1.find((f) => f.path === PRE_SCRIPT)!.reason).toMatch(/not owned by root/);
    expect(await fileState('config-owner', PRE_SCRIPT)).toBe(script);
    expect(first.report.hosts[0]!.status).toBe('noncompliant');

    const second = await audit(['config-owner'], ['--fix', '--yes']);
    expect(second.report.hosts[0]!.fixes).toMatchObject([{ path: PRE_SCRIPT, action: 'chmod', from: '0755', to: '0700', applied: true }]);
    expect(second.report.hosts[0]!.status).toBe('compliant');
  });

  it('never changes a symlinked script or its target', async () => {
    const target = await fileState('symlinked', '/etc/azure/real-pre.sh');
    const { report } = await audit(['symlinked'], ['--fix', '--yes']);
    const h = report.hosts[0]!;
    expect(h.fixes!.length).toBeGreaterThan(0);
    expect(h.fixes!.every((f) => !f.applied && f.path === PRE_SCRIPT && /symlink/.test(f.reason ?? ''))).toBe(true);
    expect(await fileState('symlinked', '/etc/azure/real-pre.sh')).toBe(target);
    expect(h.status).toBe('noncompliant');
  });

  it('fixes an untrusted config but none of the files it names, then still refuses them once the config looks trusted', async () => {
    const tool = await fileState('untrusted', '/usr/local/bin/tool');
    const shadow = await fileState('untrusted', '/etc/shadow');
    const first = await audit(['untrusted'], ['--fix', '--yes', '--fix-adopt']);
    const h1 = first.report.hosts[0]!;
    expect(h1.fixes!.filter((f) => f.path === CONFIG_PATH).every((f) => f.applied)).toBe(true);
    const refused1 = h1.fixes!.filter((f) => f.path !== CONFIG_PATH);
    expect(refused1.length).toBeGreaterThan(0);
    expect(refused1.every((f) => !f.applied && /no script it names is changed/.test(f.reason ?? ''))).toBe(true);

    const second = await audit(['untrusted'], ['--fix', '--yes']);
    const refused2 = second.report.hosts[0]!.fixes!;
    expect(refused2.find((f) => f.path === '/usr/local/bin/tool')?.reason).toMatch(/system directory/);
    expect(refused2.find((f) => f.path === '/etc/shadow')?.reason).toMatch(/outside the directories/);
    expect(refused2.every((f) => !f.applied)).toBe(true);
    expect(await fileState('untrusted', '/usr/local/bin/tool')).toBe(tool);
    expect(await fileState('untrusted', '/etc/shadow')).toBe(shadow);
  });

  it('never adopts a host conf a non-root user wrote, whatever the flags: the extension would import its module as root', async () => {
    const before = await fileState('evil-hostconf', HOSTCONF);
    const { report } = await audit(['evil-hostconf'], ['--fix', '--yes', '--fix-adopt']);
    const h = report.hosts[0]!;
    expect(h.fixes!.filter((f) => f.applied)).toEqual([]);
    const owner = h.findings.find((f) => f.rule === 'hostconf-owner');
    expect(owner).toMatchObject({ fixable: false });
    expect(await fileState('evil-hostconf', HOSTCONF)).toBe(before);
    expect(before.split(' ')[1]).toBe('appuser:appuser');
  });

  it('leaves a set-id host conf a non-root user owns exactly as it was, and says why', async () => {
    const before = await fileState('setid-hostconf', HOSTCONF);
    const { report } = await audit(['setid-hostconf'], ['--fix', '--yes', '--fix-adopt']);
    const fixes = report.hosts[0]!.fixes!;
    expect(fixes.map((f) => [f.action, f.applied])).toEqual([['chown', false], ['chmod', false]]);
    expect(fixes[0]!.reason).toMatch(/never adopts a host conf.*reinstall the extension/);
    expect(await fileState('setid-hostconf', HOSTCONF)).toBe(before);
    expect(before.split(' ')[0]).toBe('6777');
  });

  it('clears set-id and sticky bits when it fixes a root-owned host conf with the shipped values', async () => {
    const { report } = await audit(['root-setid-hostconf'], ['--fix', '--yes']);
    expect(report.hosts[0]!.fixes).toMatchObject([{ path: HOSTCONF, action: 'chmod', from: '6775', to: '0744', applied: true }]);
    expect((await fileState('root-setid-hostconf', HOSTCONF)).split(' ')[0]).toBe('744');
  });

  it('does not touch a host conf whose values differ from what the extension ships', async () => {
    const before = await fileState('odd-hostconf', HOSTCONF);
    const { report } = await audit(['odd-hostconf'], ['--fix', '--yes', '--fix-adopt']);
    const fixes = report.hosts[0]!.fixes!;
    expect(fixes).toMatchObject([{ path: HOSTCONF, action: 'chmod', applied: false }]);
    expect(fixes[0]!.reason).toMatch(/pluginpath0 is "\/tmp\/evil-dir".*reinstall the extension/);
    expect(await fileState('odd-hostconf', HOSTCONF)).toBe(before);
  });

  it('does not chmod a root-owned script every user can write unless --fix-adopt says it was reviewed', async () => {
    const before = await fileState('ww-script', PRE_SCRIPT);
    const plain = await audit(['ww-script'], ['--fix', '--yes']);
    expect(plain.report.hosts[0]!.fixes).toMatchObject([{ path: PRE_SCRIPT, action: 'chmod', to: '0700', applied: false }]);
    expect(plain.report.hosts[0]!.fixes![0]!.reason).toMatch(/every user can write it/);
    expect(await fileState('ww-script', PRE_SCRIPT)).toBe(before);
    const adopted = await audit(['ww-script'], ['--fix', '--yes', '--fix-adopt']);
    expect(adopted.report.hosts[0]!.fixes).toMatchObject([{ path: PRE_SCRIPT, action: 'chmod', to: '0700', applied: true }]);
    expect((await fileState('ww-script', PRE_SCRIPT)).split(' ')[0]).toBe('700');
  });

  it('refuses a script with a second hard link', async () => {
    const before = await fileState('hardlinked', PRE_SCRIPT);
    const { report } = await audit(['hardlinked'], ['--fix', '--yes']);
    expect(report.hosts[0]!.fixes!.every((f) => !f.applied && /hard links/.test(f.reason ?? ''))).toBe(true);
    expect(await fileState('hardlinked', PRE_SCRIPT)).toBe(before);
  });

  it('--dry-run prints the plan, changes nothing, and exits 4', async () => {
    const before = await fileState('dryrun', CONFIG_PATH);
    const { code, report } = await audit(['dryrun'], ['--fix', '--dry-run']);
    expect(code).toBe(4);
    expect(report.hosts[0]!.fixes).toEqual([{ path: CONFIG_PATH, action: 'chmod', from: '0644', to: '0600', applied: false, reason: 'dry run', pending: true }]);
    expect(report.summary.fixesPending).toBe(1);
    expect(await fileState('dryrun', CONFIG_PATH)).toBe(before);

    const inv = fleet.writeInventory({ names: ['dryrun'], file: join(fleet.dir, 'inv-dry-table.yaml') });
    const table = await run(['audit', '-i', inv, '--known-hosts', fleet.knownHostsFile, '--fix', '--dry-run']);
    expect(table.stdout).toContain(`${CONFIG_PATH}: chmod 0644 -> 0600 (would change)`);
  });

  it('a non-root user fixes through sudo -n', async () => {
    const { report } = await audit(['sudo'], ['--fix', '--yes'], 'azureuser');
    expect(report.hosts[0]!.fixes).toMatchObject([{ path: CONFIG_PATH, action: 'chmod', from: '0640', to: '0600', applied: true }]);
    expect(report.hosts[0]!.status).toBe('compliant');
  });

  it('refuses to rewrite more than --max-changes hosts from a non-terminal without --yes', async () => {
    const names = ['guard-a', 'guard-b', 'guard-c'];
    const before = await Promise.all(names.map((n) => fileState(n, CONFIG_PATH)));
    const refused = await audit(names, ['--fix', '--max-changes', '2']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/changed nothing on 3 hosts/);
    for (const h of refused.report.hosts) expect(h.fixes!.every((f) => !f.applied && f.pending && /--max-changes|--yes/.test(f.reason ?? ''))).toBe(true);
    expect(await Promise.all(names.map((n) => fileState(n, CONFIG_PATH)))).toEqual(before);

    // one slot for three hosts: a host waiting for the guard gives its slot back (it once kept it,
    // and the guard, waiting for the hosts that could not start, waited forever)
    const allowed = await audit(names, ['--fix', '--max-changes', '3', '-j', '1']);
    expect(allowed.code).toBe(0);
    expect(allowed.report.hosts.every((h) => h.status === 'compliant')).toBe(true);
  });
});

describe.skipIf(fleetUnavailable)('the remote fixer checks the file it changes is the file the audit saw', () => {
  async function connectAsRoot(name: string): Promise<SshConnection> {
    const vm = fleet.vms.find((v) => v.name === name)!;
    return SshConnection.connect({
      host: vm.address,
      port: vm.port,
      username: 'root',
      identities: [await new IdentityStore().load(fleet.identityFile)],
      knownHosts: await KnownHosts.load(fleet.knownHostsFile),
      signal: new AbortController().signal,
    });
  }

  it('refuses on its own, whatever the plan says, to adopt a file without --fix-adopt or to set a set-id bit', async () => {
    const conn = await connectAsRoot('evil-hostconf');
    try {
      const before = await fileState('evil-hostconf', HOSTCONF);
      const facts = await collectFacts(conn, false, 1024 * 1024);
      const st = facts.hostConf.file!.lstat!;
      const expect_ = { dev: st.dev, ino: st.ino, uid: st.uid, gid: st.gid, mode: st.mode };
      const base = { role: 'hostconf' as const, path: HOSTCONF, expect: expect_, requireSingleLink: true, records: [] };
      // a planner bug that forgot the adoption rule
      const adopt = await applyChanges(conn, false, [{ ...base, adopt: false, chown: { uid: 0, gid: 0 }, chmod: null, records: [{ path: HOSTCONF, action: 'chown', from: '', to: '', applied: false }] }]);
      expect(adopt).toMatchObject([{ applied: false }]);
      expect(adopt[0]!.reason).toMatch(/non-root user owns or can write it.*--fix-adopt/);
      const setid = await applyChanges(conn, false, [{ ...base, adopt: true, chown: null, chmod: 0o4644, records: [{ path: HOSTCONF, action: 'chmod', from: '', to: '', applied: false }] }]);
      expect(setid[0]!.reason).toMatch(/setuid, setgid or sticky/);
      expect(await fileState('evil-hostconf', HOSTCONF)).toBe(before);
    } finally {
      conn.close();
    }
  });

  async function planFor(conn: SshConnection) {
    const facts = await collectFacts(conn, false, 1024 * 1024);
    return planFixes(facts, judge(facts, allRules), { allowedScriptDirs: ['/etc/azure'] });
  }

  it('refuses a file swapped (other inode) or replaced by a symlink between audit and fix', async () => {
    const conn = await connectAsRoot('swap');
    try {
      const plan = await planFor(conn);
      expect(plan.changes.map((c) => c.path)).toEqual([CONFIG_PATH]);
      // an attacker swaps in another file between the audit and the fix
      expect((await fleet.execInVm('swap', ['mv', '-f', '/etc/azure/evil.json', CONFIG_PATH])).code).toBe(0);
      const swapped = await fileState('swap', CONFIG_PATH);
      const records = await applyChanges(conn, false, plan.changes);
      expect(records.every((r) => !r.applied && /swapped|inode/.test(r.reason ?? ''))).toBe(true);
      expect(await fileState('swap', CONFIG_PATH)).toBe(swapped);

      // now the path is a symlink to a file the attacker wants root to own
      expect((await fleet.execInVm('swap', ['ln', '-sf', '/etc/passwd', CONFIG_PATH])).code).toBe(0);
      const passwd = await fileState('swap', '/etc/passwd');
      const viaLink = await applyChanges(conn, false, plan.changes);
      expect(viaLink.every((r) => !r.applied && /symlink/.test(r.reason ?? ''))).toBe(true);
      expect(await fileState('swap', '/etc/passwd')).toBe(passwd);
    } finally {
      conn.close();
    }
  });
});
