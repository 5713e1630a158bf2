import { describe, expect, it } from 'vitest';
import { HOST_GLOB, KNOWN_HOSTS_PATTERN, OPENSSH_PATTERN, PATH_COMPONENT, WAIVER_GLOB, globToRegExp, isGlob } from '../../src/util/glob.js';

const globMatch = (glob: string, name: string) => globToRegExp(glob, WAIVER_GLOB).test(name);

describe('waiver globs', () => {
  it.each<[string, string, boolean]>([
    ['*', 'anything.at-all', true],
    ['db-*', 'db-1', true],
    ['db-*', 'xdb-1', false],
    ['db-?', 'db-12', false],
    ['db-??', 'db-12', true],
    ['web-[12]', 'web-2', true],
    ['web-[12]', 'web-3', false],
    ['web-[0-9]', 'web-7', true],
    ['web-[!0-9]', 'web-7', false],
    ['web-[!0-9]', 'web-x', true],
    ['a.b', 'aXb', false],
    ['a.b', 'a.b', true],
    ['(x)+$', '(x)+$', true],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['[', '[', true],
    ['DB-*', 'db-1', false],
  ])('%s ~ %s -> %s', (glob, name, want) => expect(globMatch(glob, name)).toBe(want));
});

describe('the other syntaxes', () => {
  it.each([
    [HOST_GLOB, 'web[0-9]', 'web3', true],
    [HOST_GLOB, 'web[!0-9]', 'webx', true],
    [HOST_GLOB, 'a\\b', 'a\\b', true], // no backslash escapes in --limit: a literal backslash
    [OPENSSH_PATTERN, 'web[12]', 'web1', false], // match_pattern has no sets: "[" is literal
    [OPENSSH_PATTERN, 'web[12]', 'web[12]', true],
    [OPENSSH_PATTERN, 'Web*', 'web1', false],
    [KNOWN_HOSTS_PATTERN, 'Web*.Example', 'web1.example', true],
    [PATH_COMPONENT, '*.conf', 'a.conf', true],
    [PATH_COMPONENT, '*', 'a/b', false],
    [PATH_COMPONENT, '[!a]x', '/x', false],
    [PATH_COMPONENT, '[^a]x', 'bx', true],
    [WAIVER_GLOB, 'db-*', 'db-1\nx', true], // one name is one string, newlines included
  ])('%o %s ~ %s -> %s', (syntax, glob, name, want) => expect(globToRegExp(glob, syntax).test(name)).toBe(want));

  it('tells a glob from a plain name', () => {
    expect([isGlob('web*'), isGlob('web?'), isGlob('web[1]'), isGlob('web-1')]).toEqual([true, true, true, false]);
  });
});
