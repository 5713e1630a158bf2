import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/report/text-table.js';

/** What cli-table3 draws for the whole table at once (the reference renderTable must match). */
function whole(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [], compact: true }, wordWrap: false });
  for (const r of rows) t.push(r);
  return t.toString();
}

const head = ['Host', 'Address', 'Status', 'Note'];
const rows = Array.from({ length: 23 }, (_, i) => [
  `vm-${i}`,
  `127.0.${i}.1`,
  i % 3 === 0 ? 'noncompliant' : 'compliant',
  ['', 'wide 漢字', 'emoji 🧊 here', 'x'.repeat(i), 'é'][i % 5]!,
]);

describe('renderTable', () => {
  it.each([1, 2, 5, 7, 22, 23, 200])('joined chunks of %i rows are the same text as one cli-table3 table', (chunk) => {
    expect(renderTable(head, rows, chunk)).toBe(whole(head, rows));
  });

  it('a head and no rows', () => {
    expect(renderTable(head, [])).toBe(whole(head, []));
  });

  it('20,000 rows: every row, the head, its separator and both borders', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => [`vm-${i}`, '127.0.0.1', 'compliant', '']);
    const text = renderTable(head, many);
    expect(text.split('\n')).toHaveLength(20_000 + 4);
  });
});
