import { chmod, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFieldPath, InventoryError, loadVmsnapInventory, parseInventory } from '../../src/inventory/load.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = '/srv/fleet';
const FILE = `${DIR}/inventory.yaml`;

/** the InventoryError parseInventory throws for `text` (fails the test if it returns) */
function errorOf(text: string, file = FILE): InventoryError {
  try {
    parseInventory(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(InventoryError);
    return e as InventoryError;
  }
  throw new Error(`expected an InventoryError for:\n${text}`);
}

/** YAML text from lines (keeps line numbers in the tables below easy to read) */
const y = (...lines: string[]) => lines.join('\n') + '\n';

describe('parseInventory: resolution', () => {
  it('applies built-in defaults', () => {
    const inv = parseInventory(y('hosts:', '  - name: a', '    host: 10.0.0.4'), FILE);
    expect(inv).toEqual({
      file: FILE,
      hosts: [
        { name: 'a', address: '10.0.0.4', port: 22, user: 'root', identityFile: null, sudo: 'auto', jump: null, explicit: { user: false, port: false }, tags: [], groups: [], ruleSeverity: {} },
      ],
    });
  });

  it('resolves host > group > defaults, field by field', () => {
    const inv = parseInventory(
      y(
        'defaults:',
        '  user: azureuser',
        '  port: 2200',
        '  identityFile: ~/.ssh/id_ed25519',
        '  sudo: always',
        'groups:',
        '  prod:',
        '    hosts: [vm-a, vm-b]',
        '    user: produser',
        '    identityFile: keys/prod',
        '    rules:',
        '      script-interpreter: "off"',
        '      config-mode: warning',
        '  eu:',
        '    sudo: never',
        '    rules: { config-mode: warning, other-rule: info }',
        'hosts:',
        '  - name: vm-a',
        '    host: 10.0.0.4',
        '    user: root',
        '    groups: [eu]',
        '    tags: [db, eu, db]',
        '  - name: vm-b',
        '    host: vm-b.example.com',
        '    identityFile: /abs/key',
        '  - name: vm-c',
        '    host: 10.0.0.6',
        '    port: 22',
        '    identityFile: null',
        '    groups: [eu, prod]',
      ),
      FILE,
    );
    const [a, b, c] = inv.hosts;
    expect(a).toEqual({
      name: 'vm-a',
      address: '10.0.0.4',
      port: 2200,
      user: 'root',
      identityFile: `${DIR}/keys/prod`,
      sudo: 'never',
      jump: null,
      explicit: { user: true, port: true },
      tags: ['db', 'eu'],
      groups: ['prod', 'eu'],
      ruleSeverity: { 'script-interpreter': 'off', 'config-mode': 'warning', 'other-rule': 'info' },
    });
    expect(b).toMatchObject({ user: 'produser', port: 2200, identityFile: '/abs/key', sudo: 'always', groups: ['prod'] });
    expect(c).toMatchObject({ user: 'produser', port: 22, identityFile: null, sudo: 'never', groups: ['prod', 'eu'] });
    expect(inv.hosts.map((h) => h.name)).toEqual(['vm-a', 'vm-b', 'vm-c']);
  });

  it.each([
    ['~/.ssh/id', path.join(os.homedir(), '.ssh/id')],
    ['~', os.homedir()],
    ['./keys/k', `${DIR}/keys/k`],
    ['../other/k', '/srv/other/k'],
    ['k', `${DIR}/k`],
    ['/etc/k', '/etc/k'],
  ])('resolves identityFile %j to %j', (given, expected) => {
    const inv = parseInventory(y('hosts:', `  - { name: a, host: b, identityFile: "${given}" }`), FILE);
    expect(inv.hosts[0]!.identityFile).toBe(expected);
  });

  it('resolves relative identity files against the folder of a relative inventory path', () => {
    const inv = parseInventory(y('hosts:', '  - { name: a, host: b, identityFile: k }'), 'conf/inv.yaml');
    expect(inv.file).toBe(path.resolve('conf/inv.yaml'));
    expect(inv.hosts[0]!.identityFile).toBe(path.resolve('conf/k'));
  });

  it('accepts empty optional sections, groups and lists', () => {
    const inv = parseInventory(
      y('defaults:', 'groups:', '  empty:', 'hosts:', '  - name: a', '    host: b', '    tags:', '    groups: [empty]'),
      FILE,
    );
    expect(inv.hosts[0]).toMatchObject({ tags: [], groups: ['empty'], ruleSeverity: {} });
  });

  it('agreeing groups are not a conflict, and a host setting settles a disagreement', () => {
    const inv = parseInventory(
      y(
        'groups:',
        '  a: { hosts: [h1, h2], user: x, port: 2222, rules: { r: info } }',
        '  b: { hosts: [h1, h2], user: y, port: 2222, rules: { r: info } }',
        'hosts:',
        '  - { name: h1, host: h1, user: me }',
        '  - { name: h2, host: h2, groups: [a], user: you }',
      ),
      FILE,
    );
    expect(inv.hosts.map((h) => [h.user, h.port, h.ruleSeverity])).toEqual([
      ['me', 2222, { r: 'info' }],
      ['you', 2222, { r: 'info' }],
    ]);
  });

  it('accepts IPv6 addresses, DNS names and YAML anchors', () => {
    const hosts = parseInventory(
      y('hosts:', '  - { name: v6, host: 2001:db8::10, tags: &t [a, b] }', '  - { name: dns, host: VM-1.Example.COM, tags: *t }'),
      FILE,
    ).hosts;
    expect(hosts.map((h) => [h.address, h.tags])).toEqual([
      ['2001:db8::10', ['a', 'b']],
      ['VM-1.Example.COM', ['a', 'b']],
    ]);
  });
});

// [case, yaml, line, field, message fragment]
const ERRORS: Array<[string, string, number, string | null, string]> = [
  ['unknown host key, with suggestion', y('hosts:', '  - name: a', '    host: b', '  - name: c', '    host: d', '    prot: 22'), 6, 'hosts[1].prot', 'unknown field "prot" (did you mean "port"?)'],
  ['unknown key, case slip', y('hosts:', '  - name: a', '    host: b', '    IdentityFile: k'), 4, 'hosts[0].IdentityFile', 'did you mean "identityFile"?'],
  ['unknown key, synonym (and no separate "host is missing")', y('hosts:', '  - name: a', '    hostname: b'), 3, 'hosts[0].hostname', 'did you mean "host"?'],
  ['unknown key, no suggestion lists the allowed keys', y('hosts:', '  - name: a', '    host: b', '    zzzzzz: 1'), 4, 'hosts[0].zzzzzz', 'allowed: name, host, user, port, identityFile, sudo, jump, tags, groups'],
  ['unknown top-level key', y('host:', '  - name: a'), 1, 'host', 'did you mean "hosts"?'],
  ['unknown defaults key', y('defaults:', '  usr: x', 'hosts: [{name: a, host: b}]'), 2, 'defaults.usr', 'did you mean "user"?'],
  ['unknown group key', y('groups:', '  g:', '    rule: {}', 'hosts: [{name: a, host: b}]'), 3, 'groups.g.rule', 'did you mean "rules"?'],
  ['YAML syntax error', y('hosts:', '  - name: a', '    host: [b', 'x: 1'), 4, null, 'YAML syntax error'],
  ['YAML duplicate key', y('hosts:', '  - name: a', '    host: b', '    host: c'), 4, null, 'YAML syntax error: Map keys must be unique'],
  ['YAML tab indentation', y('hosts:', '\t- name: a'), 2, null, 'YAML syntax error'],
  ['several documents', y('hosts: []', '---', 'hosts: []'), 2, null, 'YAML syntax error'],
  ['empty file', '', 1, null, 'the inventory is empty'],
  ['comments only', y('# nothing here', ''), 1, null, 'the inventory is empty'],
  ['not a mapping', y('- name: a'), 1, null, 'must be a mapping with a hosts: list, got a list'],
  ['a scalar', y('hello'), 1, null, 'must be a mapping with a hosts: list, got "hello"'],
  ['no hosts', y('defaults: {user: x}'), 1, 'hosts', 'required field "hosts" is missing'],
  ['empty hosts', y('hosts: []'), 1, 'hosts', 'must list at least one host'],
  ['hosts not a list', y('hosts:', '  a: b'), 2, 'hosts', 'must be a list of hosts, got a mapping'],
  ['missing host', y('hosts:', '  - name: a', '    port: 22'), 2, 'hosts[0].host', 'required field "host" is missing'],
  ['missing name', y('hosts:', '  - host: a'), 2, 'hosts[0].name', 'required field "name" is missing'],
  ['duplicate names', y('hosts:', '  - name: a', '    host: b', '  - name: a', '    host: c'), 4, 'hosts[1].name', 'duplicate host name "a" (first used at line 2'],
  ['host with a space', y('hosts:', '  - name: a', '    host: "10.0.0.4 -p 2"'), 3, 'hosts[0].host', 'must not contain whitespace'],
  ['host with a tab', y('hosts:', '  - name: a', '    host: "a\\tb"'), 3, 'hosts[0].host', 'must not contain control characters'],
  ['host with a newline', y('hosts:', '  - name: a', '    host: "a\\nb"'), 3, 'hosts[0].host', 'must not contain control characters'],
  ['host starting with -', y('hosts:', '  - name: a', '    host: -oProxyCommand=sh'), 3, 'hosts[0].host', 'must not start with "-"'],
  ['IPv6 host in brackets', y('hosts:', '  - name: a', '    host: "[::1]"'), 3, 'hosts[0].host', 'is an address in brackets'],
  ['a name --limit reads as a pattern (db:1)', y('hosts:', '  - name: "db:1"', '    host: h'), 2, 'hosts[0].name', '--limit pattern syntax'],
  ['a name with a glob (web*)', y('hosts:', '  - name: "web*"', '    host: h'), 2, 'hosts[0].name', '--limit pattern syntax'],
  ['a name with a comma', y('hosts:', '  - name: "a,b"', '    host: h'), 2, 'hosts[0].name', '--limit pattern syntax'],
  ['host with user@', y('hosts:', '  - name: a', '    host: root@b'), 3, 'hosts[0].host', 'set the login name with user:'],
  ['empty host', y('hosts:', '  - name: a', '    host: ""'), 3, 'hosts[0].host', 'must not be empty'],
  ['host not a string', y('hosts:', '  - name: a', '    host: 12'), 3, 'hosts[0].host', 'must be a string (an IP address or DNS name), got 12'],
  ['name with control character', y('hosts:', '  - name: "a\\u0007"', '    host: b'), 2, 'hosts[0].name', 'must not contain control characters'],
  ['name with DEL', y('hosts:', '  - name: "a\\x7f"', '    host: b'), 2, 'hosts[0].name', 'must not contain control characters'],
  ['port 0', y('hosts:', '  - {name: a, host: b, port: 0}'), 2, 'hosts[0].port', 'must be an integer from 1 to 65535, got 0'],
  ['port too large', y('hosts:', '  - name: a', '    host: b', '    port: 65536'), 4, 'hosts[0].port', 'got 65536'],
  ['port negative', y('defaults:', '  port: -1', 'hosts: [{name: a, host: b}]'), 2, 'defaults.port', 'got -1'],
  ['port not an integer', y('hosts:', '  - name: a', '    host: b', '    port: 22.5'), 4, 'hosts[0].port', 'got 22.5'],
  ['port as a string', y('hosts:', '  - name: a', '    host: b', '    port: "22"'), 4, 'hosts[0].port', 'got "22"'],
  ['port empty', y('hosts:', '  - name: a', '    host: b', '    port:'), 4, 'hosts[0].port', 'got an empty value'],
  ['sudo invalid', y('hosts:', '  - name: a', '    host: b', '    sudo: yes'), 4, 'hosts[0].sudo', 'must be one of "auto", "always", "never", got "yes"'],
  ['sudo misspelt', y('groups:', '  g: {sudo: alwyas}', 'hosts: [{name: a, host: b}]'), 2, 'groups.g.sudo', 'did you mean "always"?'],
  ['sudo boolean', y('defaults:', '  sudo: true', 'hosts: [{name: a, host: b}]'), 2, 'defaults.sudo', 'got true'],
  ['user with whitespace', y('defaults:', '  user: "a b"', 'hosts: [{name: a, host: b}]'), 2, 'defaults.user', 'must not contain whitespace'],
  ['user starting with -', y('hosts:', '  - {name: a, host: b, user: -l}'), 2, 'hosts[0].user', 'must not start with "-"'],
  ['identityFile ~user', y('hosts:', '  - name: a', '    host: b', '    identityFile: ~bob/key'), 4, 'hosts[0].identityFile', 'only "~/" is expanded'],
  ['identityFile empty string', y('hosts:', '  - name: a', '    host: b', '    identityFile: ""'), 4, 'hosts[0].identityFile', 'must not be an empty string'],
  ['tags not a list', y('hosts:', '  - name: a', '    host: b', '    tags: db'), 4, 'hosts[0].tags', 'must be a list of tags, got "db"'],
  ['group lists a missing host', y('groups:', '  prod:', '    hosts:', '      - vm-a', '      - vm-aa', 'hosts:', '  - {name: vm-a, host: b}'), 5, 'groups.prod.hosts[1]', 'no host named "vm-aa" in hosts: (did you mean "vm-a"?)'],
  ['host names an undefined group', y('groups:', '  prod: {}', 'hosts:', '  - name: a', '    host: b', '    groups: [prd]'), 6, 'hosts[0].groups[0]', 'group "prd" is not defined under groups: (did you mean "prod"?)'],
  ['host names a group with no groups section', y('hosts:', '  - name: a', '    host: b', '    groups:', '      - prod'), 5, 'hosts[0].groups[0]', 'the inventory has no groups: section'],
  ['rule severity invalid', y('groups:', '  g:', '    rules:', '      script-interpreter: warn', 'hosts: [{name: a, host: b}]'), 4, 'groups.g.rules.script-interpreter', 'must be one of "off", "error", "warning", "info", got "warn" (did you mean "warning"?)'],
  ['rule severity boolean', y('groups:', '  g:', '    rules:', '      x: false', 'hosts: [{name: a, host: b}]'), 4, 'groups.g.rules.x', 'got false'],
  ['rules not a mapping', y('groups:', '  g:', '    rules: [x]', 'hosts: [{name: a, host: b}]'), 3, 'groups.g.rules', 'must be a mapping of rule id to severity, got a list'],
  ['group name with control character', y('groups:', '  "g\\u0001": {}', 'hosts: [{name: a, host: b}]'), 2, 'groups["g\\u0001"]', 'group name "g\\u0001" must not contain control characters'],
  [
    'two groups set a field differently',
    y('groups:', '  prod:', '    hosts: [a]', '    user: alice', '  eu:', '    hosts: [a]', '    user: bob', 'hosts:', '  - {name: a, host: b}'),
    7,
    'groups.eu.user',
    'groups "prod" (line 4) and "eu" (line 7) set user differently ("alice" vs "bob") and host "a" is in both; set user on the host, or in only one of the groups',
  ],
  [
    'two groups set identityFile to different files',
    y('groups:', '  p: {identityFile: ./k1}', '  q: {identityFile: ./k2}', 'hosts:', '  - {name: a, host: b, groups: [p, q]}', '  - {name: c, host: d, groups: [q, p]}'),
    3,
    'groups.q.identityFile',
    'hosts "a", "c" are in both',
  ],
  [
    'two groups set a rule differently',
    y('groups:', '  p: {hosts: [a], rules: {r1: "off"}}', '  q: {hosts: [a], rules: {r1: error}}', 'hosts:', '  - {name: a, host: b, user: me}'),
    3,
    'groups.q.rules.r1',
    'set rule "r1" differently ("off" vs "error")',
  ],
];

describe('parseInventory: errors', () => {
  it.each(ERRORS)('%s', (_case, text, line, field, fragment) => {
    const err = errorOf(text, 'inventory.yaml');
    expect(err.code).toBe('INVENTORY_INVALID');
    expect(err.file).toBe('inventory.yaml');
    expect(err.issues, err.message).toHaveLength(1);
    expect(err.line).toBe(line);
    expect(err.column).toBeGreaterThanOrEqual(1);
    expect(err.field).toBe(field);
    const prefix = field === null ? `inventory.yaml:${line}: ` : `inventory.yaml:${line}: ${field}: `;
    expect(err.message.startsWith(prefix), err.message).toBe(true);
    expect(err.message).toContain(fragment);
  });

  it('matches the documented example message exactly', () => {
    const err = errorOf(y('hosts:', '  - name: a', '    host: b', '  - name: c', '    host: d', '', '    prot: 22'), 'inventory.yaml');
    expect(err.message).toBe('inventory.yaml:7: hosts[1].prot: unknown field "prot" (did you mean "port"?)');
    expect([err.line, err.column, err.field]).toEqual([7, 5, 'hosts[1].prot']);
  });

  it('reports every problem at once, in file order', () => {
    const err = errorOf(
      y('hosts:', '  - name: a', '    host: -x', '    port: 0', '  - name: b', '    sudo: maybe', '    colour: red'),
      'inv.yaml',
    );
    expect(err.issues.map((i) => [i.line, i.field])).toEqual([
      [3, 'hosts[0].host'],
      [4, 'hosts[0].port'],
      [5, 'hosts[1].host'],
      [6, 'hosts[1].sudo'],
      [7, 'hosts[1].colour'],
    ]);
    expect(err.message.split('\n')).toHaveLength(5);
    for (const line of err.message.split('\n')) expect(line).toMatch(/^inv\.yaml:\d+: hosts\[\d\]\.\w+: /);
  });

  it('reports all cross-reference problems together', () => {
    const err = errorOf(y('groups:', '  g: {hosts: [x]}', 'hosts:', '  - {name: a, host: b, groups: [h]}', '  - {name: a, host: c}'));
    expect(err.issues.map((i) => i.field)).toEqual(['groups.g.hosts[0]', 'hosts[0].groups[0]', 'hosts[1].name']);
  });

  it('never throws anything but InventoryError, whatever the text', () => {
    const example = y(
      'defaults: {user: a, port: 22}',
      'groups:',
      '  g: {hosts: [a], rules: {r: "off"}, sudo: never}',
      'hosts:',
      '  - name: a',
      '    host: b',
      '    tags: [x, y]',
      '  - {name: c, host: d, groups: [g]}',
    );
    const texts: string[] = [];
    for (let i = 0; i <= example.length; i++) texts.push(example.slice(0, i), example.slice(i), example.slice(0, i) + example.slice(i + 1));
    const junk = ['*', '&a', '!!binary', '{', '"', "'", '\0', '\t', '?', '|', '>', '%', '@', '`', ': ', '- ', '\u2028', '\uFEFF'];
    for (let i = 0; i < example.length; i += 7) for (const j of junk) texts.push(example.slice(0, i) + j + example.slice(i));
    texts.push('a: &x [*x]', '&a [*a, *a]', '!!map {', 'hosts: !!set {a}', 'hosts: [*undefined]', '<<: {}', '\uFEFFhosts: []');
    let failures = 0;
    for (const t of texts) {
      try {
        parseInventory(t, 'f.yaml');
      } catch (e) {
        failures++;
        if (!(e instanceof InventoryError)) throw new Error(`threw ${String(e)} for ${JSON.stringify(t)}`, { cause: e });
        expect(e.message.startsWith('f.yaml')).toBe(true);
      }
    }
    expect(failures).toBeGreaterThan(100);
  });
});

describe('formatFieldPath', () => {
  it.each([
    [[], ''],
    [['hosts', 1, 'port'], 'hosts[1].port'],
    [['groups', 'prod', 'rules', 'script-interpreter'], 'groups.prod.rules.script-interpreter'],
    [['groups', 'my group', 'user'], 'groups["my group"].user'],
    [['groups', '1st'], 'groups["1st"]'],
  ] as Array<[PropertyKey[], string]>)('%j → %s', (segments, expected) => {
    expect(formatFieldPath(segments)).toBe(expected);
  });
});

describe('loadVmsnapInventory', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'vmsnap-inv-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('loads inventory.example.yaml, which documents every field', async () => {
    const file = path.join(ROOT, 'inventory.example.yaml');
    const inv = await loadVmsnapInventory(file);
    expect(inv.file).toBe(file);
    expect(inv.hosts.length).toBeGreaterThanOrEqual(3);
    expect(inv.hosts.length).toBeLessThanOrEqual(4);
    expect(inv.hosts.some((h) => h.groups.length > 0)).toBe(true);
    const text = await readFile(file, 'utf8');
    for (const field of ['defaults:', 'groups:', 'hosts:', 'name:', 'host:', 'port:', 'user:', 'identityFile:', 'sudo:', 'tags:', 'rules:'])
      expect(text).toContain(field);
    const byName = Object.fromEntries(inv.hosts.map((h) => [h.name, h]));
    expect(byName['sql-prod-1']).toMatchObject({ user: 'azureuser', port: 22, sudo: 'auto', identityFile: path.join(ROOT, 'keys/prod_ed25519') });
    expect(byName['app-prod-1']).toMatchObject({ port: 2222, groups: ['prod'] });
    expect(byName['lab-vm']).toMatchObject({ user: 'root', sudo: 'never', ruleSeverity: { 'script-interpreter': 'off' } });
    expect(byName['legacy-vm']).toMatchObject({ address: '2001:db8::10', identityFile: null, sudo: 'always' });
  });

  it('reads a file and resolves identity files against its folder', async () => {
    await mkdir(path.join(tmp, 'sub'), { recursive: true });
    const file = path.join(tmp, 'sub', 'inv.yaml');
    await writeFile(file, y('hosts:', '  - {name: a, host: b, identityFile: ../k}'));
    const inv = await loadVmsnapInventory(file);
    expect(inv.hosts[0]!.identityFile).toBe(path.join(tmp, 'k'));
  });

  it('reports validation errors with the file name as given', async () => {
    const file = path.join(tmp, 'bad.yaml');
    await writeFile(file, y('hosts:', '  - name: a'));
    await expect(loadVmsnapInventory(file)).rejects.toThrow(`${file}:2: hosts[0].host: required field "host" is missing`);
  });

  it.each([
    ['a missing file', () => path.join(tmp, 'nope.yaml'), 'no such file'],
    ['a directory', () => tmp, 'it is a directory, not a file'],
  ])('reports %s, naming it, without a stack in the message', async (_what, file, reason) => {
    const f = file();
    const err = await loadVmsnapInventory(f).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InventoryError);
    const e = err as InventoryError;
    expect(e.message).toBe(`${f}: cannot read inventory file: ${reason}`);
    expect(e).toMatchObject({ code: 'INVENTORY_INVALID', file: f, line: null, column: null, field: null });
  });

  it('reports a path that cannot be read as a file (a directory), as root too', async () => {
    await expect(loadVmsnapInventory(tmp)).rejects.toThrow(`${tmp}: cannot read inventory file: it is a directory, not a file`);
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable file', async () => {
    const file = path.join(tmp, 'secret.yaml');
    await writeFile(file, 'hosts: []\n');
    await chmod(file, 0o000);
    await expect(loadVmsnapInventory(file)).rejects.toThrow(`${file}: cannot read inventory file: permission denied`);
  });
});
