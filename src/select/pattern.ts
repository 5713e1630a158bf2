// --limit PATTERN: which inventory hosts a run covers, in the syntax of Ansible's host patterns.
// Pure: no I/O, no CLI; the CLI turns a SelectionError into exit 2.
//
//   web1                   the host named web1, or every member of the group web1
//   web*  db?  vm[0-3]     globs (fnmatch: * ? [abc] [!abc]) over host names and group names
//   ~web\d+                a regular expression, anchored at the start, over host and group names
//   tag:db  tag:env=prod   hosts with that tag (globs allowed: tag:env=*)
//   group:web  host:web    only a group / only a host name (when a host and a group share a name)
//   all  *                 every host
//   a,b  a:b               union
//   a:&b                   intersection (hosts in a that are also in b)
//   a:!b                   exclusion (hosts in a that are not in b)
//
// As in Ansible, unions are taken first, then each `&` term intersects, then each `!` term removes,
// whatever their order; a pattern with only `&`/`!` terms starts from every host. A pattern with a
// comma is split on commas only (so a regex or a name may hold colons); otherwise on colons, except
// the colon of a `tag:`/`group:`/`host:` prefix and colons inside [...]. Every term must match at
// least one host of the inventory (a misspelt exclusion must not silently keep a host), and the
// whole pattern must select at least one host.
import { suggestionSuffix } from '../util/did-you-mean.js';
import { InputError } from '../errors.js';
import { HOST_GLOB, globToRegExp } from '../util/glob.js';

/** What selection needs of a host. */
export interface Selectable {
  name: string;
  groups: readonly string[];
  tags: readonly string[];
}

export type TermOp = 'union' | 'intersect' | 'exclude';
export type TermKind = 'all' | 'any' | 'host' | 'group' | 'tag' | 'regex';

export interface Term {
  /** the term as written, with its & or ! */
  text: string;
  op: TermOp;
  kind: TermKind;
  /** the name, glob, tag or regex source after any prefix */
  value: string;
  /** value has glob characters */
  glob: boolean;
}

/** A --limit that cannot be parsed or that selects nothing. */
export class SelectionError extends InputError {
  constructor(message: string, flag: 'limit' | 'shard' = 'limit') {
    super(flag === 'limit' ? 'LIMIT' : 'SHARD', message, { flag });
  }
}

const PREFIXES = ['tag', 'group', 'host'] as const;
const GLOB_CHARS = /[*?[]/;

/** Splits a pattern into its terms (see the header for the rules). */
export function splitPattern(pattern: string): string[] {
  if (pattern.includes(',')) return pattern.split(',').map((t) => t.trim());
  const out: string[] = [];
  let i = 0;
  while (i <= pattern.length) {
    let j = i;
    while (j < pattern.length && (pattern[j] === '&' || pattern[j] === '!')) j++;
    // a tag:/group:/host: prefix keeps its colon
    for (const p of PREFIXES) {
      if (pattern.startsWith(p + ':', j)) {
        j += p.length + 1;
        break;
      }
    }
    let depth = 0;
    while (j < pattern.length && !(pattern[j] === ':' && depth === 0)) {
      if (pattern[j] === '[') depth++;
      else if (pattern[j] === ']' && depth > 0) depth--;
      j++;
    }
    out.push(pattern.slice(i, j).trim());
    i = j + 1;
  }
  return out;
}

/** Parses a pattern into terms; throws SelectionError on a malformed one. */
export function parsePattern(pattern: string): Term[] {
  if (pattern.trim() === '') throw new SelectionError('--limit is empty: give host names, groups, tag:TAG or globs (e.g. --limit "web*:&prod")');
  const terms: Term[] = [];
  for (const raw of splitPattern(pattern)) {
    if (raw === '') continue; // "a,,b" or a trailing separator
    let op: TermOp = 'union';
    let rest = raw;
    if (rest.startsWith('&')) {
      op = 'intersect';
      rest = rest.slice(1);
    } else if (rest.startsWith('!')) {
      op = 'exclude';
      rest = rest.slice(1);
    }
    rest = rest.trim();
    if (rest === '') throw new SelectionError(`--limit ${JSON.stringify(pattern)}: "${raw}" must be followed by a host, group or tag`);
    let kind: TermKind = 'any';
    let value = rest;
    const prefix = PREFIXES.find((p) => rest.startsWith(p + ':'));
    if (prefix) {
      kind = prefix;
      value = rest.slice(prefix.length + 1);
      if (value === '') throw new SelectionError(`--limit ${JSON.stringify(pattern)}: "${raw}" names no ${prefix}`);
    } else if (rest.startsWith('~')) {
      kind = 'regex';
      value = rest.slice(1);
      try {
        new RegExp(value);
      } catch (e) {
        throw new SelectionError(`--limit ${JSON.stringify(pattern)}: "${raw}" is not a valid regular expression: ${(e as Error).message}`);
      }
    } else if (rest === 'all' || rest === '*') {
      kind = 'all';
    }
    terms.push({ text: raw, op, kind, value, glob: kind !== 'regex' && GLOB_CHARS.test(value) });
  }
  if (terms.length === 0) throw new SelectionError(`--limit ${JSON.stringify(pattern)} has no host, group or tag in it`);
  return terms;
}

function matcher(term: Term): (s: string) => boolean {
  if (term.kind === 'regex') {
    const re = new RegExp(`^(?:${term.value})`);
    return (s) => re.test(s);
  }
  if (term.glob) {
    const re = globToRegExp(term.value, HOST_GLOB);
    return (s) => re.test(s);
  }
  return (s) => s === term.value;
}

/** The hosts one term matches (ignoring its op). */
export function termMatches<T extends Selectable>(hosts: readonly T[], term: Term): T[] {
  if (term.kind === 'all') return [...hosts];
  const m = matcher(term);
  switch (term.kind) {
    case 'host':
      return hosts.filter((h) => m(h.name));
    case 'group':
      return hosts.filter((h) => h.groups.some(m));
    case 'tag':
      return hosts.filter((h) => h.tags.some(m));
    case 'any':
    case 'regex':
      return hosts.filter((h) => m(h.name) || h.groups.some(m));
  }
}

export interface Selection<T> {
  /** the selected hosts, in inventory order */
  hosts: T[];
  /**
   * true when the user named every host individually: each term that adds hosts is an exact host
   * name (no glob, group, tag, regex or `all`), so the run is no larger than what was typed. The
   * --fix guard (--max-changes) stands aside for such a selection.
   */
  explicit: boolean;
}

function suggestion<T extends Selectable>(hosts: readonly T[], term: Term): string {
  const candidates = new Set<string>();
  if (term.kind === 'tag') for (const h of hosts) for (const t of h.tags) candidates.add(t);
  else {
    if (term.kind !== 'group') for (const h of hosts) candidates.add(h.name);
    if (term.kind !== 'host') for (const h of hosts) for (const g of h.groups) candidates.add(g);
  }
  return suggestionSuffix(term.value, candidates);
}

function what(term: Term): string {
  switch (term.kind) {
    case 'tag':
      return 'no host has this tag';
    case 'group':
      return 'no group of that name has hosts';
    case 'host':
      return 'no host of that name';
    case 'regex':
      return 'matches no host or group name';
    default:
      return term.glob ? 'matches no host or group name' : 'no host or group of that name';
  }
}

/**
 * The hosts a pattern (or several, each narrowing the previous: repeated --limit) selects, in
 * inventory order. Throws SelectionError naming every term that matches no host, or saying that
 * the whole pattern selects none.
 */
export function selectHosts<T extends Selectable>(hosts: readonly T[], pattern: string | readonly string[]): Selection<T> {
  const patterns = typeof pattern === 'string' ? [pattern] : [...pattern];
  if (patterns.length === 0) return { hosts: [...hosts], explicit: false };
  const names = new Set(hosts.map((h) => h.name));
  let chosen = new Set<T>(hosts);
  let explicit = false;
  for (const p of patterns) {
    const terms = parsePattern(p);
    const unmatched: string[] = [];
    const matched = terms.map((t) => {
      const m = termMatches(hosts, t);
      if (m.length === 0) unmatched.push(`"${t.text}": ${what(t)}${suggestion(hosts, t)}`);
      return new Set(m);
    });
    if (unmatched.length > 0) {
      throw new SelectionError(`--limit ${JSON.stringify(p)} matches nothing for ${unmatched.join('; ')}`);
    }
    const unions = terms.map((t, i) => [t, matched[i]!] as const).filter(([t]) => t.op === 'union');
    let set: Set<T> = unions.length === 0 ? new Set(hosts) : new Set(unions.flatMap(([, s]) => [...s]));
    terms.forEach((t, i) => {
      if (t.op === 'intersect') set = new Set([...set].filter((h) => matched[i]!.has(h)));
    });
    terms.forEach((t, i) => {
      if (t.op === 'exclude') for (const h of matched[i]!) set.delete(h);
    });
    chosen = new Set([...chosen].filter((h) => set.has(h)));
    if (unions.length > 0 && unions.every(([t]) => (t.kind === 'any' || t.kind === 'host') && !t.glob && names.has(t.value) && (t.kind === 'host' || !hosts.some((h) => h.groups.includes(t.value))))) {
      explicit = true;
    }
  }
  const selected = hosts.filter((h) => chosen.has(h));
  if (selected.length === 0) {
    const shown = patterns.map((p) => JSON.stringify(p)).join(' and ');
    throw new SelectionError(`--limit ${shown} selects no hosts (each part matches some, but together they leave none)`);
  }
  return { hosts: selected, explicit };
}
