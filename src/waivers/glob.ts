// Shell-style globs for host names: `*` any run of characters, `?` one character, `[abc]`, `[a-z]`,
// `[!abc]` one character of (or not of) a set; `\` quotes the next character. Anchored, case-sensitive.

export function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\' && i + 1 < glob.length) re += escapeChar(glob[++i]!);
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (x) => '\\' + x)}]`;
      i = end;
    } else re += escapeChar(c);
  }
  return new RegExp(re + '$', 'u');
}

function escapeChar(c: string): string {
  // only syntax characters: in a 'u' regexp, escaping anything else is an error
  return /[.*+?^${}()|[\]\\/]/.test(c) ? '\\' + c : c;
}

export function globMatch(glob: string, name: string): boolean {
  return globToRegExp(glob).test(name);
}

export function isGlob(s: string): boolean {
  return /[*?[]/.test(s);
}
