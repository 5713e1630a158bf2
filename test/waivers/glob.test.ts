import { describe, expect, it } from 'vitest';
import { globMatch } from '../../src/waivers/glob.js';

describe('globMatch', () => {
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
