// The facts builder must stay what the collector reports on a VM built from compliantFiles().
import { describe, expect, it } from 'vitest';
import { HostFacts } from '../../src/model/facts.js';
import { CONFIG_PATH, EXT_DIR, POST_SCRIPT, PRE_SCRIPT, compliantConfig } from '../../src/fleet/spec.js';
import { judge } from '../../src/rules/engine.js';
import { allRules } from '../../src/rules/index.js';
import { buildRuleContext } from '../../src/rules/context.js';
import { compliantFacts, parseFailure, withConfig, withConfigMode, withConfigParse } from '../helpers/facts.js';

describe('compliantFacts()', () => {
  const facts = compliantFacts();

  it('matches the HostFacts schema exactly', () => {
    expect(HostFacts.parse(facts)).toEqual(facts);
  });

  it('selects the one Enabled extension folder and reads its host conf', () => {
    expect(facts.extensions).toEqual([{ dir: EXT_DIR, version: '1.0.9225.0', versionParts: [1, 0, 9225, 0], handlerState: 'Enabled', eligible: true }]);
    expect(facts.selectedExtension).toBe(EXT_DIR);
    expect(facts.hostConf.source).toBe('extension');
    expect(facts.hostConf.file?.stat).toMatchObject({ type: 'file', mode: 0o644, owner: 'root' });
    expect(facts.hostConf.sections?.['pre_post']).toEqual({
      timeoutinseconds: '1800',
      numberofplugins: '1',
      pluginname0: 'ScriptRunner',
      pluginpath0: '/etc/azure',
      pluginconfigpath0: CONFIG_PATH,
    });
    expect(facts.hostConf.file?.parents.map((d) => [d.path, d.stat?.mode])).toEqual([
      ['/', 0o755],
      ['/var', 0o755],
      ['/var/lib', 0o755],
      ['/var/lib/waagent', 0o700],
      [EXT_DIR, 0o755],
      [`${EXT_DIR}/main`, 0o755],
    ]);
  });

  it('has the config 0600 root, parsed to the template', () => {
    expect(facts.configPath).toBe(CONFIG_PATH);
    expect(facts.config.file.stat).toMatchObject({ type: 'file', mode: 0o600, uid: 0, owner: 'root', group: 'root' });
    expect(facts.config.file.lstat).toEqual(facts.config.file.stat);
    expect(facts.config.file.symlinkChain).toEqual([]);
    expect(facts.config.file.realpath).toBe(CONFIG_PATH);
    expect(facts.config.file.parents.map((d) => d.path)).toEqual(['/', '/etc', '/etc/azure']);
    expect(facts.config.size).toBe(JSON.stringify(compliantConfig(), null, 2).length + 1);
    expect(facts.config.parse).toEqual({ ok: true, value: compliantConfig() });
  });

  it('has both scripts 0700 root, #!/bin/sh, passing sh -n', () => {
    for (const [which, path] of [['pre', PRE_SCRIPT], ['post', POST_SCRIPT]] as const) {
      const s = facts.scripts[which]!;
      expect(s.configured).toBe(path);
      expect(s.resolvedPath).toBe(path);
      expect(s.file?.stat).toMatchObject({ type: 'file', mode: 0o700, owner: 'root' });
      expect(s.firstLine).toBe('#!/bin/sh');
      expect(s.shSyntax).toEqual({ ok: true, message: '' });
    }
  });

  it('has no workload.conf and no extension log', () => {
    expect(facts.workload).toMatchObject({ workloadName: null, file: { stat: null, lstat: null, errno: 'ENOENT' } });
    expect(facts.extensionLog).toMatchObject({ exists: false, size: null, outcomeLines: [] });
  });

  it('passes every rule', () => {
    expect(judge(facts, allRules)).toEqual([]);
  });

  it('derives variants without touching the original', () => {
    const before = structuredClone(facts);
    withConfigMode(facts, 0o644);
    withConfig(facts, {});
    withConfigParse(facts, parseFailure('bom'));
    expect(facts).toEqual(before);
    expect(withConfigMode(facts, 0o644).config.file.stat?.mode).toBe(0o644);
  });
});

describe('buildRuleContext', () => {
  it('gives the config object when it parsed to one, else null', () => {
    const facts = compliantFacts();
    expect(buildRuleContext(facts).config).toEqual(compliantConfig());
    expect(buildRuleContext(withConfig(facts, [1])).config).toBeNull();
    expect(buildRuleContext(withConfig(facts, null)).config).toBeNull();
    expect(buildRuleContext(withConfigParse(facts, parseFailure('syntax'))).config).toBeNull();
    expect(buildRuleContext(withConfigParse(facts, null)).config).toBeNull();
  });
});
