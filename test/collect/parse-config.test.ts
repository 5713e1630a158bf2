import { describe, expect, it } from 'vitest';
import { PYTHON_JSON_MAX_DEPTH, parseConfigBytes } from '../../src/collect/parse-config.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('parseConfigBytes', () => {
  it('accepts strict JSON and returns the value', () => {
    expect(parseConfigBytes(bytes('{"a": [1, "x"], "b": true}\n'))).toEqual({ ok: true, value: { a: [1, 'x'], b: true } });
  });

  const failures: [string, Uint8Array, string, number | null, number | null][] = [
    ['a UTF-8 BOM', new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{}')]), 'bom', 1, 1],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]), 'not_utf8', null, null],
    ['a line comment', bytes('{\n  // why\n  "a": 1\n}'), 'comments', 2, 3],
    ['a block comment', bytes('{ /* x */ "a": 1 }'), 'comments', 1, 3],
    ['a trailing comma in an object', bytes('{\n  "a": 1,\n}'), 'trailing_comma', 3, 1],
    ['a trailing comma in an array', bytes('{"a": [1, 2, ]}'), 'trailing_comma', 1, 14],
    ['an empty file', bytes(''), 'empty', 1, 1],
    ['whitespace only', bytes('  \n'), 'empty', 1, 1],
    ['a missing comma', bytes('{"a": 1\n "b": 2}'), 'syntax', 2, 2],
    ['single quotes', bytes("{'a': 1}"), 'syntax', 1, 2],
    ['binary garbage', new Uint8Array([0x00, 0x01, 0x02, 0x7f]), 'syntax', null, null],
    // Python's json stops with RecursionError near 1,000 levels; the client must not overflow either
    ['arrays nested 100,000 deep', bytes(`{"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`), 'too_deep', 1, 996],
    ['objects nested 991 deep', bytes('{"a":'.repeat(991) + '1' + '}'.repeat(991)), 'too_deep', 1, 4951],
  ];
  it('reads nesting up to the limit, and ignores brackets inside strings', () => {
    const deep = `${'['.repeat(PYTHON_JSON_MAX_DEPTH)}${']'.repeat(PYTHON_JSON_MAX_DEPTH)}`;
    expect(parseConfigBytes(bytes(deep)).ok).toBe(true);
    const tricky = { a: `${'['.repeat(5000)}\\"{[` };
    expect(parseConfigBytes(bytes(JSON.stringify(tricky)))).toEqual({ ok: true, value: tricky });
  });

  it.each(failures)('rejects %s', (_name, input, kind, line, column) => {
    const r = parseConfigBytes(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe(kind);
    if (line !== null) expect(r.line).toBe(line);
    if (column !== null) expect(r.column).toBe(column);
    expect(r.message.length).toBeGreaterThan(5);
  });

  it('accepts a top level that is not an object (a rule judges that, not the parser)', () => {
    expect(parseConfigBytes(bytes('[1]'))).toEqual({ ok: true, value: [1] });
  });
});
