import { describe, expect, it } from 'vitest';
import { parsePattern, selectHosts, SelectionError, splitPattern } from '../../src/select/pattern.js';
import { HOST_GLOB, globToRegExp } from '../../src/util/glob.js';

const h = (name: string, groups: string[] = [], tags: string[] = []) => ({ name, groups, tags });

// web1..web3 in prod (web3 also in canary), web4 in staging, db1 in prod, db2 in staging, bastion alone
const HOSTS = [
  h('web1', ['web', 'prod'], ['app', 'env=prod']),
  h('web2', ['web', 'prod'], ['app', 'env=prod']),
  h('web3', ['web', 'prod', 'canary'], ['app', 'env=prod']),
  h('web4', ['web', 'staging'], ['app', 'env=staging']),
  h('db1', ['db', 'prod'], ['db', 'env=prod']),
  h('db2', ['db', 'staging'], ['db', 'env=staging']),
  h('bastion', [], []),
  h('prod', [], []), // a host named like a group
];
const names = (pattern: string | string[]) => selectHosts(HOSTS, pattern).hosts.map((x) => x.name);

describe('splitPattern', () => {
  it.each<[string, string[]]>([
    ['web', ['web']],
    ['web:db', ['web', 'db']],
    ['web:&prod:!web3', ['web', '&prod', '!web3']],
    ['tag:db:!tag:env=staging', ['tag:db', '!tag:env=staging']],
    ['&group:web:host:db1', ['&group:web', 'host:db1']],
    ['vm[1:3]:db', ['vm[1:3]', 'db']],
    ['web, db ,&prod', ['web', 'db', '&prod']],
    ['~web:x,db', ['~web:x', 'db']], // a comma: colons are not separators
  ])('%s', (p, terms) => expect(splitPattern(p)).toEqual(terms));
});

describe('selectHosts', () => {
  it.each<[string | string[], string[]]>([
    ['web1', ['web1']],
    ['web', ['web1', 'web2', 'web3', 'web4']],
    ['web1,db2', ['web1', 'db2']],
    ['db2:web1', ['web1', 'db2']], // inventory order, not pattern order
    ['web*', ['web1', 'web2', 'web3', 'web4']],
    ['web?', ['web1', 'web2', 'web3', 'web4']],
    ['web[13]', ['web1', 'web3']],
    ['web[!13]', ['web2', 'web4']],
    ['web[2-3]', ['web2', 'web3']],
    ['*', HOSTS.map((x) => x.name)],
    ['all', HOSTS.map((x) => x.name)],
    ['all:!prod', ['web4', 'db2', 'bastion']], // "prod" is the group and the host
    ['web:&prod', ['web1', 'web2', 'web3']],
    ['web:&prod:!web3', ['web1', 'web2']],
    ['!web3:web:&prod', ['web1', 'web2']], // order of terms does not matter
    ['!staging', ['web1', 'web2', 'web3', 'db1', 'bastion', 'prod']], // only exclusions: from all
    ['&prod', ['web1', 'web2', 'web3', 'db1', 'prod']],
    ['tag:db', ['db1', 'db2']],
    ['tag:env=prod', ['web1', 'web2', 'web3', 'db1']],
    ['tag:env=*:!tag:env=prod', ['web4', 'db2']],
    ['tag:app:&tag:env=staging', ['web4']],
    ['group:prod', ['web1', 'web2', 'web3', 'db1']],
    ['host:prod', ['prod']],
    ['prod', ['web1', 'web2', 'web3', 'db1', 'prod']],
    ['~web[12]', ['web1', 'web2']],
    ['~(web|db)1', ['web1', 'db1']],
    ['~sta', ['web4', 'db2']], // group names too
    ['canary,db1', ['web3', 'db1']],
    ['web,,db', ['web1', 'web2', 'web3', 'web4', 'db1', 'db2']],
    [['prod', 'web'], ['web1', 'web2', 'web3']], // repeated --limit: each narrows
    [['web', '!web1'], ['web2', 'web3', 'web4']],
  ])('%j', (p, expected) => expect(names(p)).toEqual(expected));

  it.each<[string, RegExp]>([
    ['wbe1', /"wbe1": no host or group of that name \(did you mean "web1"\?\)/],
    ['web:!wbe3', /"!wbe3": no host or group of that name \(did you mean "web3"\?\)/],
    ['web:&prdo', /"&prdo".*did you mean "prod"/],
    ['tag:dbb', /"tag:dbb": no host has this tag \(did you mean "db"\?\)/],
    ['group:web1', /"group:web1": no group of that name has hosts/],
    ['host:web', /"host:web": no host of that name/],
    ['zz*', /"zz\*": matches no host or group name/],
    ['~zz', /"~zz": matches no host or group name/],
    ['web:&db', /--limit "web:&db" selects no hosts/],
    ['web1:!web1', /selects no hosts/],
    ['', /--limit is empty/],
    ['  ', /--limit is empty/],
    ['web:&', /"&" must be followed/],
    ['!', /"!" must be followed/],
    ['tag:', /names no tag/],
    [',', /has no host, group or tag/],
    ['~web(', /not a valid regular expression/],
  ])('%j is an error', (p, message) => {
    expect(() => selectHosts(HOSTS, p)).toThrow(SelectionError);
    expect(() => selectHosts(HOSTS, p)).toThrow(message);
  });

  it('names every term that matches nothing', () => {
    expect(() => selectHosts(HOSTS, 'wbe1:dbx:web2')).toThrow(/"wbe1".*; "dbx"/);
  });

  it('selecting nothing across repeated --limit is an error', () => {
    expect(() => selectHosts(HOSTS, ['web', 'db'])).toThrow(/--limit "web" and "db" selects no hosts/);
  });

  it('an empty list of patterns selects every host, not explicitly', () => {
    expect(selectHosts(HOSTS, [])).toEqual({ hosts: HOSTS, explicit: false });
  });

  it('returns the very host objects, in inventory order', () => {
    const r = selectHosts(HOSTS, 'db1,web1');
    expect(r.hosts[0]).toBe(HOSTS[0]);
    expect(r.hosts[1]).toBe(HOSTS[4]);
  });
});

describe('explicit selection (lifts the --fix guard)', () => {
  it.each<[string | string[], boolean]>([
    ['web1', true],
    ['web1,db2', true],
    ['host:prod', true],
    ['web1:web2:!web2', true],
    ['web1:&prod', true],
    [['web', 'web1'], true],
    ['web', false], // a group
    ['prod', false], // a host, but also a group
    ['web*', false],
    ['web[12]', false],
    ['~web1', false],
    ['tag:db', false],
    ['all', false],
    ['*', false],
    ['!web3', false], // everything but one host
    ['&prod', false],
    ['web1,web', false],
  ])('%j -> %s', (p, explicit) => expect(selectHosts(HOSTS, p).explicit).toBe(explicit));
});

describe('parsePattern', () => {
  it('records op, kind and glob', () => {
    expect(parsePattern('web*:&tag:db:!host:x:~a.b:all')).toEqual([
      { text: 'web*', op: 'union', kind: 'any', value: 'web*', glob: true },
      { text: '&tag:db', op: 'intersect', kind: 'tag', value: 'db', glob: false },
      { text: '!host:x', op: 'exclude', kind: 'host', value: 'x', glob: false },
      { text: '~a.b', op: 'union', kind: 'regex', value: 'a.b', glob: false },
      { text: 'all', op: 'union', kind: 'all', value: 'all', glob: false },
    ]);
  });
});

describe('globToRegExp', () => {
  it.each<[string, string, boolean]>([
    ['a.b', 'a.b', true],
    ['a.b', 'axb', false],
    ['a*', 'a', true],
    ['a*', 'a.b/c', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['[ab]x', 'bx', true],
    ['[!ab]x', 'bx', false],
    ['[!ab]x', 'cx', true],
    ['a[', 'a[', true],
    ['(x)+', '(x)+', true],
    ['a^b$', 'a^b$', true],
  ])('%s ~ %s: %s', (glob, s, ok) => expect(globToRegExp(glob, HOST_GLOB).test(s)).toBe(ok));
});
