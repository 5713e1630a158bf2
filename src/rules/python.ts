// What the extension's Python 3 makes of a value json.load gave it: int(), min() and the exception
// each raises. The extension's get_config catches ValueError and KeyError (the config counts as not
// loaded: 305) and nothing else (anything else is 304), so which exception a value raises decides the
// code. Judged on the jump box from the parsed config; test/rules/python.test.ts holds every case to
// the local python3. Python 2 differs (min() of a string and a number does not raise there); the
// extension runs Python 3 wherever a VM has one. Pure.
import { showValue } from './helpers.js';

export type PyRaises = 'ValueError' | 'TypeError' | 'OverflowError';
export type PyOutcome<T> = { ok: true; value: T } | { ok: false; raises: PyRaises; message: string };

// What int() strips around a number: ASCII \t\n\v\f\r and space, and non-ASCII str.isspace()
// characters (CPython maps those to spaces first; U+001C..U+001F it keeps, and then rejects).
// JavaScript's \s differs: it has U+FEFF and lacks U+0085.
const PY_SPACE = '\\t\\n\\v\\f\\r\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
// int(str): sign, decimal digits of any script (Unicode Nd), single underscores between digits
const PY_INT_TEXT = new RegExp(`^[${PY_SPACE}]*([+-]?)(\\p{Nd}+(?:_\\p{Nd}+)*)[${PY_SPACE}]*$`, 'u');
const ND = /\p{Nd}/u;

/** The value of one Unicode decimal digit: its offset in its run of ten (runs start at a 0). */
function digitValue(ch: string): number {
  const cp = ch.codePointAt(0)!;
  let start = cp;
  while (start > 0 && ND.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** Python's int(s) for a str; the value as a JavaScript number (exact up to 2^53, enough to compare). */
export function pyIntOfString(s: string): PyOutcome<number> {
  const m = PY_INT_TEXT.exec(s);
  if (!m) return { ok: false, raises: 'ValueError', message: `invalid literal for int() with base 10: ${JSON.stringify(s)}` };
  let n = 0;
  for (const ch of m[2]!.replace(/_/g, '')) n = n * 10 + digitValue(ch);
  return { ok: true, value: m[1] === '-' && n !== 0 ? -n : n };
}

/** Python's int(v) for a value of json.load (bool, int, float, str, None, list, dict). */
export function pyInt(v: unknown): PyOutcome<number> {
  if (typeof v === 'boolean') return { ok: true, value: v ? 1 : 0 };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { ok: false, raises: 'ValueError', message: 'cannot convert float NaN to integer' };
    if (!Number.isFinite(v)) return { ok: false, raises: 'OverflowError', message: 'cannot convert float infinity to integer' };
    return { ok: true, value: Math.trunc(v) };
  }
  if (typeof v === 'string') return pyIntOfString(v);
  return { ok: false, raises: 'TypeError', message: `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(v)}'` };
}

/** Python's min(v, bound): numbers (bool included) compare; anything else raises TypeError. */
export function pyMin(v: unknown, bound: number): PyOutcome<number> {
  if (typeof v === 'boolean') return { ok: true, value: Math.min(v ? 1 : 0, bound) };
  if (typeof v === 'number') return { ok: true, value: bound < v ? bound : v }; // min(nan, b) is nan
  return { ok: false, raises: 'TypeError', message: `'<' not supported between instances of 'int' and '${pyTypeName(v)}'` };
}

/** The Python type json.load gives for a JSON value (numbers: int when integral and written so). */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/**
 * How the extension's get_config ends for a config object, in its order (ScriptRunner.py:81-117 at
 * b7eecd4): `loaded`, or the exception that stops it. A caught one (KeyError, ValueError) means 305,
 * unless its handler itself raises: the handlers concatenate pluginName, so a pluginName that is not
 * a string (read at line 88) turns them into TypeError, which is 304.
 */
export type GetConfigEnd =
  | { loaded: true }
  | { loaded: false; code: 305; why: string }
  | { loaded: false; code: 304; why: string };

function describe(v: unknown): string {
  return typeof v === 'string' ? `the string ${showValue(v)}` : showValue(v);
}

export function getConfigEnd(cfg: Record<string, unknown>, maxTimeout = 1800): GetConfigEnd {
  if ('timeoutInSeconds' in cfg) {
    const t = pyMin(cfg['timeoutInSeconds'], maxTimeout);
    if (!t.ok) return { loaded: false, code: 304, why: `timeoutInSeconds is ${describe(cfg['timeoutInSeconds'])}: Python's min() raises TypeError on it (write a number without quotes)` };
  }
  const nameBreaksHandler = 'pluginName' in cfg && typeof cfg['pluginName'] !== 'string';
  const caught = (why: string): GetConfigEnd =>
    nameBreaksHandler
      ? { loaded: false, code: 304, why: `${why}; its error handler then adds the pluginName ${pyTypeName(cfg['pluginName'])} to a str and raises TypeError` }
      : { loaded: false, code: 305, why };
  for (const key of ['preScriptLocation', 'postScriptLocation']) {
    if (!(key in cfg)) return caught(`${key} is missing (KeyError)`);
  }
  if ('ScriptsExecutionPollTimeSeconds' in cfg) {
    const p = pyInt(cfg['ScriptsExecutionPollTimeSeconds']);
    const what = `ScriptsExecutionPollTimeSeconds is ${describe(cfg['ScriptsExecutionPollTimeSeconds'])}: Python's int() raises ${p.ok ? '' : p.raises} on it`;
    if (!p.ok && p.raises === 'ValueError') return caught(what);
    if (!p.ok) return { loaded: false, code: 304, why: what };
  }
  return { loaded: true };
}

/**
 * Why ConfigParser.get() would raise on this value (the extension's parser interpolates: a lone
 * `%`, or `%(name)s` naming no key of the section), or null. PluginHost.py:117-130.
 */
export function configParserGetError(value: string, section: Record<string, string>): string | null {
  const re = /%(%|\(([^)]*)\)s|)/g;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    if (m[1] === '%') continue;
    if (m[2] === undefined) return "a '%' that is not '%%' or '%(name)s': ConfigParser's interpolation raises";
    if (!(m[2].toLowerCase() in section)) return `'%(${m[2]})s' names no key of [pre_post]: ConfigParser's interpolation raises`;
  }
  return null;
}
