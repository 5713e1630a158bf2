import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_SCRIPT_DIRS, planFixes, type FixPolicy } from '../../src/fix/plan.js';
import { CONFIG_PATH, EXT_DIR, POST_SCRIPT, PRE_SCRIPT, SCRIPT_TEXT, compliantConfig, type FileSpec, type Owner } from '../../src/fleet/spec.js';
import type { HostFacts } from '../../src/model/facts.js';
import { judge } from '../../src/rules/engine.js';
import { allRules } from '../../src/rules/index.js';
import { factsWithFiles } from '../helpers/facts.js';

const policy: FixPolicy = { allowedScriptDirs: DEFAULT_ALLOWED_SCRIPT_DIRS };
const HOSTCONF = `${EXT_DIR}/main/VMSnapshotPluginHost.conf`;

function plan(facts: HostFacts, p = policy) {
  return planFixes(facts, judge(facts, allRules), p);
}

const configFile = (mode: number, owner: Owner = 'root', config = compliantConfig()): FileSpec => ({
  type: 'file',
  path: CONFIG_PATH,
  content: JSON.stringify(config),
  mode,
  owner,
});

const hostConfNaming = (configPath: string, mode = 0o644, owner: Owner = 'root', pluginName = 'ScriptRunner', pluginPath = '/etc/azure'): FileSpec => ({
  type: 'file',
  path: HOSTCONF,
  content: `[pre_post]\ntimeoutInSeconds: 1800\nnumberOfPlugins: 1\npluginName0: ${pluginName}\npluginPath0: ${pluginPath}\npluginConfigPath0: ${configPath}\n`,
  mode,
  owner,
});
const adopting: FixPolicy = { ...policy, adopt: true };

describe('planFixes: the config is named by the host conf, so it gets the scripts\' protections', () => {
  it('never /etc/passwd named as the config (outside the allowed directories, and not a config)', () => {
    const p = plan(factsWithFiles([hostConfNaming('/etc/passwd'), { type: 'file', path: '/etc/passwd', content: 'root:x:0:0:root:/root:/bin/bash\n', mode: 0o644 }]));
    expect(p.changes).toEqual([]);
    expect(p.refused.map((r) => [r.path, r.action, r.to])).toEqual([['/etc/passwd', 'chmod', '0600']]);
    expect(p.refused[0]!.reason).toMatch(/outside the directories --fix may change files in/);
  });

  it('no config change while a world-writable host conf names it; nor is that host conf adopted', () => {
    const tool = '/usr/local/bin/tool.json';
    const p = plan(factsWithFiles([hostConfNaming(tool, 0o666), { type: 'file', path: tool, content: JSON.stringify(compliantConfig()), mode: 0o4755 }]), adopting);
    expect(p.changes).toEqual([]);
    expect(p.refused.find((r) => r.path === tool)?.reason).toMatch(/host conf .* is writable by a non-root user .*could name any file as the config/);
    expect(p.refused.find((r) => r.path === HOSTCONF)?.reason).toMatch(/every user can write it.*never adopts a host conf/);
  });

  it('never a config with a second hard link (it could be /etc/passwd under another name)', () => {
    const facts = factsWithFiles([configFile(0o644)]);
    facts.config.file.lstat!.nlink = 2;
    facts.config.file.stat!.nlink = 2;
    const p = plan(facts);
    expect(p.changes).toEqual([]);
    expect(p.refused[0]).toMatchObject({ path: CONFIG_PATH, applied: false });
    expect(p.refused[0]!.reason).toMatch(/2 hard links/);
  });

  it('a config in an allowed directory of --fix-allow-dir, named by a root-owned host conf, is fixed', () => {
    const custom = '/opt/app/backup.json';
    const files = [hostConfNaming(custom), { type: 'file' as const, path: custom, content: JSON.stringify(compliantConfig()), mode: 0o644 }];
    expect(plan(factsWithFiles(files)).refused[0]?.reason).toMatch(/outside the directories/);
    const p = plan(factsWithFiles(files), { allowedScriptDirs: ['/etc/azure', '/opt/app'] });
    expect(p.changes.map((c) => [c.role, c.path, c.chmod, c.requireSingleLink])).toEqual([['config', custom, 0o600, true]]);
  });
});

describe('planFixes', () => {
  it('plans nothing on a compliant VM', () => {
    expect(plan(factsWithFiles())).toEqual({ changes: [], refused: [] });
  });

  it('refuses by default to make root the owner of a config a non-root user owns', () => {
    const p = plan(factsWithFiles([configFile(0o644, 'appuser')]));
    expect(p.changes).toEqual([]);
    expect(p.refused.map((r) => [r.path, r.action, r.to, r.applied])).toEqual([
      [CONFIG_PATH, 'chown', 'root:appuser', false],
      [CONFIG_PATH, 'chmod', '0600', false],
    ]);
    expect(p.refused[0]!.reason).toMatch(/its owner appuser .*can write it.*read as root the scripts it names.*Review its content.*--fix-adopt/);
  });

  it('with --fix-adopt sets the config to 0600 and root, keeping its group, and checks the inode it saw', () => {
    const facts = factsWithFiles([configFile(0o644, 'appuser')]);
    const p = plan(facts, adopting);
    expect(p.refused).toEqual([]);
    expect(p.changes).toHaveLength(1);
    const c = p.changes[0]!;
    expect(c).toMatchObject({ role: 'config', path: CONFIG_PATH, chown: { uid: 0, gid: 1002 }, chmod: 0o600 });
    expect(c.expect).toEqual({ dev: facts.config.file.lstat!.dev, ino: facts.config.file.lstat!.ino, uid: 1002, gid: 1002, mode: 0o644 });
    expect(c.records.map((r) => [r.action, r.from, r.to])).toEqual([
      ['chown', 'appuser:appuser', 'root:appuser'],
      ['chmod', '0644', '0600'],
    ]);
    expect(c.adopt).toBe(true);
    expect(c.records[0]!.note).toMatch(/adopted with --fix-adopt/);
  });

  it('sets a 0400 config to the documented 0600 (config-mode-recommended is fixable)', () => {
    const p = plan(factsWithFiles([configFile(0o400)]));
    expect(p.changes.map((c) => [c.path, c.chown, c.chmod])).toEqual([[CONFIG_PATH, null, 0o600]]);
  });

  it('removes only group/other write and execute from a root-owned host conf with the shipped values', () => {
    const p = plan(factsWithFiles([hostConfNaming(CONFIG_PATH, 0o775)]));
    expect(p.changes.map((c) => [c.role, c.chmod, c.chown, c.adopt])).toEqual([['hostconf', 0o744, null, false]]);
  });

  it('never keeps a setuid, setgid or sticky bit on the host conf', () => {
    const p = plan(factsWithFiles([hostConfNaming(CONFIG_PATH, 0o7775)]));
    expect(p.changes.map((c) => c.chmod)).toEqual([0o744]);
  });

  it('never adopts a host conf a non-root user owns, whatever the flags (it names the module root imports)', () => {
    // hostconf-owner is not fixable: its finding says to reinstall the extension, and nothing is planned
    const facts = factsWithFiles([hostConfNaming(CONFIG_PATH, 0o644, 'appuser', 'evil', '/tmp/evil-dir')]);
    const owner = judge(facts, allRules).find((f) => f.rule === 'hostconf-owner');
    expect(owner).toMatchObject({ fixable: false });
    expect(plan(facts, adopting)).toEqual({ changes: [], refused: [] });
    // with a fixable mode finding as well, the chown is refused and says why
    for (const p of [policy, adopting]) {
      const out = plan(factsWithFiles([hostConfNaming(CONFIG_PATH, 0o6777, 'appuser', 'evil', '/tmp/evil-dir')]), p);
      expect(out.changes).toEqual([]);
      expect(out.refused.map((r) => [r.path, r.action, r.to])).toEqual([[HOSTCONF, 'chown', 'root:appuser'], [HOSTCONF, 'chmod', '0744']]);
      expect(out.refused[0]!.reason).toMatch(/its owner appuser .*import as root.*never adopts a host conf.*reinstall the extension/);
    }
  });

  it('never changes a host conf whose values differ from what the extension ships', () => {
    for (const [content, why] of [
      [hostConfNaming(CONFIG_PATH, 0o664, 'root', 'evil'), /pluginname0 is "evil" \(the extension ships ScriptRunner\)/],
      [hostConfNaming(CONFIG_PATH, 0o664, 'root', 'ScriptRunner', '/tmp/evil-dir'), /pluginpath0 is "\/tmp\/evil-dir"/],
      [hostConfNaming('/etc/azure/other.json', 0o664), /pluginconfigpath0 is/],
      [{ type: 'file', path: HOSTCONF, content: '[pre_post]\nnumberOfPlugins: 2\npluginName0: ScriptRunner\npluginPath0: /etc/azure\npluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json\n', mode: 0o664 } as FileSpec, /numberofplugins is "2"/],
    ] as const) {
      const p = plan(factsWithFiles([content]), adopting);
      expect(p.changes.filter((c) => c.role === 'hostconf')).toEqual([]);
      const r = p.refused.find((x) => x.path === HOSTCONF);
      expect(r?.reason).toMatch(why);
      expect(r?.reason).toMatch(/reinstall the extension/);
    }
  });

  it('sets scripts to 0700 root when the config is trusted; a script a non-root user owns only with --fix-adopt', () => {
    const files: FileSpec[] = [
      { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o755 },
      { type: 'file', path: POST_SCRIPT, content: SCRIPT_TEXT, mode: 0o700, owner: 'appuser' },
    ];
    const p = plan(factsWithFiles(files));
    expect(p.changes.map((c) => [c.role, c.chown, c.chmod, c.requireSingleLink, c.adopt])).toEqual([['prescript', null, 0o700, true, false]]);
    expect(p.refused.map((r) => [r.path, r.action])).toEqual([[POST_SCRIPT, 'chown']]);
    expect(p.refused[0]!.reason).toMatch(/its owner appuser .*run its content as root.*--fix-adopt/);
    const adopted = plan(factsWithFiles(files), adopting);
    expect(adopted.refused).toEqual([]);
    expect(adopted.changes.map((c) => [c.role, c.chown, c.chmod, c.adopt])).toEqual([
      ['prescript', null, 0o700, false],
      ['postscript', { uid: 0, gid: 1002 }, null, true],
    ]);
  });

  it('refuses by default to chmod a root-owned script every user can write (that too makes root trust their content)', () => {
    const p = plan(factsWithFiles([{ type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o777 }]));
    expect(p.changes).toEqual([]);
    expect(p.refused.map((r) => [r.action, r.to])).toEqual([['chmod', '0700']]);
    expect(p.refused[0]!.reason).toMatch(/every user can write it/);
    expect(plan(factsWithFiles([{ type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o777 }]), adopting).changes.map((c) => c.chmod)).toEqual([0o700]);
  });

  it('never sets a setuid, setgid or sticky bit on a script or the config', () => {
    const p = plan(factsWithFiles([configFile(0o4644), { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o6755 }]));
    expect(p.changes.map((c) => c.chmod)).toEqual([0o600, 0o700]);
  });

  it('never changes a symlinked script, and says where it points', () => {
    const p = plan(factsWithFiles([
      { type: 'file', path: '/etc/azure/real-pre.sh', content: SCRIPT_TEXT, mode: 0o755 },
      { type: 'symlink', path: PRE_SCRIPT, target: '/etc/azure/real-pre.sh' },
    ]));
    expect(p.changes).toEqual([]);
    expect(p.refused.length).toBeGreaterThan(0);
    expect(p.refused.every((r) => r.path === PRE_SCRIPT && !r.applied && /symlink/.test(r.reason ?? ''))).toBe(true);
  });

  it('refuses every script while the config is writable by a non-root user; the config itself only with --fix-adopt', () => {
    const files = [configFile(0o666), { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o755 } as FileSpec];
    const p = plan(factsWithFiles(files));
    expect(p.changes).toEqual([]);
    expect(p.refused.map((r) => r.path)).toEqual([CONFIG_PATH, PRE_SCRIPT]);
    expect(p.refused[0]!.reason).toMatch(/every user can write it.*--fix-adopt/);
    expect(p.refused[1]!.reason).toMatch(/writable by a non-root user.*no script it names is changed/);
    const adopted = plan(factsWithFiles(files), adopting);
    expect(adopted.changes.map((c) => c.role)).toEqual(['config']);
    expect(adopted.refused.map((r) => r.path)).toEqual([PRE_SCRIPT]);
  });

  it('refuses scripts while the config is not owned by root', () => {
    const p = plan(factsWithFiles([configFile(0o600, 'appuser'), { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o755 }]), adopting);
    expect(p.refused.map((r) => r.path)).toEqual([PRE_SCRIPT]);
    expect(p.refused[0]!.reason).toMatch(/not owned by root/);
  });

  it('never changes a system binary a trusted config names, even on a second run', () => {
    const facts = factsWithFiles([configFile(0o600, 'root', compliantConfig({ preScriptLocation: '/usr/local/bin/pre.sh' })), { type: 'file', path: '/usr/local/bin/pre.sh', content: SCRIPT_TEXT, mode: 0o755 }]);
    const p = plan(facts);
    expect(p.changes).toEqual([]);
    expect(p.refused[0]!.reason).toMatch(/system directory|\/usr/);
  });

  it('refuses a script outside the allowed directories unless one is added', () => {
    const files = [configFile(0o600, 'root', compliantConfig({ preScriptLocation: '/opt/app/pre.sh' })), { type: 'file', path: '/opt/app/pre.sh', content: SCRIPT_TEXT, mode: 0o750 } as FileSpec];
    expect(plan(factsWithFiles(files)).refused[0]!.reason).toMatch(/outside the directories/);
    const p = plan(factsWithFiles(files), { allowedScriptDirs: ['/etc/azure', '/opt/app'] });
    expect(p.refused).toEqual([]);
    expect(p.changes.map((c) => [c.path, c.chmod])).toEqual([['/opt/app/pre.sh', 0o700]]);
  });

  it('refuses to chown a non-root script in a directory a non-root user can write (it may have been planted)', () => {
    const p = plan(factsWithFiles([
      { type: 'dir', path: '/opt/drop', mode: 0o777 },
      configFile(0o600, 'root', compliantConfig({ preScriptLocation: '/opt/drop/pre.sh' })),
      { type: 'file', path: '/opt/drop/pre.sh', content: SCRIPT_TEXT, mode: 0o700, owner: 'appuser' },
    ]), { allowedScriptDirs: ['/etc/azure', '/opt/drop'] });
    expect(p.changes).toEqual([]);
    expect(p.refused[0]!.reason).toMatch(/planted/);
  });

  it('plans one change when the pre- and post-script are the same file', () => {
    const p = plan(factsWithFiles([
      configFile(0o600, 'root', compliantConfig({ postScriptLocation: PRE_SCRIPT })),
      { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o755 },
    ]));
    expect(p.changes.map((c) => c.path)).toEqual([PRE_SCRIPT]);
  });

  it('only acts on findings it was given (a skipped rule is not fixed)', () => {
    const facts = factsWithFiles([configFile(0o644)]);
    expect(planFixes(facts, [], policy)).toEqual({ changes: [], refused: [] });
  });
});
