// The option tables: `--help` shows each option of a table in its titled group, numbers as [number],
// and no option that is not in the table; values are checked as the table says.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AUDIT_OPTIONS } from '../../src/cli/audit-options.js';
import { KEYSCAN_OPTIONS } from '../../src/cli/keyscan-command.js';
import { INVENTORY_OPTIONS } from '../../src/cli/inventory-command.js';
import { MERGE_OPTIONS } from '../../src/cli/merge-command.js';
import { REPORT_OPTIONS } from '../../src/cli/report-command.js';
import { GROUPS, notRerun, numberFlag, type OptionSpec } from '../../src/cli/options.js';
import { run } from './run-main.js';

/** `--help` as { group title: option names in it } and each option's help text. */
function helpSections(help: string): Map<string, { names: string[]; text: Map<string, string> }> {
  const out = new Map<string, { names: string[]; text: Map<string, string> }>();
  let current: { names: string[]; text: Map<string, string> } | null = null;
  let last: string | null = null;
  for (const line of help.split('\n')) {
    if (line === 'Examples:') {
      current = null;
      continue;
    }
    if (/^\S.*:$/.test(line)) {
      current = { names: [], text: new Map() };
      out.set(line, current);
      continue;
    }
    const m = /^\s+(?:-\w, )?--([\w-]+)\s/.exec(line);
    if (current && m) {
      last = m[1]!;
      current.names.push(last);
      current.text.set(last, line);
    } else if (current && last && line.startsWith('  ')) current.text.set(last, `${current.text.get(last)} ${line.trim()}`);
  }
  return out;
}

describe.each([
  ['audit', AUDIT_OPTIONS],
  ['keyscan', KEYSCAN_OPTIONS],
  ['inventory', INVENTORY_OPTIONS],
  ['merge', MERGE_OPTIONS],
  ['report', REPORT_OPTIONS],
] as [string, readonly OptionSpec[]][])('vmsnap %s --help', (command, table) => {
  it('lists every option of the table in its group, and no other', async () => {
    const r = await run([command, '--help']);
    expect(r.code).toBe(0);
    const sections = helpSections(r.out);
    for (const [key, title] of Object.entries(GROUPS)) {
      const want = table.filter((s) => s.group === key).map((s) => s.name);
      if (want.length === 0) continue;
      expect(sections.get(title)?.names, title).toEqual(want);
    }
    const listed = [...sections.values()].flatMap((s) => s.names).filter((n) => n !== 'help' && n !== 'version');
    expect(listed.sort()).toEqual(table.map((s) => s.name).sort());
  });

  it('shows numbers as [number] with their defaults', async () => {
    const sections = helpSections((await run([command, '--help'])).out);
    const text = new Map([...sections.values()].flatMap((s) => [...s.text]));
    for (const s of table) {
      if (s.kind !== 'integer' && s.kind !== 'number') continue;
      expect(text.get(s.name), s.name).toMatch(new RegExp(`\\[number\\] \\[default: ${s.default}\\]`));
    }
  });
});

describe('values', () => {
  it('numbers are read as written in decimal, within the bounds of the table', () => {
    expect(numberFlag(AUDIT_OPTIONS, {}, 'concurrency')).toBe(50);
    expect(numberFlag(AUDIT_OPTIONS, { concurrency: '8' }, 'concurrency')).toBe(8);
    expect(numberFlag(AUDIT_OPTIONS, { timeout: '2.5' }, 'timeout')).toBe(2.5);
    expect(numberFlag(AUDIT_OPTIONS, { workers: '3' }, 'workers')).toBe(3);
    expect(numberFlag(AUDIT_OPTIONS, {}, 'workers')).toBe(availableParallelism()); // shown as the default; capped by the hosts unless given
    expect(() => numberFlag(AUDIT_OPTIONS, { workers: '0' }, 'workers')).toThrow('--workers must be a whole number of at least 1, got "0"');
    expect(() => numberFlag(AUDIT_OPTIONS, { concurrency: '0' }, 'concurrency')).toThrow('--concurrency must be a positive whole number, got "0"');
    expect(() => numberFlag(AUDIT_OPTIONS, { concurrency: '1.5' }, 'concurrency')).toThrow(/positive whole number/);
    expect(() => numberFlag(AUDIT_OPTIONS, { retries: '-1' }, 'retries')).toThrow('--retries must be a whole number of at least 0, got "-1"');
    expect(() => numberFlag(AUDIT_OPTIONS, { jumpMaxStartups: '0' }, 'jump-max-startups')).toThrow('--jump-max-startups must be a whole number of at least 1, got "0"');
    expect(() => numberFlag(AUDIT_OPTIONS, { maxChanges: ['1', '2'] }, 'max-changes')).toThrow('--max-changes was given 2 times; give it once');
  });

  it.each([
    ['inventory', '-i', 'a.yaml', '-i', 'b.yaml'],
    ['merge', 'a.json', '-f', 'json', '-f', 'table'],
    ['report', 'a.json', '-i', 'a.yaml', '-i', 'b.yaml'],
    ['demo', '--dir', 'a', '--dir', 'b'],
    ['rules', '-f', 'json', '-f', 'table'],
  ])('a single-valued option given twice is refused: %s', async (...argv) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^vmsnap: --(inventory|format|dir) was given 2 times; give it once\n$/);
  });

  it('the rerun command drops what the table marks, with its aliases', () => {
    expect(notRerun(AUDIT_OPTIONS)).toEqual({
      limit: 'values',
      'rerun-failed': 'value',
      format: 'value',
      f: 'value',
      output: 'values',
      o: 'values',
      baseline: 'value',
      quiet: 'flag',
      q: 'flag',
      'fix-adopt': 'flag',
    });
  });
});
