// Finds bash-only constructs in a script the extension will run as `sh <path>` (dash on Debian and
// Ubuntu). `sh -n` on the VM catches what dash cannot parse (arrays, `function f {`, `<<<`); these
// parse fine and go wrong only when run. Pure: the collector ships the script's text, this reads it.
//
// Checked against dash 0.5.12 by running `<line>; exit 0` under sh: "aborts" constructs make dash
// stop the script with exit 2 whatever follows (the extension's 300/301); the others fail as one
// command (exit 127 or a false test) and the script goes on, unless `set -e` stops it there.

export interface Bashism {
  /** 1-based line of the script */
  line: number;
  /** what was found, as written in the script (trimmed to 60 characters) */
  text: string;
  /** what it is and what dash does with it */
  what: string;
  /** dash stops the whole script with exit 2 */
  aborts: boolean;
}

interface Pattern {
  re: RegExp;
  what: string;
  aborts: boolean;
}

// Word boundary at a command position: start of line or after ; & | ( ! { or `then`/`do`/...
const CMD = String.raw`(?:^\s*|[;&|(!{]\s*|\b(?:then|do|else|elif|if|while|until)\s+)`;

const PATTERNS: Pattern[] = [
  { re: /\$\{!?[A-Za-z_][A-Za-z0-9_]*\/\/?/, what: 'pattern substitution ${var/a/b}: dash stops with "Bad substitution"', aborts: true },
  // ${var:1} and ${var: -1} (a space before the minus: ${var:-1} is POSIX's default value)
  { re: /\$\{[A-Za-z_][A-Za-z0-9_]*:(\s*\d|\s+-\d|\s*\()/, what: 'substring ${var:offset:length}: dash stops with "Bad substitution"', aborts: true },
  { re: /\$\{[A-Za-z_][A-Za-z0-9_]*(?:\^\^?|,,?)\}/, what: 'case conversion ${var^^} / ${var,,}: dash stops with "Bad substitution"', aborts: true },
  { re: /\$\{![A-Za-z_][A-Za-z0-9_]*[}@*[]/, what: 'indirect expansion ${!var}: dash stops with "Bad substitution"', aborts: true },
  { re: /\$\(\([^)]*\*\*/, what: 'exponent ** in $(( )): dash stops with an arithmetic error', aborts: true },
  { re: new RegExp(`${CMD}set\\s+(?:[-+][a-zA-Z]*\\s+)*-[a-zA-Z]*o\\s*pipefail\\b`), what: 'set -o pipefail: dash stops with "Illegal option -o pipefail"', aborts: true },
  { re: new RegExp(`${CMD}\\[\\[\\s`), what: '[[ ]] test: dash has no [[ ("[[: not found", exit 127), so the test is always false', aborts: false },
  { re: new RegExp(`${CMD}source\\s`), what: 'source: dash has only "." ("source: not found"), so the file is not read', aborts: false },
  { re: new RegExp(`${CMD}(?:declare|typeset|shopt|mapfile|readarray|pushd|popd|let)\\b`), what: 'a bash builtin dash does not have ("not found", exit 127)', aborts: false },
  { re: /(?:^|[\s;])(?:\[|test)\s[^\]]*\s==\s/, what: '== in [ ]: dash\'s test wants = ("unexpected operator"), so the test is false', aborts: false },
  { re: /[^&>|]&>(?!&)/, what: '&> redirection: dash runs the command in the background and truncates the file', aborts: false },
];

/**
 * A line with single-quoted text and comments blanked (their content is never run as code). `state`
 * carries an open quote from one line to the next: a quoted sed or awk program spans lines.
 */
function codeOf(line: string, state: { quote: "'" | '"' | null }): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (state.quote === "'") {
      if (c === "'") state.quote = null;
      out += ' ';
      continue;
    }
    if (c === '\\') {
      out += c + (line[i + 1] ?? '');
      i++;
      continue;
    }
    if (state.quote === '"') {
      if (c === '"') state.quote = null;
      out += c;
      continue;
    }
    if (c === "'" || c === '"') {
      state.quote = c;
      out += c === '"' ? c : ' ';
      continue;
    }
    if (c === '#' && (i === 0 || /[\s;&|(]/.test(line[i - 1]!))) break;
    out += c;
  }
  return out;
}

/** Heredoc delimiters opened on a line (`<<EOF`, `<<-'EOF'`, `<< "EOF"`). */
function heredocs(code: string, raw: string): string[] {
  const out: string[] = [];
  const re = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/g;
  // the delimiter may be quoted, which codeOf blanked: read it from the raw line
  for (let m = re.exec(raw); m !== null; m = re.exec(raw)) {
    if (code.includes('<<')) out.push(m[2]!);
  }
  return out;
}

/** The bash-only constructs of a script, at most `limit` of them, first occurrence of each kind per line. */
export function findBashisms(text: string, limit = 20): Bashism[] {
  const found: Bashism[] = [];
  const lines = text.split('\n');
  let pending: string[] = [];
  const state: { quote: "'" | '"' | null } = { quote: null };
  for (let n = 0; n < lines.length && found.length < limit; n++) {
    const raw = lines[n]!.replace(/\r$/, '');
    if (pending.length > 0) {
      // inside a heredoc body: data for a command, not code (expansions there are rare in hooks)
      if (raw.replace(/^\t+/, '') === pending[0]) pending = pending.slice(1);
      continue;
    }
    if (n === 0 && raw.startsWith('#!')) continue;
    const inDoubleQuotes = state.quote === '"';
    const code = codeOf(raw, state);
    if (code.trim() === '') continue;
    for (const p of PATTERNS) {
      // a line that starts inside a double-quoted string is text up to the closing quote
      const m = p.re.exec(inDoubleQuotes ? code.slice(code.indexOf('"') + 1) : code);
      if (!m) continue;
      found.push({ line: n + 1, text: raw.trim().slice(0, 60), what: p.what, aborts: p.aborts });
      if (found.length >= limit) break;
    }
    pending = heredocs(code, raw);
  }
  return found;
}
