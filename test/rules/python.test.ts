// pyInt, pyMin and the NaN/Infinity reading of the config, held to the local python3: every value
// json.load can give, as the extension's get_config converts it.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseConfigBytes } from '../../src/collect/parse-config.js';
import { getConfigEnd, pyInt, pyIntOfString, pyMin } from '../../src/rules/python.js';
import { findInPath } from '../../src/fleet/harness.js';

const python = findInPath('python3');

/** JSON texts of values, as a config would hold them */
const VALUES = [
  'null', 'true', 'false', '0', '-5', '3', '2.5', '-2.5', '1e400', '-1e400', 'NaN', 'Infinity', '-Infinity',
  '12345678901234567890123', '"3"', '" 4 "', '"\\t5\\n"', '"2.5"', '"1e3"', '"0x10"', '"+2"', '"-0"', '"1_0"', '"1__0"', '"_1"',
  '"\\uff13"', '"\\u0663"', '"\\ud835\\udfd1"', '"\\u00a07"', '"\\u00857"', '"\\u001c7"', '"\\ufeff7"', '"abc"', '""', '" "', '[]', '{}', '["a"]', '{"a": 1}',
];

const PY = `
import json, sys
out = []
for text in json.load(sys.stdin):
    v = json.loads(text)
    r = {}
    try:
        r['int'] = int(v) if int(v) < 2**53 else 'big'
    except Exception as e:
        r['int'] = e.__class__.__name__
    try:
        m = min(v, 1800)
        r['min'] = 'nan' if m != m else ('big' if m == 1800 and v != 1800 else 'ok')
    except Exception as e:
        r['min'] = e.__class__.__name__
    out.append(r)
print(json.dumps(out))
`;

describe.skipIf(!python)("Python's int() and min() of config values", () => {
  const expected = JSON.parse(execFileSync(python!, ['-c', PY], { input: JSON.stringify(VALUES), encoding: 'utf8' })) as { int: number | string; min: string }[];

  it.each(VALUES.map((v, i) => [v, i] as const))('%s', (text, i) => {
    const parsed = parseConfigBytes(Buffer.from(`{"v": ${text}}`));
    if (!parsed.ok) throw new Error(`${text}: ${parsed.message}`);
    const v = (parsed.value as { v: unknown }).v;
    const int = pyInt(v);
    const gotInt = int.ok ? (Math.abs(int.value) >= 2 ** 53 ? 'big' : int.value) : int.raises;
    expect(gotInt, 'int()').toEqual(expected[i]!.int);
    const min = pyMin(v, 1800);
    const gotMin = min.ok ? (Number.isNaN(min.value) ? 'nan' : min.value === 1800 && v !== 1800 ? 'big' : 'ok') : min.raises;
    expect(gotMin, 'min()').toBe(expected[i]!.min);
  });
});

describe('get_config, in its order', () => {
  const base = { preScriptLocation: '/a', postScriptLocation: '/b' };
  it('loads a config whose values convert', () => {
    expect(getConfigEnd({ ...base, timeoutInSeconds: NaN, ScriptsExecutionPollTimeSeconds: ' 4 ' })).toEqual({ loaded: true });
  });
  it('305 for what it catches, 304 for what it does not', () => {
    expect(getConfigEnd({ preScriptLocation: '/a' })).toMatchObject({ code: 305 });
    expect(getConfigEnd({ ...base, ScriptsExecutionPollTimeSeconds: '2.5' })).toMatchObject({ code: 305 });
    expect(getConfigEnd({ ...base, ScriptsExecutionPollTimeSeconds: [] })).toMatchObject({ code: 304 });
    expect(getConfigEnd({ ...base, ScriptsExecutionPollTimeSeconds: Infinity })).toMatchObject({ code: 304 });
    expect(getConfigEnd({ ...base, timeoutInSeconds: '30' })).toMatchObject({ code: 304 });
  });
  it("a pluginName that is not a string breaks the handler of a caught error: 304", () => {
    expect(getConfigEnd({ pluginName: 3, preScriptLocation: '/a' })).toMatchObject({ code: 304 });
    expect(getConfigEnd({ ...base, pluginName: [], ScriptsExecutionPollTimeSeconds: 'x' })).toMatchObject({ code: 304 });
    expect(getConfigEnd({ ...base, pluginName: 3 })).toEqual({ loaded: true });
  });
});

describe('NaN, Infinity and -Infinity in the config', () => {
  it('are numbers, as json.load reads them, outside strings only', () => {
    const r = parseConfigBytes(Buffer.from('{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN", "d": "\\u0000vmsnap-0-NaN"}'));
    expect(r.ok && r.value).toEqual({ a: NaN, b: [Infinity, -Infinity], c: 'NaN', d: '\u0000vmsnap-0-NaN' });
  });
  it('keep the line and column of a later error', () => {
    const r = parseConfigBytes(Buffer.from('{"a": -Infinity,\n "b": nope}'));
    expect(r).toMatchObject({ ok: false, kind: 'syntax', line: 2, column: 7 });
  });
  it('are not Python constants when misspelt or glued to more', () => {
    for (const t of ['{"a": nan}', '{"a": NaNa}', '{"a": +Infinity}', '{"a": -Infinit}']) expect(parseConfigBytes(Buffer.from(t)).ok, t).toBe(false);
  });
  it('pyIntOfString takes digits of any script', () => {
    expect(pyIntOfString('\u0663\u0664')).toEqual({ ok: true, value: 34 });
  });
});
