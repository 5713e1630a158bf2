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

// Every check is linear in the line's length, whatever the line holds: a VM writes these scripts,
// and the scan runs on the event loop that every host's audit shares. Regexes here have no
// quantified part that can rescan text from many starting points; where a construct needs a look
// across the line (`[ ... == ...`, `set ... -o pipefail`, `$(( ... ** ...`), a single pass does it.
// bench/scan-shell.ts times it on adversarial shapes (`node dist/bench/scan-shell.js`).

interface Pattern {
  /** a regex, or a single-pass test over the line */
  re: RegExp | { test(line: string): boolean };
  what: string;
  aborts: boolean;
  /** an expansion: it runs inside double quotes too (commands and redirections do not) */
  expansion?: true;
}

// Word boundary at a command position: start of line or after ; & | ( ! { or `then`/`do`/...
const CMD = String.raw`(?:^\s*|[;&|(!{]\s*|\b(?:then|do|else|elif|if|while|until)\s+)`;
// a parameter: a name or a positional number
const PARAM = String.raw`(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+)`;

/** True when a `$((` has a `**` after it with no `))` between: one pass, like `\$\(\((?:(?!\)\)).)*\*\*`. */
function arithmeticExponent(line: string): boolean {
  let open = false;
  for (let i = 0; i < line.length; i++) {
    if (line.startsWith('$((', i)) {
      open = true;
      i += 2;
    } else if (line.startsWith('))', i)) {
      open = false;
      i += 1;
    } else if (open && line.startsWith('**', i)) return true;
  }
  return false;
}

/** Where the command that starts at `from` ends: the next ; & | or the end of the line. */
function commandEnd(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (c === ';' || c === '&' || c === '|') return i;
  }
  return line.length;
}

/**
 * A builtin at a command position whose words (up to the end of its command) hold an option
 * matching `option`: `set -o pipefail`, `set -eo pipefail`, `export -f`. Each command's words are
 * read once: the start regex only finds where commands begin.
 */
function builtinOption(name: string, option: (words: string[], i: number) => boolean): { test(line: string): boolean } {
  const start = new RegExp(`${CMD}${name}\\s`, 'g');
  return {
    test(line: string): boolean {
      start.lastIndex = 0;
      let searchedTo = 0;
      for (let m = start.exec(line); m !== null; m = start.exec(line)) {
        const from = m.index + m[0].length;
        // a later match inside a command already read reads nothing again (the same words)
        if (from >= searchedTo) {
          const end = commandEnd(line, from);
          const words = line.slice(from, end).split(/\s+/).filter((w) => w !== '');
          for (let i = 0; i < words.length; i++) if (option(words, i)) return true;
          searchedTo = end;
        }
        if (start.lastIndex <= m.index) start.lastIndex = m.index + 1;
      }
      return false;
    },
  };
}

/**
 * `==` inside a `[ ... ]` or `test ...` command: one pass, like
 * `(?:^|[\s;(])(?:\[|test)\s[^\]&|;]*\s==\s` (a `]`, `&`, `|` or `;` ends the test's words).
 */
const doubleEqualsInTest = {
  test(line: string): boolean {
    let inTest = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      const boundary = i === 0 || /[\s;(]/.test(line[i - 1]!);
      // the blank after `[` / `test` is theirs: `== ` must have a blank of its own before it
      if (boundary && c === '[' && /\s/.test(line[i + 1] ?? '')) {
        inTest = true;
        i += 1;
        continue;
      }
      if (boundary && line.startsWith('test', i) && /\s/.test(line[i + 4] ?? '')) {
        inTest = true;
        i += 4;
        continue;
      }
      if (c === ']' || c === '&' || c === '|' || c === ';') {
        inTest = false;
        continue;
      }
      if (inTest && /\s/.test(c) && line.startsWith('==', i + 1) && /\s/.test(line[i + 3] ?? '')) return true;
    }
    return false;
  },
};

const PATTERNS: Pattern[] = [
  { re: new RegExp(String.raw`\$\{!?${PARAM}\/\/?`), what: 'pattern substitution ${var/a/b}: dash stops with "Bad substitution"', aborts: true, expansion: true },
  // ${var:1} and ${var: -1} (a space before the minus: ${var:-1} is POSIX's default value)
  { re: new RegExp(String.raw`\$\{${PARAM}:(\s*\d|\s+-\d|\s*\()`), what: 'substring ${var:offset:length}: dash stops with "Bad substitution"', aborts: true, expansion: true },
  { re: new RegExp(String.raw`\$\{${PARAM}(?:\^\^?|,,?)\}`), what: 'case conversion ${var^^} / ${var,,}: dash stops with "Bad substitution"', aborts: true, expansion: true },
  { re: /\$\{![A-Za-z_][A-Za-z0-9_]*[}@*[]/, what: 'indirect expansion ${!var}: dash stops with "Bad substitution"', aborts: true, expansion: true },
  { re: { test: arithmeticExponent }, what: 'exponent ** in $(( )): dash stops with an arithmetic error', aborts: true, expansion: true },
  {
    re: builtinOption('set', (w, i) => /^-[a-zA-Z]*o(?:pipefail\b|$)/.test(w[i]!) && (/^-[a-zA-Z]*opipefail\b/.test(w[i]!) || /^pipefail\b/.test(w[i + 1] ?? ''))),
    what: 'set -o pipefail: dash stops with "Illegal option -o pipefail"', aborts: true },
  {
    // only options before the first name: `export -n -f f`, not `export x -f`
    re: builtinOption('export', (w, i) => w.slice(0, i).every((x) => x.startsWith('-')) && /^-[a-zA-Z]*f\b/.test(w[i]!)),
    what: 'export -f: dash stops with "Illegal option -f"', aborts: true },
  { re: new RegExp(`${CMD}\\[\\[\\s`), what: '[[ ]] test: dash has no [[ ("[[: not found", exit 127), so the test is always false', aborts: false },
  { re: new RegExp(`${CMD}source\\s`), what: 'source: dash has only "." ("source: not found"), so the file is not read', aborts: false },
  { re: new RegExp(`${CMD}(?:declare|typeset|shopt|mapfile|readarray|pushd|popd|let)\\b`), what: 'a bash builtin dash does not have ("not found", exit 127)', aborts: false },
  { re: doubleEqualsInTest, what: '== in [ ]: dash\'s test wants = ("unexpected operator"), so the test is false', aborts: false },
  { re: /[^&>|<]&>(?!&)/, what: '&> redirection: dash runs the command in the background and truncates the file', aborts: false },
];

type Quote = "'" | '"' | null;

/**
 * A line as code: single-quoted text and comments blanked (their content is never run), and a
 * second copy with double-quoted text blanked too (only expansions run there). Both keep the line's
 * length, so offsets match the raw line. `state` carries an open quote to the next line: a quoted
 * sed or awk program spans lines.
 */
function codeOf(line: string, state: { quote: Quote }): { code: string; bare: string } {
  let code = '';
  let bare = '';
  const put = (c: string, blankInBare: boolean) => {
    code += c;
    bare += blankInBare ? ' '.repeat(c.length) : c;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (state.quote === "'") {
      if (c === "'") state.quote = null;
      code += ' ';
      bare += ' ';
      continue;
    }
    if (c === '\\') {
      put(c + (line[i + 1] ?? ''), state.quote === '"');
      i++;
      continue;
    }
    if (state.quote === '"') {
      if (c === '"') {
        state.quote = null;
        put(c, false);
      } else put(c, true);
      continue;
    }
    if (c === "'") {
      state.quote = c;
      code += ' ';
      bare += ' ';
      continue;
    }
    if (c === '"') {
      state.quote = c;
      put(c, false);
      continue;
    }
    if (c === '#' && (i === 0 || /[\s;&|(]/.test(line[i - 1]!))) break;
    put(c, false);
  }
  return { code, bare };
}

/** Heredoc delimiters opened on a line (`<<EOF`, `<<-'EOF'`), not `<<<` nor a shift in `$(( ))`. */
function heredocs(bare: string, raw: string): string[] {
  const out: string[] = [];
  const re = /<<(?!<)-?/g;
  // `$((` and `))` before each `<<`, counted once across the line (not again for every `<<`)
  let cursor = 0;
  let opens = 0;
  let closes = 0;
  const countTo = (limit: number) => {
    while (cursor < limit) {
      if (bare.startsWith('$((', cursor)) {
        if (cursor + 3 > limit) return; // straddles the limit: counted by a later, longer prefix
        opens++;
        cursor += 3;
      } else if (bare.startsWith('))', cursor)) {
        if (cursor + 2 > limit) return;
        closes++;
        cursor += 2;
      } else cursor++;
    }
  };
  const delimiter = /\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/y;
  for (let m = re.exec(bare); m !== null; m = re.exec(bare)) {
    if (m.index > 0 && bare[m.index - 1] === '<') continue;
    countTo(m.index);
    if (opens > closes) continue; // arithmetic
    // the delimiter may be quoted, which the code copies blanked: read it from the raw line
    delimiter.lastIndex = m.index + m[0].length;
    const d = delimiter.exec(raw);
    if (d) out.push(d[2]!);
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
    const { code, bare } = codeOf(raw, state);
    if (code.trim() === '') continue;
    for (const p of PATTERNS) {
      if (!p.re.test(p.expansion ? code : bare)) continue;
      found.push({ line: n + 1, text: raw.trim().slice(0, 60), what: p.what, aborts: p.aborts });
      if (found.length >= limit) break;
    }
    pending = heredocs(bare, raw);
  }
  return found;
}
