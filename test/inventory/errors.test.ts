import { describe, expect, it } from 'vitest';
import { formatIssue, InventoryError } from '../../src/inventory/errors.js';

describe('formatIssue', () => {
  it.each([
    [{ line: 7, column: 5, field: 'hosts[1].prot', message: 'unknown field "prot"' }, 'inventory.yaml:7: hosts[1].prot: unknown field "prot"'],
    [{ line: 3, column: 1, field: null, message: 'YAML syntax error: x' }, 'inventory.yaml:3: YAML syntax error: x'],
    [{ line: null, column: null, field: null, message: 'cannot read inventory file: no such file' }, 'inventory.yaml: cannot read inventory file: no such file'],
  ])('%j', (issue, expected) => {
    expect(formatIssue('inventory.yaml', issue)).toBe(expected);
  });
});

describe('InventoryError', () => {
  it('takes its location from the first issue and lists every issue in the message', () => {
    const e = new InventoryError('inv.yaml', [
      { line: 2, column: 3, field: 'hosts[0].host', message: 'a' },
      { line: 9, column: 1, field: 'hosts[1].port', message: 'b' },
    ]);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('InventoryError');
    expect(e).toMatchObject({ code: 'INVENTORY_INVALID', file: 'inv.yaml', line: 2, column: 3, field: 'hosts[0].host' });
    expect(e.message).toBe('inv.yaml:2: hosts[0].host: a\ninv.yaml:9: hosts[1].port: b');
    expect(e.issues).toHaveLength(2);
  });

  it('accepts a single issue and keeps a cause', () => {
    const cause = new Error('ENOENT');
    const e = new InventoryError('x.yaml', { line: null, column: null, field: null, message: 'gone' }, { cause });
    expect(e.message).toBe('x.yaml: gone');
    expect(e.cause).toBe(cause);
    expect([e.line, e.column, e.field]).toEqual([null, null, null]);
  });
});
