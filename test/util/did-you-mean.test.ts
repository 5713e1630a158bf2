import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggestionSuffix } from '../../src/util/did-you-mean.js';

describe('editDistance (optimal string alignment)', () => {
  it.each([
    ['', '', 0],
    ['port', 'port', 0],
    ['', 'abc', 3],
    ['prot', 'port', 1], // transposition
    ['prt', 'port', 1], // deletion
    ['poort', 'port', 1], // insertion
    ['pert', 'port', 1], // substitution
    ['kitten', 'sitting', 3],
    ['ca', 'abc', 3], // OSA, not unrestricted Damerau (which gives 2)
    ['Port', 'port', 1], // case-sensitive
  ])('%j vs %j = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('stops at the limit', () => {
    expect(editDistance('abcdefgh', 'zyxwvuts', 2)).toBe(3);
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
    expect(editDistance('prot', 'port', 2)).toBe(1);
  });
});

const HOST_KEYS = ['name', 'host', 'user', 'port', 'identityFile', 'sudo', 'tags', 'groups'];

describe('didYouMean', () => {
  it.each([
    ['prot', HOST_KEYS, 'port'],
    ['hots', HOST_KEYS, 'host'],
    ['usr', HOST_KEYS, 'user'],
    ['IdentityFile', HOST_KEYS, 'identityFile'],
    ['identityfile', HOST_KEYS, 'identityFile'],
    ['identity', HOST_KEYS, 'identityFile'], // a prefix of 3+ characters
    ['tag', HOST_KEYS, 'tags'],
    ['group', HOST_KEYS, 'groups'],
    ['sudoo', HOST_KEYS, 'sudo'],
    ['colour', HOST_KEYS, null],
    ['x', HOST_KEYS, null],
    ['id', HOST_KEYS, null],
    ['alwyas', ['auto', 'always', 'never'], 'always'],
    ['nevr', ['auto', 'always', 'never'], 'never'],
    ['warn', ['off', 'error', 'warning', 'info'], 'warning'],
    ['of', ['off', 'error', 'warning', 'info'], 'off'],
    ['vm-aa', ['vm-a', 'vm-b'], 'vm-a'], // tie between equals goes to the first
    ['port', ['port'], null], // the input itself is not a suggestion
  ] as Array<[string, string[], string | null]>)('%j among %j → %j', (input, candidates, expected) => {
    expect(didYouMean(input, candidates)).toBe(expected);
  });

  it('prefers the closest candidate', () => {
    expect(didYouMean('hostt', ['hosts', 'host'])).toBe('hosts');
    expect(didYouMean('hosx', ['hosts', 'host'])).toBe('host');
  });

  it('words the suffix', () => {
    expect(suggestionSuffix('prot', HOST_KEYS)).toBe(' (did you mean "port"?)');
    expect(suggestionSuffix('zzz', HOST_KEYS)).toBe('');
  });
});
