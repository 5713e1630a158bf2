// Reads the config bytes the way the extension's json.load does: strict UTF-8 JSON, no BOM,
// no comments, no trailing commas; NaN, Infinity and -Infinity are numbers, as in Python. Pure: the collector ships the bytes, this judges them.
import { parse as parseJsonc, printParseErrorCode, type ParseError, type ParseErrorCode } from 'jsonc-parser';
import type { ConfigParse } from '../model/facts.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// jsonc-parser's ParseErrorCode is a const enum; its values are part of its published API.
const INVALID_COMMENT_TOKEN = 10 as ParseErrorCode;
const PROPERTY_NAME_EXPECTED = 3 as ParseErrorCode;
const VALUE_EXPECTED = 4 as ParseErrorCode;

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function failure(kind: Exclude<ConfigParse, { ok: true }>['kind'], message: string, text?: string, offset?: number): ConfigParse {
  const pos = text !== undefined && offset !== undefined ? lineColumn(text, offset) : null;
  return { ok: false, kind, message, line: pos?.line ?? null, column: pos?.column ?? null };
}

/** A trailing comma: the comma right before the `}`/`]` that jsonc-parser stopped at. */
function isTrailingComma(text: string, err: ParseError): boolean {
  if (err.error !== PROPERTY_NAME_EXPECTED && err.error !== VALUE_EXPECTED) return false;
  const next = text.slice(err.offset).trimStart()[0];
  if (next !== '}' && next !== ']') return false;
  return text.slice(0, err.offset).trimEnd().endsWith(',');
}

/**
 * Python's json gives up with RecursionError a little under 1,000 levels (996 for CPython 3.11 at
 * the top of a stack; the extension calls it from deeper). The extension treats that as a broken
 * config. Also keeps the recursive parser below from overflowing the client's stack.
 */
export const PYTHON_JSON_MAX_DEPTH = 990;

/** Deepest [ / { nesting outside strings, and where it first went past `limit`. */
function nesting(text: string, limit: number): { depth: number; offset: number | null } {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123 /* [ { */) {
      depth++;
      if (depth > max) max = depth;
      if (depth > limit) return { depth: max, offset: i };
    } else if (c === 93 || c === 125 /* ] } */) depth--;
  }
  return { depth: max, offset: null };
}

const PY_CONSTANTS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/**
 * Python's json.load reads NaN, Infinity and -Infinity as numbers (JSON has none of them). One
 * linear pass finds them outside strings; `sameLength` has each as a JSON number padded to the
 * same length (so a later error keeps its line and column) and `parse()` reads the real values.
 */
function pythonConstants(text: string): { sameLength: string; parse: () => unknown } {
  const found: { at: number; token: string }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 78 /* N */ || c === 73 /* I */ || c === 45 /* - */) {
      const token = c === 78 ? 'NaN' : c === 73 ? 'Infinity' : '-Infinity';
      if (text.startsWith(token, i)) {
        found.push({ at: i, token });
        i += token.length - 1;
      }
    }
  }
  if (found.length === 0) return { sameLength: text, parse: () => JSON.parse(text) as unknown };
  const splice = (each: (token: string) => string) => {
    let out = '';
    let from = 0;
    for (const f of found) {
      out += text.slice(from, f.at) + each(f.token);
      from = f.at + f.token.length;
    }
    return out + text.slice(from);
  };
  const sameLength = splice((t) => (t.startsWith('-') ? '-0' : '0').padEnd(t.length, ' '));
  // a marker no string of this text holds: a NUL escape and a nonce
  const taken = new Set(Array.from(text.matchAll(/vmsnap-(\d+)-/g), (m) => Number(m[1])));
  let nonce = 0;
  while (taken.has(nonce)) nonce++;
  const marker = `\\u0000vmsnap-${nonce}-`; // JSON text: a \u0000 escape
  const revive = `\u0000vmsnap-${nonce}-`; // the string JSON.parse makes of it
  return {
    sameLength,
    parse: () =>
      JSON.parse(splice((t) => `"${marker}${t}"`), (_key, v: unknown) =>
        typeof v === 'string' && v.startsWith(revive) && v.slice(revive.length) in PY_CONSTANTS ? PY_CONSTANTS[v.slice(revive.length)] : v,
      ) as unknown,
  };
}

export function parseConfigBytes(bytes: Uint8Array): ConfigParse {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return failure('bom', 'starts with a UTF-8 byte order mark (BOM), which json.loads rejects', '', 0);
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    return { ok: false, kind: 'not_utf8', message: `not valid UTF-8 (first bad byte at offset ${bad})`, line: null, column: null };
  }
  if (text.trim() === '') return failure('empty', 'the file is empty', text, 0);

  const deep = nesting(text, PYTHON_JSON_MAX_DEPTH);
  if (deep.offset !== null) {
    return failure('too_deep', `nests arrays/objects more than ${PYTHON_JSON_MAX_DEPTH} levels deep: Python's json stops with RecursionError`, text, deep.offset);
  }
  const constants = pythonConstants(text);
  const errors: ParseError[] = [];
  parseJsonc(constants.sameLength, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    if (first.error === INVALID_COMMENT_TOKEN) {
      return failure('comments', 'contains a comment; JSON has no comments', text, first.offset);
    }
    if (isTrailingComma(text, first)) {
      return failure('trailing_comma', 'has a trailing comma before a closing bracket', text, first.offset);
    }
    return failure('syntax', `invalid JSON: ${printParseErrorCode(first.error)}`, text, first.offset);
  }
  try {
    return { ok: true, value: constants.parse() };
  } catch (e) {
    // jsonc-parser is more lenient than JSON.parse in a few corners (e.g. control characters)
    return failure('syntax', `invalid JSON: ${(e as Error).message}`);
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  // binary search on the longest valid prefix: good enough for a message, never hot
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return lo;
}
