// The one error an inventory load throws. It carries every problem found, located in the file.
import { InputError } from '../errors.js';

/** One problem, located where the YAML node that causes it starts (1-based line and column). */
export interface InventoryIssue {
  line: number | null;
  column: number | null;
  /** path of the offending field, e.g. `hosts[1].port`, `groups.prod.rules.script-interpreter` */
  field: string | null;
  message: string;
}

/** `file:line: field: message` (parts that are null are left out). */
export function formatIssue(file: string, issue: InventoryIssue): string {
  let out = file;
  if (issue.line !== null) out += `:${issue.line}`;
  out += ': ';
  if (issue.field !== null && issue.field !== '') out += `${issue.field}: `;
  return out + issue.message;
}

export class InventoryError extends InputError {
  /** the inventory file, as the caller named it */
  declare readonly file: string;
  /** location and field of the first issue */
  readonly column: number | null;
  readonly field: string | null;
  /** every problem found, in file order; the message has one line per issue */
  readonly issues: readonly InventoryIssue[];

  constructor(file: string, issues: InventoryIssue | InventoryIssue[], options?: { cause?: unknown }) {
    const list = Array.isArray(issues) ? issues : [issues];
    if (list.length === 0) list.push({ line: null, column: null, field: null, message: 'invalid inventory' });
    const first = list[0]!;
    super('INVENTORY_INVALID', list.map((i) => formatIssue(file, i)).join('\n'), { file, line: first.line, cause: options?.cause });
    this.column = first.column;
    this.field = first.field;
    this.issues = list;
  }
}
