// Text from a VM (paths, messages, errors) must not drive the operator's terminal: control
// characters could clear the screen, recolour output or forge report lines, and bidi overrides
// could reorder what is shown. Human-facing reporters show them as visible escapes instead.

// C0, DEL, C1, line/paragraph separators, bidi embeddings, overrides and isolates
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\x1b' };

export function printable(s: string): string {
  return s.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A deep copy of `value` with every string made printable (for reporters that write to a terminal). */
export function forTerminal<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return (value as unknown[]).map((v) => forTerminal(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = forTerminal(v);
    return out as T;
  }
  return value;
}
