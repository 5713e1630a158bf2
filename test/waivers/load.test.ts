import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { allRules } from '../../src/rules/index.js';
import { loadWaivers, parseWaivers, WaiverError } from '../../src/waivers/load.js';

const RULES = allRules.map((r) => r.meta.id);

function errorOf(text: string): WaiverError {
  try {
    parseWaivers(text, 'waivers.yaml', RULES);
  } catch (e) {
    if (e instanceof WaiverError) return e;
    throw e;
  }
  throw new Error('expected a WaiverError');
}

describe('parseWaivers', () => {
  it('reads entries with their file:line', () => {
    const set = parseWaivers(
      [
        'waivers:',
        '  - rule: script-interpreter',
        '    host: "db-*"',
        '    justification: vendor appliance, ticket OPS-1234',
        '    expires: 2026-09-30',
        '  - rule: config-mode',
        '    group: legacy',
        '    tag: appliance',
        '    justification: "  being replaced  "',
        '    expires: "2026-12-31"',
        '',
      ].join('\n'),
      'waivers.yaml',
      RULES,
    );
    expect(set).toEqual({
      file: 'waivers.yaml',
      waivers: [
        { rule: 'script-interpreter', host: 'db-*', justification: 'vendor appliance, ticket OPS-1234', expires: '2026-09-30', source: 'waivers.yaml:2' },
        { rule: 'config-mode', group: 'legacy', tag: 'appliance', justification: 'being replaced', expires: '2026-12-31', source: 'waivers.yaml:6' },
      ],
    });
  });

  it('accepts an empty list', () => {
    expect(parseWaivers('waivers: []\n', 'w.yaml', RULES).waivers).toEqual([]);
  });

  it('an unknown rule id is an error naming file:line with a did-you-mean', () => {
    const e = errorOf('waivers:\n  - rule: confg-mode\n    host: "*"\n    justification: x\n    expires: 2026-01-01\n');
    expect(e.message).toBe('waivers.yaml:2: waivers[0].rule: unknown rule "confg-mode" (did you mean "config-mode"?) (`vmsnap rules` lists them)');
  });

  it('justification and expires are required; expires must be a real YYYY-MM-DD date', () => {
    const e = errorOf(['waivers:', '  - rule: config-mode', '    host: a', '  - rule: config-mode', '    host: b', '    justification: ""', '    expires: 2026-02-30', '  - rule: config-mode', '    host: c', '    justification: y', '    expires: next week', ''].join('\n'));
    expect(e.message.split('\n')).toEqual([
      'waivers.yaml:2: waivers[0].justification: required field "justification" is missing',
      'waivers.yaml:2: waivers[0].expires: required field "expires" is missing',
      'waivers.yaml:6: waivers[1].justification: must not be empty',
      'waivers.yaml:7: waivers[1].expires: must be a date written YYYY-MM-DD, got "2026-02-30"',
      'waivers.yaml:11: waivers[2].expires: must be a date written YYYY-MM-DD, got "next week"',
    ]);
  });

  it('a waiver must say which hosts (host, group or tag)', () => {
    const e = errorOf('waivers:\n  - rule: config-mode\n    justification: x\n    expires: 2026-01-01\n');
    expect(e.message).toBe('waivers.yaml:2: waivers[0]: says no host: give host (a name or glob, "*" for every host), group or tag');
  });

  it('unknown keys get a did-you-mean, at the key', () => {
    const e = errorOf('waivers:\n  - rule: config-mode\n    hosts: a\n    justification: x\n    expires: 2026-01-01\n');
    expect(e.message).toContain('waivers.yaml:3: waivers[0].hosts: unknown field "hosts" (did you mean "host"?)');
    expect(errorOf('waiver: []\n').message).toContain('waivers.yaml:1: waiver: unknown field "waiver" (did you mean "waivers"?)');
  });

  it('YAML syntax errors and wrong shapes are located', () => {
    expect(errorOf('waivers:\n  - rule: [unclosed\n').message).toMatch(/^waivers\.yaml:\d+: YAML syntax error/);
    expect(errorOf('').message).toBe('waivers.yaml:1: the waivers file is empty (expected a mapping with a waivers: list)');
    expect(errorOf('- rule: x\n').message).toBe('waivers.yaml:1: the waivers file must be a mapping with a waivers: list, got a list');
    expect(errorOf('waivers: nope\n').message).toBe('waivers.yaml:1: waivers: must be a list of waivers, got "nope"');
  });

  it('loadWaivers: a missing file is a WaiverError too', async () => {
    await expect(loadWaivers('/nonexistent/w.yaml', RULES)).rejects.toThrow('/nonexistent/w.yaml: cannot read waivers file: no such file');
    const dir = mkdtempSync(join(tmpdir(), 'vmsnap-waivers-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'w.yaml'), 'waivers:\n  - {rule: config-mode, host: "*", justification: j, expires: 2030-01-01}\n');
    expect((await loadWaivers(join(dir, 'w.yaml'), RULES)).waivers[0]!.source).toBe(`${join(dir, 'w.yaml')}:2`);
  });
});
