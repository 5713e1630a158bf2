// What the rule catalogue says of each rule, derived from its meta and nothing else: the facts table
// at the top of docs/rules/<id>.md and the index in docs/rules/README.md. `npm run docs` writes them
// between the GENERATED markers (scripts/docs.ts); test/rules/meta.test.ts fails when a file drifts.
// Pure: text in, text out.
import type { Rule, RuleMeta } from './rule.js';
import { InternalError } from '../errors.js';

export const BEGIN = '<!-- generated from the rule meta by `npm run docs`: edit src/rules, not this table -->';
export const END = '<!-- end of generated table -->';

/** The facts table of one rule's page. */
export function ruleFactsTable(m: RuleMeta): string {
  const rows: [string, string][] = [
    ['Severity', `\`${m.severity}\``],
    ['Extension code', m.extensionCode === null ? 'none' : String(m.extensionCode)],
    ['Portal error', m.portalError === null ? 'none' : `\`${m.portalError}\``],
    ['Upstream', m.upstream],
    ['Scope', m.scope === 'framework' ? 'the script framework (info only while workload.conf bypasses it)' : 'outside the script framework (counts whatever workload.conf says)'],
    ['Fixable', m.fixable ? 'yes (`vmsnap audit --fix`)' : 'no'],
    ['Silent fallback', m.silent ? 'yes: the portal shows success' : 'no'],
    ['Backup then', m.consequence],
  ];
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`)].join('\n');
}

/** The index of docs/rules/README.md: every rule in registry order. */
export function rulesIndexTable(rules: readonly Rule[]): string {
  return [
    '| Rule | Severity | Code | Fixable | Silent | Title |',
    '|---|---|---|---|---|---|',
    ...rules.map(({ meta: m }) => `| [\`${m.id}\`](${m.id}.md) | \`${m.severity}\` | ${m.extensionCode === null ? '–' : m.extensionCode} | ${m.fixable ? 'yes' : 'no'} | ${m.silent ? 'yes' : 'no'} | ${m.title} |`),
  ].join('\n');
}

/** The generated block of a file, or null when it has no markers. */
export function generatedBlock(text: string): string | null {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  return a === -1 || b < a ? null : text.slice(a + BEGIN.length, b).trim();
}

/** `text` with its generated block replaced by `table` (markers added in place of the first table when it has none). */
export function withGeneratedBlock(text: string, table: string): string {
  const block = `${BEGIN}\n\n${table}\n\n${END}`;
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a !== -1 && b > a) return text.slice(0, a) + block + text.slice(b + END.length);
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  if (start === -1) throw new InternalError('no table to replace and no GENERATED markers');
  let end = start;
  while (end < lines.length && lines[end]!.startsWith('|')) end++;
  return [...lines.slice(0, start), block, ...lines.slice(end)].join('\n');
}

/** A page as a reader sees it on a terminal: without the markers (`vmsnap rules ID`). */
export function withoutMarkers(text: string): string {
  return text.replace(`${BEGIN}\n\n`, '').replace(`\n\n${END}`, '');
}
