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

const hostConfNaming = (configPath: string, mode = 0o644): FileSpec => ({
  type: 'file',
  path: HOSTCONF,
  content: `[pre_post]\ntimeoutInSeconds: 1800\nnumberOfPlugins: 1\npluginName0: ScriptRunner\npluginPath0: /etc/azure\npluginConfigPath0: ${configPath}\n`,
  mode,
});

describe('planFixes: the config is named by the host conf, so it gets the scripts\' protections', () => {
  it('never /etc/passwd named as the config (outside the allowed directories, and not a config)', () => {
    const p = plan(factsWithFiles([hostConfNaming('/etc/passwd'), { type: 'file', path: '/etc/passwd', content: 'root:x:0:0:root:/root:/bin/bash\n', mode: 0o644 }]));
    expect(p.changes).toEqual([]);
    expect(p.refused.map((r) => [r.path, r.action, r.to])).toEqual([['/etc/passwd', 'chmod', '0600']]);
    expect(p.refused[0]!.reason).toMatch(/outside the directories --fix may change files in/);
  });

  it('no config change while a world-writable host conf names it; the host conf itself is fixed', () => {
    const tool = '/usr/local/bin/tool.json';
    const p = plan(factsWithFiles([hostConfNaming(tool, 0o666), { type: 'file', path: tool, content: JSON.stringify(compliantConfig()), mode: 0o4755 }]));
    expect(p.changes.map((c) => [c.role, c.path, c.chmod])).toEqual([['hostconf', HOSTCONF, 0o644]]);
    expect(p.refused.find((r) => r.path === tool)?.reason).toMatch(/host conf .* is writable by a non-root user .*could name any file as the config/);
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

  it('sets the config to 0600 and root, keeping its group, and checks the inode it saw', () => {
    const facts = factsWithFiles([configFile(0o644, 'appuser')]);
    const p = plan(facts);
    expect(p.refused).toEqual([]);
    expect(p.changes).toHaveLength(1);
    const c = p.changes[0]!;
    expect(c).toMatchObject({ role: 'config', path: CONFIG_PATH, chown: { uid: 0, gid: 1002 }, chmod: 0o600 });
    expect(c.expect).toEqual({ dev: facts.config.file.lstat!.dev, ino: facts.config.file.lstat!.ino, uid: 1002, gid: 1002, mode: 0o644 });
    expect(c.records.map((r) => [r.action, r.from, r.to])).toEqual([
      ['chown', 'appuser:appuser', 'root:appuser'],
      ['chmod', '0644', '0600'],
    ]);
    expect(c.records[0]!.note).toMatch(/review its content/);
  });

  it('sets a 0400 config to the documented 0600 (config-mode-recommended is fixable)', () => {
    const p = plan(factsWithFiles([configFile(0o400)]));
    expect(p.changes.map((c) => [c.path, c.chown, c.chmod])).toEqual([[CONFIG_PATH, null, 0o600]]);
  });

  it('removes only group/other write and execute from the host conf', () => {
    const p = plan(factsWithFiles([{ type: 'file', path: HOSTCONF, content: '[pre_post]\nnumberOfPlugins: 1\npluginName0: ScriptRunner\npluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json\n', mode: 0o775 }]));
    expect(p.changes.map((c) => [c.role, c.chmod])).toEqual([['hostconf', 0o744]]);
  });

  it('sets scripts to 0700 root when the config is trusted', () => {
    const p = plan(factsWithFiles([
      { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o755 },
      { type: 'file', path: POST_SCRIPT, content: SCRIPT_TEXT, mode: 0o700, owner: 'appuser' },
    ]));
    expect(p.refused).toEqual([]);
    expect(p.changes.map((c) => [c.role, c.chown, c.chmod, c.requireSingleLink])).toEqual([
      ['prescript', null, 0o700, true],
      ['postscript', { uid: 0, gid: 1002 }, null, true],
    ]);
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

  it('refuses every script while the config is writable by a non-root user, but fixes the config', () => {
    const p = plan(factsWithFiles([configFile(0o666), { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o755 }]));
    expect(p.changes.map((c) => c.role)).toEqual(['config']);
    expect(p.refused.map((r) => r.path)).toEqual([PRE_SCRIPT]);
    expect(p.refused[0]!.reason).toMatch(/not trusted|writable by a non-root user.*no script it names is changed/);
  });

  it('refuses scripts while the config is not owned by root', () => {
    const p = plan(factsWithFiles([configFile(0o600, 'appuser'), { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o755 }]));
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
