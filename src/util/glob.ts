// The one glob-to-RegExp conversion, with the syntax of each place that takes globs:
// --limit host patterns and waivers (fnmatch: * ? [set]), ssh_config Host and known_hosts patterns
// (OpenSSH's match_pattern: * and ? only), and ssh_config Include paths (per path component).

export interface GlobSyntax {
  /** `[abc]`, `[a-z]`, `[!abc]` sets (OpenSSH's host patterns have none) */
  sets: boolean;
  /** `[^abc]` negates a set too, as well as `[!abc]` */
  caretNegates?: boolean;
  /** `\` makes the next character literal */
  backslash?: boolean;
  /** `*`, `?` and sets never match this character (a path component's glob: '/') */
  separator?: string;
  caseInsensitive?: boolean;
}

/** fnmatch-style, for --limit host patterns */
export const HOST_GLOB: GlobSyntax = { sets: true };
/** host patterns in a waivers file: fnmatch with `[^...]` and `\` escapes */
export const WAIVER_GLOB: GlobSyntax = { sets: true, caretNegates: true, backslash: true };
/** OpenSSH's match_pattern (ssh_config Host/Match host): `*` any run, `?` one character, case-sensitive */
export const OPENSSH_PATTERN: GlobSyntax = { sets: false };
/** known_hosts host patterns: match_pattern on the lowercased name */
export const KNOWN_HOSTS_PATTERN: GlobSyntax = { sets: false, caseInsensitive: true };
/** one component of an ssh_config Include path (glob(3)) */
export const PATH_COMPONENT: GlobSyntax = { sets: true, caretNegates: true, separator: '/' };

function literal(c: string): string {
  // only syntax characters: in a 'u' RegExp, escaping anything else is an error
  return /[.*+?^${}()|[\]\\/]/.test(c) ? '\\' + c : c;
}

/** An anchored RegExp for `glob`, as `syntax` reads it. */
export function globToRegExp(glob: string, syntax: GlobSyntax): RegExp {
  const not = syntax.separator === undefined ? '' : literal(syntax.separator);
  const any = not === '' ? '.' : `[^${not}]`;
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += `${any}*`;
    else if (c === '?') re += any;
    else if (c === '\\' && syntax.backslash && i + 1 < glob.length) re += literal(glob[++i]!);
    else if (c === '[' && syntax.sets) {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith('!') || (syntax.caretNegates === true && body.startsWith('^'));
      if (negate) body = body.slice(1);
      const set = body.replace(/[\\\]^]/g, (x) => '\\' + x);
      re += negate ? `[^${set}${not}]` : not === '' ? `[${set}]` : `(?!${not})[${set}]`;
      i = end;
    } else re += literal(c);
  }
  return new RegExp(`^(?:${re})$`, syntax.caseInsensitive ? 'sui' : 'su');
}

/** Whether `s` has glob characters at all (a plain name is matched as a name, faster). */
export function isGlob(s: string): boolean {
  return /[*?[]/.test(s);
}
