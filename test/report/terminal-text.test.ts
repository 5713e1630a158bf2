import { describe, expect, it } from 'vitest';
import { forTerminal, printable } from '../../src/report/terminal-text.js';

describe('printable', () => {
  it.each([
    ['plain /etc/azure/pre.sh', 'plain /etc/azure/pre.sh'],
    ['a\nb', 'a\\nb'],
    ['\u001b[2Jclear', '\\x1b[2Jclear'],
    ['bell\u0007', 'bell\\u0007'],
    ['c1\u009b0m', 'c1\\u009b0m'],
    ['rtl\u202eevil', 'rtl\\u202eevil'],
    ['ünïcödé ✓', 'ünïcödé ✓'],
  ])('%j -> %j', (input, out) => expect(printable(input)).toBe(out));
});

describe('forTerminal', () => {
  it('escapes strings at any depth and keeps other values', () => {
    const v = { a: 'x\r', n: 3, b: [{ c: '\u0000' }], d: null, e: true };
    expect(forTerminal(v)).toEqual({ a: 'x\\r', n: 3, b: [{ c: '\\u0000' }], d: null, e: true });
    expect(v.a).toBe('x\r'); // a copy: the report itself is untouched
  });
});
