// Plain boxed tables for the terminal (the audit's host table, `vmsnap inventory`), drawn by
// cli-table3. Its layout pass compares every cell with every row (4.3 s for 5,000 rows, minutes
// for 50,000), so rows go to it in chunks with the column widths fixed from all rows up front,
// and the chunks are joined where their borders meet: the same text as one table, in linear time.
import Table from 'cli-table3';
import stringWidth from 'string-width';

/** Rows per cli-table3 table: small enough that its quadratic layout costs nothing. */
export const CHUNK_ROWS = 50;

const PADDING = 2; // cli-table3's default: one space left and right

/** Cells must be printable text (no control characters, no newlines): they are measured as one line. */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[], chunkRows = CHUNK_ROWS): string {
  const colWidths = head.map((h, i) => rows.reduce((w, r) => Math.max(w, stringWidth(r[i] ?? '')), stringWidth(h)) + PADDING);
  const make = (withHead: boolean) =>
    new Table({ ...(withHead ? { head: [...head] } : {}), colWidths, style: { head: [], border: [], compact: true }, wordWrap: false });
  if (rows.length <= chunkRows) {
    const t = make(true);
    for (const r of rows) t.push([...r]);
    return t.toString();
  }
  const lines: string[] = [];
  for (let start = 0; start < rows.length; start += chunkRows) {
    const t = make(start === 0);
    for (const r of rows.slice(start, start + chunkRows)) t.push([...r]);
    const part = t.toString().split('\n');
    // the first chunk keeps its top border (and head), the last its bottom border
    const from = start === 0 ? 0 : 1;
    const to = start + chunkRows >= rows.length ? part.length : part.length - 1;
    lines.push(...part.slice(from, to));
  }
  return lines.join('\n');
}
